import t from 'tap'
import { randomUUID } from 'node:crypto'
import { consoleApp } from './console-app.ts'
import { addDevice, auditRows, extraUser } from './registry-helpers.ts'

const resident = (id: string, fullName: string, extra: Record<string, unknown> = {}) => ({
  id, fullName, gender: 'female', birthDate: '1941-05-20', address: '阳光路 20 号', livingSituation: 'alone', careLevel: 'independent', areaId: 'area-1', ...extra,
})

t.test('residents: create, read, change, with every read and change audited and no health values in the audit', async t => {
  const app = await consoleApp(t)
  const created = await app.as('supervisor', 'POST', '/api/residents', resident('res-new', '陈淑芬', {
    phone: '13812345678', conditions: ['diabetes', 'copd'], medicationNotes: '二甲双胍 500mg', flags: ['living_alone', 'very_old'],
    assignedCarerId: 'a-carer', familyDoctorId: 'a-doctor', lat: 31.2, lon: 121.4,
    contacts: [{ fullName: '陈大伟', relation: 'son', phone: '13900000002' }, { fullName: '陈二伟', relation: 'son', phone: '13900000003' }],
  }))
  t.equal(created.statusCode, 201, created.body)
  const body = created.json()
  t.equal(body.id, 'res-new')
  t.same(body.flags, ['very_old', 'living_alone'])
  t.same(body.conditions, ['diabetes', 'copd'])
  t.same(body.contacts.map((c: { position: number }) => c.position), [1, 2])
  t.equal(body.assignedCarer.id, 'a-carer')
  t.equal(body.familyDoctor.role, 'doctor')
  t.equal(body.areaName, '一区')
  t.type(body.age, 'number')

  const again = await app.as('supervisor', 'POST', '/api/residents', resident('res-new', '另一人'))
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'already_exists')

  const patched = await app.as('supervisor', 'PATCH', '/api/residents/res-new', {
    medicationNotes: '胰岛素', contacts: [{ fullName: '陈小红', relation: 'daughter', phone: '13900000004' }], flags: ['dementia'],
  })
  t.equal(patched.statusCode, 200, patched.body)
  t.same(patched.json().contacts, [{ position: 1, fullName: '陈小红', relation: 'daughter', phone: '13900000004' }])
  t.same(patched.json().flags, ['dementia'])
  t.equal(patched.json().medicationNotes, '胰岛素')

  const read = await app.as('operator', 'GET', '/api/residents/res-new')
  t.equal(read.statusCode, 200)
  t.equal(read.json().phone, '13812345678')

  const create = await auditRows(app, 'create_resident')
  t.equal(create.length, 1)
  t.equal(create[0]?.resident_id, 'res-new')
  t.ok((create[0]?.detail.fields as string[]).includes('medicationNotes'), 'field names are recorded')
  const update = await auditRows(app, 'update_resident')
  t.same(update[0]?.detail, { fields: ['contacts', 'flags', 'medicationNotes'] })
  const views = await auditRows(app, 'view_resident')
  t.same(views.map(v => [v.actor_id, v.resident_id]), [['a-oper', 'res-new']])
  const everything = JSON.stringify(await app.db.pool.query('SELECT detail FROM audit_log').then(r => r.rows))
  for (const value of ['二甲双胍', '胰岛素', '13812345678', 'diabetes', '陈小红']) t.notOk(everything.includes(value), `no ${value} in the audit`)

  t.equal((await app.as('auditor', 'POST', '/api/residents', resident('res-x', 'x'))).statusCode, 403, 'auditors change nothing')
  t.equal((await app.as('operator', 'PATCH', '/api/residents/res-new', { phone: null })).statusCode, 403, 'operators do not edit the registry')
})

