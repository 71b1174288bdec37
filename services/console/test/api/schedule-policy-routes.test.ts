import t from 'tap'
import { consoleApp } from './console-app.ts'
import { consoleWithEscalation } from './console-with-escalation.ts'
import { auditRows, extraUser } from './registry-helpers.ts'

const rota = (extra: Record<string, unknown> = {}) => ({
  role: 'operator', areaId: null, timezone: 'Asia/Shanghai', members: ['a-oper', 'a-oper-2'], startDate: '2026-01-05', handoffTime: '08:00',
  shiftHours: 12, activeDays: null, ...extra,
})

t.test('schedules: replace, validate, overrides, scope and audit', async t => {
  const app = await consoleApp(t)
  const put = await app.as('supervisor', 'PUT', '/api/schedules/ops-day', rota())
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json().rotation, { id: 'ops-day', ...rota(), overrides: [] })
  const replaced = await app.as('supervisor', 'PUT', '/api/schedules/ops-day', rota({ members: ['a-oper'], activeDays: [1, 2, 3, 4, 5], handoffTime: '07:30' }))
  t.equal(replaced.statusCode, 200, replaced.body)
  t.match(replaced.json().rotation, { members: ['a-oper'], activeDays: [1, 2, 3, 4, 5], handoffTime: '07:30' })

  const cases: [Record<string, unknown>, string][] = [
    [{ members: ['a-carer'] }, 'members[0]: a-carer has the role carer, not operator'],
    [{ members: ['b-oper'] }, 'members[0]: no staff member b-oper'],
    [{ members: [] }, 'members'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ handoffTime: '25:00' }, 'handoffTime'],
    [{ startDate: '2026-02-30' }, 'startDate'],
    [{ shiftHours: 0 }, 'shiftHours'],
    [{ activeDays: [0, 8] }, 'activeDays'],
    [{ areaId: 'area-b' }, 'areaId'],
    [{ id: 'other' }, 'id'],
  ]
  for (const [extra, message] of cases) {
    const response = await app.as('supervisor', 'PUT', '/api/schedules/ops-bad', rota(extra))
    t.equal(response.statusCode, 400, `${JSON.stringify(extra)}: ${response.body}`)
    t.match(response.json().message, message)
  }
  await app.db.pool.query(`UPDATE staff SET active = false WHERE id = 'a-oper-2'`)
  t.match((await app.as('supervisor', 'PUT', '/api/schedules/ops-day', rota())).json().message, 'members[1]: a-oper-2 no longer works here')
  await app.db.pool.query(`UPDATE staff SET active = true WHERE id = 'a-oper-2'`)

  const override = await app.as('supervisor', 'POST', '/api/schedules/ops-day/overrides', { staffId: 'a-super', startsAt: '2026-02-01T00:00:00+08:00', endsAt: '2026-02-02T00:00:00+08:00' })
  t.equal(override.statusCode, 201, override.body)
  t.match(override.json().override, { staffId: 'a-super', startsAt: '2026-01-31T16:00:00.000Z', endsAt: '2026-02-01T16:00:00.000Z' })
  const backwards = await app.as('supervisor', 'POST', '/api/schedules/ops-day/overrides', { staffId: 'a-super', startsAt: '2026-02-02T00:00:00Z', endsAt: '2026-02-01T00:00:00Z' })
  t.equal(backwards.statusCode, 400)
  t.match(backwards.json().message, 'endsAt')
  t.equal((await app.as('supervisor', 'POST', '/api/schedules/ops-day/overrides', { staffId: 'b-oper', startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-02-02T00:00:00Z' })).statusCode, 400)

  const listed = (await app.as('auditor', 'GET', '/api/schedules')).json().items
  t.equal(listed.length, 1)
  t.equal(listed[0].overrides.length, 1)
  t.same((await app.as('otherOrgOperator', 'GET', '/api/schedules')).json().items, [], 'another organisation sees none of it')
  t.equal((await app.as('operator', 'PUT', '/api/schedules/ops-day', rota())).statusCode, 403, 'operators do not edit rotas')

  const areaSupervisor = await extraUser(app, { id: 'a-super-2', role: 'supervisor', area: 'area-2' })
  t.equal((await areaSupervisor('PUT', '/api/schedules/ops-day', rota())).statusCode, 403, 'an area supervisor does not write organisation-wide rotas')
  t.equal((await areaSupervisor('DELETE', '/api/schedules/ops-day')).statusCode, 404, 'nor sees them to delete')
  const areaRota = await areaSupervisor('PUT', '/api/schedules/ops-area-2', rota({ areaId: 'area-2', members: ['a-oper-2'] }))
  t.equal(areaRota.statusCode, 200, areaRota.body)
  t.same((await areaSupervisor('GET', '/api/schedules')).json().items.map((r: { id: string }) => r.id), ['ops-area-2'])

  const otherOrg = await extraUser(app, { id: 'b-super', role: 'supervisor', org: 'org-b', area: null })
  const clash = await otherOrg('PUT', '/api/schedules/ops-day', rota({ members: ['b-oper'] }))
  t.equal(clash.statusCode, 409, 'an id taken by another organisation is refused, never overwritten')
  t.equal((await otherOrg('DELETE', '/api/schedules/ops-day')).statusCode, 404)
  t.equal((await otherOrg('DELETE', `/api/schedules/ops-day/overrides/${override.json().override.id}`)).statusCode, 404)

  t.equal((await app.as('supervisor', 'DELETE', `/api/schedules/ops-day/overrides/${override.json().override.id}`)).statusCode, 204)
  t.equal((await app.as('supervisor', 'DELETE', `/api/schedules/ops-day/overrides/${override.json().override.id}`)).statusCode, 404)
  t.equal((await app.as('supervisor', 'DELETE', '/api/schedules/ops-day')).statusCode, 204)
  t.equal((await app.as('supervisor', 'DELETE', '/api/schedules/ops-day')).statusCode, 404)

  const actions = (await app.db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE '%schedule%' ORDER BY seq`)).rows.map(r => r.action)
  t.same(actions, ['create_schedule', 'update_schedule', 'create_schedule_override', 'create_schedule', 'delete_schedule_override', 'delete_schedule'])
})

t.test('on duty: the console asks escalation, scoped to the organisation and area', async t => {
  const { app, escalationDown } = await consoleWithEscalation(t)

  t.equal((await app.as('supervisor', 'PUT', '/api/schedules/ops', rota({ members: ['a-oper'], shiftHours: 24 }))).statusCode, 200)
  t.equal((await app.as('supervisor', 'PUT', '/api/schedules/ops-2', rota({ areaId: 'area-2', members: ['a-oper-2'], shiftHours: 24 }))).statusCode, 200)
  const at = '2026-03-01T12:00:00+08:00'
  const whole = await app.as('operator', 'GET', `/api/on-duty?role=operator&at=${encodeURIComponent(at)}`)
  t.equal(whole.statusCode, 200, whole.body)
  t.same(whole.json(), { at, onDuty: ['a-oper'] })
  t.same((await app.as('operator', 'GET', `/api/on-duty?role=operator&areaId=area-2&at=${encodeURIComponent(at)}`)).json().onDuty, ['a-oper-2'])
  t.same((await app.as('areaOperator', 'GET', `/api/on-duty?role=operator&at=${encodeURIComponent(at)}`)).json().onDuty, ['a-oper-2'], 'an area user asks about their area')
  t.equal((await app.as('areaOperator', 'GET', '/api/on-duty?role=operator&areaId=area-1')).statusCode, 403)
  t.same((await app.as('otherOrgOperator', 'GET', `/api/on-duty?role=operator&at=${encodeURIComponent(at)}`)).json().onDuty, [], 'another organisation has its own rotas')
  const bad = await app.as('operator', 'GET', '/api/on-duty?role=janitor')
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, 'role')

  escalationDown()
  const down = await app.as('operator', 'GET', '/api/on-duty?role=operator')
  t.equal(down.statusCode, 503, 'escalation failing is a 503 naming it')
  t.match(down.json().message, 'escalation')
})

t.test('policies: every problem named, stored, never the last one deleted', async t => {
  const app = await consoleApp(t)
  const policy = {
    name: 'SOS', match: { alarmTypes: ['sos', 'fall'] },
    steps: [
      { targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 60, channels: ['console', 'sms'] },
      { targets: [{ kind: 'supervisor' }, { kind: 'call_120' }], waitSeconds: 120, channels: ['console', 'phone'] },
    ],
    handlingTimeoutSeconds: 900, arrivalTimeoutSeconds: 1800, repeatLastStepEverySeconds: 300,
  }
  const saved = await app.as('administrator', 'PUT', '/api/policies/sos', policy)
  t.equal(saved.statusCode, 200, saved.body)
  t.same(saved.json(), { id: 'sos', ...policy })

  const broken = await app.as('administrator', 'PUT', '/api/policies/broken', {
    ...policy, match: { alarmTypes: [] },
    steps: [{ targets: [{ kind: 'on_duty', role: 'janitor' }, { kind: 'call_120' }], waitSeconds: -5, channels: ['sms', 'pigeon'] }],
    repeatLastStepEverySeconds: 0, handlingTimeoutSeconds: 1.5,
  })
  t.equal(broken.statusCode, 400)
  t.equal(broken.json().code, 'invalid_policy')
  for (const problem of [
    'match.alarmTypes: is empty', 'steps[0].targets[0].role: unknown on-duty role "janitor"', 'steps[0].waitSeconds: -5 is negative',
    'steps[0].channels: unknown channel "pigeon"', "steps[0].channels: call_120 is shown on the operator console; add 'console'",
    'repeatLastStepEverySeconds: 0 must be greater than 0', 'handlingTimeoutSeconds: must be whole seconds',
  ]) t.ok(broken.json().message.includes(problem), problem)
  t.equal((await app.as('administrator', 'PUT', '/api/policies/empty', {})).json().code, 'invalid_policy')

  const tidy = await app.as('administrator', 'PUT', '/api/policies/device', {
    name: ' Devices ', match: { alarmTypes: ['low_battery'], extra: 1 }, steps: [{ targets: [{ kind: 'supervisor', role: 'operator' }], waitSeconds: 600, channels: ['console'] }],
    handlingTimeoutSeconds: 3600, arrivalTimeoutSeconds: 3600, repeatLastStepEverySeconds: 1800, orgId: 'org-b',
  })
  t.equal(tidy.statusCode, 200, tidy.body)
  t.same(tidy.json().steps[0].targets, [{ kind: 'supervisor' }], 'only known fields are stored')
  t.equal(tidy.json().name, 'Devices')
  const stored = await app.db.pool.query(`SELECT org_id, repeat_every_seconds FROM escalation_policies WHERE id = 'device'`)
  t.same(stored.rows, [{ org_id: 'org-a', repeat_every_seconds: 1800 }], 'the organisation is the user\'s, whatever the body says')

  t.same((await app.as('auditor', 'GET', '/api/policies')).json().items.map((p: { id: string }) => p.id), ['device', 'sos'])
  const otherOrg = (await app.as('otherOrgOperator', 'GET', '/api/policies')).json()
  t.ok(otherOrg.defaultsInEffect, 'another organisation has none of these; it runs on the built-in policies, and is told so')
  t.ok(otherOrg.items.length > 0 && otherOrg.items.every((p: { id: string }) => p.id.startsWith('default:org-b:')), 'shown as they are in force')
  t.equal((await app.as('supervisor', 'PUT', '/api/policies/sos', policy)).statusCode, 403)
  const areaAdmin = await extraUser(app, { id: 'a-admin-2', role: 'administrator', area: 'area-2' })
  t.equal((await areaAdmin('PUT', '/api/policies/sos', policy)).statusCode, 403, 'area administrators do not change organisation-wide policies')

  const otherAdmin = await extraUser(app, { id: 'b-admin', role: 'administrator', org: 'org-b', area: null })
  t.equal((await otherAdmin('PUT', '/api/policies/sos', policy)).statusCode, 409, 'another organisation cannot take over a policy id')
  t.equal((await otherAdmin('DELETE', '/api/policies/sos')).statusCode, 404)

  t.equal((await app.as('administrator', 'DELETE', '/api/policies/device')).statusCode, 204)
  const last = await app.as('administrator', 'DELETE', '/api/policies/sos')
  t.equal(last.statusCode, 409)
  t.equal(last.json().code, 'last_policy')
  t.same((await auditRows(app, 'create_policy')).map(a => a.detail), [{ policyId: 'sos' }, { policyId: 'device' }])
  t.equal((await auditRows(app, 'delete_policy')).length, 1)
})