t.test('residents: validation errors name the field', async t => {
  const app = await consoleApp(t)
  const post = (extra: Record<string, unknown>) => app.as('supervisor', 'POST', '/api/residents', resident('res-v', '校验', extra))
  const cases: [Record<string, unknown>, string][] = [
    [{ birthDate: '1941-13-01' }, 'birthDate'],
    [{ birthDate: '2999-01-01' }, 'birthDate'],
    [{ conditions: ['hypertension', 'gout'] }, 'conditions'],
    [{ lat: 95 }, 'lat'],
    [{ flags: ['rich'] }, 'flags'],
    [{ id: 'a b' }, 'id'],
    [{ assignedCarerId: 'a-doctor' }, 'assignedCarerId'],
    [{ familyDoctorId: 'b-oper' }, 'familyDoctorId'],
    [{ areaId: 'area-b' }, 'areaId'],
    [{ contacts: [{ fullName: '无号码', relation: 'son' }] }, 'contacts.0.phone'],
    [{ surprise: 1 }, 'surprise'],
  ]
  for (const [extra, field] of cases) {
    const response = await post(extra)
    t.equal(response.statusCode, 400, `${JSON.stringify(extra)}: ${response.body}`)
    t.match(response.json().message, field, `${JSON.stringify(extra)} names ${field}`)
  }
  const empty = await app.as('supervisor', 'PATCH', '/api/residents/res-a1', {})
  t.equal(empty.statusCode, 400)
  t.equal((await app.db.pool.query(`SELECT 1 FROM residents WHERE id = 'res-v'`)).rowCount, 0, 'nothing was written')
})

t.test('residents: list pages round trip, filters, counts, and one audit entry per page', async t => {
  const app = await consoleApp(t)
  const names = ['赵一', '钱二', '孙三', '李四', '周五', '吴六', '郑七']
  for (const [i, name] of names.entries()) {
    const response = await app.as('supervisor', 'POST', '/api/residents', resident(`res-p${i}`, name, { areaId: i % 2 ? 'area-1' : 'area-2', flags: i < 2 ? ['dementia'] : [] }))
    t.equal(response.statusCode, 201, response.body)
  }
  await addDevice(app, { id: 'dev-a1', residentId: 'res-a1' })
  const alarmId = randomUUID()
  await app.db.pool.query(
    `INSERT INTO alarms (id, org_id, resident_id, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
     VALUES ($1, 'org-a', 'res-a1', 'sos', 'critical', 440, 'open', $1, now(), now(), now())`, [alarmId])

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const response = await app.as('operator', 'GET', `/api/residents?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(response.statusCode, 200, response.body)
    const answer = response.json() as { items: { id: string; fullName: string }[]; nextCursor: string | null }
    t.ok(answer.items.length <= 3)
    seen.push(...answer.items.map(r => r.id))
    cursor = answer.nextCursor
    pages++
  } while (cursor)
  const { rows } = await app.db.pool.query<{ id: string }>(`SELECT id FROM residents WHERE org_id = 'org-a' ORDER BY full_name, id`)
  t.same(seen, rows.map(r => r.id), 'every resident of the organisation once, in name order')
  t.equal(pages, 3)
  t.equal((await auditRows(app, 'list_residents')).length, 3, 'one audit entry per page')

  const a1 = (await app.as('operator', 'GET', '/api/residents?q=王桂').then(r => r.json())).items
  t.same(a1.map((r: { id: string }) => r.id), ['res-a1'])
  t.match(a1[0], { openAlarms: 1, devices: 1, flags: ['very_old', 'living_alone'], areaName: '一区' })
  t.same((await app.as('operator', 'GET', '/api/residents?flag=dementia').then(r => r.json())).items.map((r: { id: string }) => r.id).sort(), ['res-p0', 'res-p1'])
  t.equal((await app.as('operator', 'GET', '/api/residents?areaId=area-2').then(r => r.json())).items.length, 5)
  t.same((await app.as('operator', 'GET', '/api/residents?q=%25').then(r => r.json())).items, [], '% is matched literally')

  const badCursor = await app.as('operator', 'GET', '/api/residents?cursor=nonsense')
  t.equal(badCursor.statusCode, 400)
  t.match(badCursor.json().message, 'cursor')
  t.equal((await app.as('operator', 'GET', '/api/residents?limit=500')).statusCode, 400)
  t.equal((await app.as('operator', 'GET', '/api/residents?flag=rich')).statusCode, 400)
})

t.test('residents: another organisation is not found, an area sees only itself', async t => {
  const app = await consoleApp(t)
  for (const url of ['/api/residents/res-a1', '/api/residents/res-a1/vitals']) {
    const response = await app.as('otherOrgOperator', 'GET', url)
    t.equal(response.statusCode, 404, `${url} from another organisation`)
    t.equal(response.json().code, 'not_found')
  }
  t.same((await app.as('otherOrgOperator', 'GET', '/api/residents').then(r => r.json())).items.map((r: { id: string }) => r.id), ['res-b1'])
  t.equal((await app.as('supervisor', 'PATCH', '/api/residents/res-b1', { phone: '123456' })).statusCode, 404, 'changing another organisation\'s resident')

  t.same((await app.as('areaOperator', 'GET', '/api/residents').then(r => r.json())).items.map((r: { id: string }) => r.id), ['res-a2'])
  t.equal((await app.as('areaOperator', 'GET', '/api/residents/res-a1')).statusCode, 404)
  t.equal((await app.as('areaOperator', 'GET', '/api/residents/res-a2')).statusCode, 200)

  const areaSupervisor = await extraUser(app, { id: 'a-super-2', role: 'supervisor', area: 'area-2' })
  const own = await areaSupervisor('POST', '/api/residents', resident('res-area', '区内', { areaId: undefined }))
  t.equal(own.statusCode, 201, own.body)
  t.equal(own.json().areaId, 'area-2', 'an area supervisor registers in their own area by default')
  t.equal((await areaSupervisor('POST', '/api/residents', resident('res-area-1', '区外', { areaId: 'area-1' }))).statusCode, 403)
  t.equal((await areaSupervisor('PATCH', '/api/residents/res-area', { areaId: 'area-1' })).statusCode, 403, 'nor move someone out of it')
  t.equal((await areaSupervisor('PATCH', '/api/residents/res-a1', { phone: '123456' })).statusCode, 404)
  t.equal((await auditRows(app, 'view_resident')).length, 1, 'refused reads are not audited as views')
})

t.test('resident detail: devices with their state, recent alarms with their lifecycle state', async t => {
  const now = new Date()
  const app = await consoleApp(t, { now: () => now })
  await addDevice(app, { id: 'dev-on', residentId: 'res-a1', seenAt: new Date(now.getTime() - 60_000), battery: 0.8 })
  await addDevice(app, { id: 'dev-off', residentId: 'res-a1', seenAt: new Date(now.getTime() - 3600_000) })
  await addDevice(app, { id: 'dev-old', seenAt: now })
  await app.db.pool.query(`INSERT INTO device_bindings (device_id, resident_id, bound_at, unbound_at) VALUES ('dev-old', 'res-a1', now() - interval '2 days', now() - interval '1 day')`)
  // A vitals reading newer than the stale status report brings the device back online.
  await app.db.pool.query(`INSERT INTO vitals (time, device_id, resident_id, event_id, heart_rate, received_at) VALUES ($1, 'dev-off', 'res-a1', $2, 70, $1)`, [
    new Date(now.getTime() - 30_000), randomUUID()])
  const ids = [randomUUID(), randomUUID()]
  for (const [i, id] of ids.entries()) {
    await app.db.pool.query(
      `INSERT INTO alarms (id, org_id, resident_id, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
       VALUES ($1, 'org-a', 'res-a1', $2, 'high', 300, $3, $1, $4, $4, $4)`, [id, i ? 'fall' : 'sos', i ? 'open' : 'cleared', new Date(now.getTime() - (2 - i) * 60_000)])
  }
  await app.db.pool.query(
    `INSERT INTO alarm_lifecycles (alarm_id, org_id, resident_id, alarm_type, state, version, lifecycle) VALUES ($1, 'org-a', 'res-a1', 'sos', 'resolved', 3, '{}')`, [ids[0]])

  const detail = (await app.as('operator', 'GET', '/api/residents/res-a1')).json()
  t.same(detail.devices.map((d: { id: string; online: boolean }) => [d.id, d.online]), [['dev-off', true], ['dev-on', true]])
  t.equal(detail.devices[1].battery, 0.8)
  t.equal(detail.devices[0].lastSeenAt, new Date(now.getTime() - 30_000).toISOString())
  t.same(detail.recentAlarms.map((a: { id: string; state: string }) => [a.id, a.state]), [[ids[1], 'raised'], [ids[0], 'resolved']])
  t.equal(detail.openAlarms, 1)
  t.same(detail.contacts, [{ position: 1, fullName: '王小明', relation: 'son', phone: '13800000001' }])
  t.equal(detail.assignedCarer.fullName, 'carer a-carer')
  t.same(detail.conditions, ['hypertension'])
  t.equal(detail.birthDate, '1939-03-02')
})

t.test('resident vitals: re-bucketed from the one-minute rollup, audited', async t => {
  const now = new Date('2026-03-01T12:00:00Z')
  const app = await consoleApp(t, { now: () => now })
  const readings = [
    { at: '2026-03-01T11:00:10Z', hr: 60, spo2: 97, sys: 130, temp: 36.5, steps: 100 },
    { at: '2026-03-01T11:01:10Z', hr: 80, spo2: 95, sys: 150, temp: 36.9, steps: 180 },
    { at: '2026-03-01T11:07:00Z', hr: 90, spo2: 93, sys: 140, temp: 37.2, steps: 200 },
    { at: '2026-02-27T11:00:00Z', hr: 50, spo2: 90, sys: 120, temp: 36, steps: 10 },
  ]
  for (const r of readings) {
    await app.db.pool.query(
      `INSERT INTO vitals (time, device_id, resident_id, event_id, heart_rate, spo2, systolic, temperature, steps, received_at)
       VALUES ($1, 'dev-1', 'res-a1', $2, $3, $4, $5, $6, $7, $1)`, [r.at, randomUUID(), r.hr, r.spo2, r.sys, r.temp, r.steps])
  }
  const day = await app.as('operator', 'GET', '/api/residents/res-a1/vitals?hours=24')
  t.equal(day.statusCode, 200, day.body)
  const { bucketSeconds, series } = day.json()
  t.equal(bucketSeconds, 300)
  t.same(series.heartRate, [
    { at: '2026-03-01T11:00:00.000Z', avg: 70, min: 60, max: 80 },
    { at: '2026-03-01T11:05:00.000Z', avg: 90, min: 90, max: 90 },
  ])
  t.same(series.systolic[0], { at: '2026-03-01T11:00:00.000Z', avg: 140, min: 130, max: 150 }, 'min from the averages where the rollup keeps no minimum')
  t.same(series.spo2[0], { at: '2026-03-01T11:00:00.000Z', avg: 96, min: 95, max: 97 })
  t.same(series.diastolic, [], 'no readings, no points')
  t.equal(series.steps[0].max, 180)
  t.same(series.temperature[0], { at: '2026-03-01T11:00:00.000Z', avg: 36.7, min: 36.5, max: 36.9 }, 'rounded, without float4 noise')

  const week = (await app.as('operator', 'GET', '/api/residents/res-a1/vitals?hours=168')).json()
  t.equal(week.bucketSeconds, 3600)
  t.equal(week.series.heartRate.length, 2)
  t.equal((await app.as('operator', 'GET', '/api/residents/res-a1/vitals?hours=72')).json().bucketSeconds, 1800)
  t.equal((await app.as('operator', 'GET', '/api/residents/res-a1/vitals?hours=0')).statusCode, 400)
  t.equal((await app.as('operator', 'GET', '/api/residents/res-a1/vitals?hours=169')).statusCode, 400)
  t.same((await auditRows(app, 'view_vitals')).map(a => [a.resident_id, a.detail]), [['res-a1', { hours: 24 }], ['res-a1', { hours: 168 }], ['res-a1', { hours: 72 }]])
})

t.test('devices: list with state filters and pages, scope, detail with bindings, change audited', async t => {
  const now = new Date()
  const app = await consoleApp(t, { now: () => now })
  await addDevice(app, { id: 'dev-a1-on', residentId: 'res-a1', seenAt: now })
  await addDevice(app, { id: 'dev-a2-off', residentId: 'res-a2', seenAt: new Date(now.getTime() - 7200_000) })
  await addDevice(app, { id: 'dev-spare', type: 'wall_button' })
  await addDevice(app, { id: 'dev-revoked', seenAt: now })
  await app.db.pool.query(`UPDATE devices SET status = 'revoked', revoked_at = now() WHERE id = 'dev-revoked'`)
  await addDevice(app, { id: 'dev-b1', residentId: 'res-b1', org: 'org-b', seenAt: now })

  const ids = async (who: 'operator' | 'areaOperator' | 'otherOrgOperator', query = '') =>
    (await app.as(who, 'GET', `/api/devices${query}`)).json().items.map((d: { id: string }) => d.id)
  t.same(await ids('operator'), ['dev-a1-on', 'dev-a2-off', 'dev-revoked', 'dev-spare'])
  t.same(await ids('operator', '?status=online'), ['dev-a1-on'])
  t.same(await ids('operator', '?status=offline'), ['dev-a2-off', 'dev-spare'])
  t.same(await ids('operator', '?status=revoked'), ['dev-revoked'])
  t.same(await ids('operator', '?type=wall_button'), ['dev-spare'])
  t.same(await ids('operator', '?q=A2'), ['dev-a2-off'])
  t.same(await ids('areaOperator'), ['dev-a2-off'], 'an area sees the devices its residents wear')
  t.same(await ids('otherOrgOperator'), ['dev-b1'])

  const first = (await app.as('operator', 'GET', '/api/devices?limit=3')).json()
  t.equal(first.items.length, 3)
  const second = (await app.as('operator', 'GET', `/api/devices?limit=3&cursor=${first.nextCursor}`)).json()
  t.same(second.items.map((d: { id: string }) => d.id), ['dev-spare'])
  t.equal(second.nextCursor, null)

  const detail = (await app.as('operator', 'GET', '/api/devices/dev-a1-on')).json()
  t.match(detail, { id: 'dev-a1-on', online: true, worn: true, residentId: 'res-a1', residentName: '王桂英', supervisionIntervalS: 600 })
  t.equal(detail.bindings.length, 1)
  t.equal(detail.bindings[0].unboundAt, null)
  t.equal((await app.as('otherOrgOperator', 'GET', '/api/devices/dev-a1-on')).statusCode, 404)
  t.equal((await app.as('areaOperator', 'GET', '/api/devices/dev-a1-on')).statusCode, 404)

  t.equal((await app.as('supervisor', 'PATCH', '/api/devices/dev-a1-on', { firmware: '2.0' })).statusCode, 403, 'only administrators change devices')
  const bad = await app.as('administrator', 'PATCH', '/api/devices/dev-a1-on', { supervisionIntervalS: 1 })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, 'supervisionIntervalS')
  const changed = await app.as('administrator', 'PATCH', '/api/devices/dev-a1-on', { firmware: '2.0', supervisionIntervalS: 300 })
  t.equal(changed.statusCode, 200, changed.body)
  t.match(changed.json(), { firmware: '2.0', supervisionIntervalS: 300 })
  t.equal((await app.as('administrator', 'PATCH', '/api/devices/dev-b1', { firmware: '2.0' })).statusCode, 404)
  t.same((await auditRows(app, 'update_device')).map(a => [a.resident_id, a.detail]), [['res-a1', { deviceId: 'dev-a1-on', fields: ['firmware', 'supervisionIntervalS'] }]])
})
