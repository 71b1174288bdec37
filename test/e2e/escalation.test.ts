import t from 'tap'
import { alarmLifecycleEventSchema, notifyCommandSchema } from '@anxin/contracts'
import { readTopic, waitUntil } from '@anxin/testing'
import { pipeline } from './pipeline.ts'

t.test('an SOS is escalated step by step until someone acknowledges; acknowledged is not handled; an outcome ends it', async t => {
  const p = await pipeline(t, { devices: 1 })
  const resident = p.devices[0]!.residentId!
  const pool = p.db.pool
  // A care team and a quick policy, so the ladder plays in seconds.
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES
    ('st-op', 'org-test', '值班员甲', 'operator', '13800000001'), ('st-carer', 'org-test', '护理员乙', 'carer', '13800000002'),
    ('st-doc', 'org-test', '医生丙', 'doctor', '13800000003'), ('st-sup', 'org-test', '主管丁', 'supervisor', '13800000004')`)
  await pool.query(`UPDATE residents SET assigned_carer_id = 'st-carer', family_doctor_id = 'st-doc' WHERE id = $1`, [resident])
  await pool.query(`INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ($1, 1, '女儿', '女儿', '13900000001')`, [resident])
  await pool.query(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ('rot-op', 'org-test', 'operator', '{st-op}', '2026-01-01', 24)`)
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('fast', 'org-test', 'fast test ladder', '{"alarmTypes": ["sos"]}', $1, 2, 600, 600)`,
    [JSON.stringify([
      { targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 1, channels: ['console', 'sms'] },
      { targets: [{ kind: 'family_doctor' }, { kind: 'family_contacts' }], waitSeconds: 1, channels: ['sms'] },
      { targets: [{ kind: 'supervisor' }, { kind: 'call_120' }], waitSeconds: 1, channels: ['console'] },
    ])],
  )
  await p.startIngestion()
  await p.startAlert()
  const escalation = await p.startEscalation()
  const [device] = await Promise.all(p.devices.map(d => p.device(d)))
  await device!.pressSos()

  const commands = async () => (await readTopic(p.topics.kafka, p.topics.names.dispatchCommand, { settleMs: 100, timeoutMs: 1000 })).map(m => notifyCommandSchema.parse(JSON.parse(m.value)))
  t.ok(await waitUntil(async () => (await commands()).some(c => c.level === 2), 20000), 'nobody answers: the ladder reaches the last step')
  const sent = await commands()
  const byLevel = (level: number) => sent.filter(c => c.level === level).map(c => c.recipient.id).sort()
  t.same(byLevel(0), ['st-carer', 'st-op'], 'step 1: the operator on duty and the assigned carer, in parallel')
  t.same(byLevel(1), [`${resident}:contact:1`, 'st-doc'], 'step 2: the family doctor and the family')
  t.same(byLevel(2), ['call_120', 'st-sup'], 'step 3: the supervisor, and the recommendation to call 120')
  t.equal(new Set(sent.map(c => c.commandId)).size, sent.length, 'each notification once')
  const alarmId = sent[0]!.alarmId

  const act = (body: Record<string, unknown>) => escalation.http.inject({ method: 'POST', url: `/alarms/${alarmId}/actions`, payload: body })
  const state = async () => (await escalation.http.inject({ url: `/alarms/${alarmId}` })).json()
  const version = (await state()).lifecycle.version
  const [first, second] = await Promise.all([
    act({ kind: 'acknowledge', actor: { kind: 'staff', id: 'st-op' }, channel: 'console', expectedVersion: version }),
    act({ kind: 'acknowledge', actor: { kind: 'staff', id: 'st-carer' }, channel: 'responder_app', expectedVersion: version }),
  ])
  t.same([first.statusCode, second.statusCode].sort(), [200, 409], 'two acknowledging at once: one wins, the other is told')
  t.match([first.json().code, second.json().code].join(' '), /version_conflict|already_acknowledged/)

  // Acknowledged but nobody dispatched or arrived within the handling time (2 s): escalation resumes.
  const before = (await commands()).length
  t.ok(await waitUntil(async () => (await commands()).some(c => c.reason === 'handling_overdue'), 15000), 'acknowledged is not handled: escalation resumes')
  t.ok((await commands()).length > before)

  const dispatched = await act({ kind: 'dispatch', actor: { kind: 'staff', id: 'st-op' }, channel: 'console', responder: { kind: 'staff', id: 'st-carer' } })
  t.equal(dispatched.statusCode, 200, dispatched.body)
  t.equal((await act({ kind: 'arrive', actor: { kind: 'staff', id: 'st-carer' }, channel: 'responder_app' })).statusCode, 200)
  const resolved = await act({ kind: 'resolve', actor: { kind: 'staff', id: 'st-carer' }, channel: 'responder_app', outcome: 'visited_fine' })
  t.equal(resolved.json().lifecycle.state, 'resolved')
  const late = await act({ kind: 'acknowledge', actor: { kind: 'staff', id: 'st-doc' }, channel: 'responder_app' })
  t.equal(late.statusCode, 409, 'an acknowledgement never un-resolves an alarm')
  t.equal(late.json().code, 'already_resolved')
  const bad = await act({ kind: 'resolve', actor: { kind: 'staff', id: 'st-op' }, channel: 'console', outcome: 'made_up' })
  t.equal(bad.statusCode, 400, 'a bad request gets a 4xx with a message')

  const onDuty = await escalation.http.inject({ url: '/orgs/org-test/on-duty?role=operator' })
  t.same(onDuty.json().onDuty.map((d: { staffId: string }) => d.staffId), ['st-op'], 'who is on duty now')
  t.equal((await escalation.http.inject({ url: '/orgs/org-test/on-duty?role=janitor' })).statusCode, 400)

  const settled = (await commands()).length
  await new Promise(r => setTimeout(r, 2500))
  t.equal((await commands()).length, settled, 'nothing is sent after the outcome')
  const pending = await pool.query(`SELECT count(*) AS n FROM escalation_timers WHERE alarm_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`, [alarmId])
  t.equal(Number(pending.rows[0].n), 0, 'no timer left pending')

  const detail = await state()
  const actions = detail.audit.map((e: { action: string }) => e.action)
  t.same(actions.filter((a: string) => a !== 'notify' && a !== 'alarm_updated'), ['raise', 'acknowledge', 'dispatch', 'arrive', 'resolve'], 'the audit trail has every action')
  t.ok(actions.filter((a: string) => a === 'notify').length >= 6, 'and every notification')
  const lifecycle = (await readTopic(p.topics.kafka, p.topics.names.alarmLifecycle, { until: m => m.some(e => JSON.parse(e.value).state === 'resolved') }))
    .map(m => alarmLifecycleEventSchema.parse(JSON.parse(m.value)))
  t.ok(lifecycle.some(e => e.action === 'resolve' && e.outcome === 'visited_fine'), 'the console hears about every change')
})

t.test('the stall auditor finds an alarm left without a pending timer and puts it back on the ladder', async t => {
  const p = await pipeline(t, { devices: 1 })
  const resident = p.devices[0]!.residentId!
  const pool = p.db.pool
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role) VALUES ('st-op', 'org-test', '值班员', 'operator')`)
  await pool.query(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ('rot', 'org-test', 'operator', '{st-op}', '2026-01-01', 24)`)
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('slow', 'org-test', 'slow ladder', $1, 600, 600, 3600)`,
    [JSON.stringify([0, 1].map(() => ({ targets: [{ kind: 'on_duty', role: 'operator' }], waitSeconds: 3600, channels: ['console'] })))],
  )
  const escalation = await p.startEscalation({ env: { STALL_AUDIT_INTERVAL_MS: '300', STALL_GRACE_SECONDS: '0' } })
  const alarmId = '00000000-0000-5000-8000-0000000000aa'
  const now = new Date().toISOString()
  const producer = p.topics.kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  await producer.send({
    topic: p.topics.names.alarm,
    messages: [{ key: resident, value: JSON.stringify({
      eventId: '00000000-0000-5000-8000-0000000000ab', schemaVersion: 1, kind: 'raised', alarmId, incidentId: alarmId, version: 1,
      orgId: 'org-test', residentId: resident, deviceId: null, type: 'sos', severity: 'critical', priority: 400, status: 'open',
      occurrences: 1, startedAt: now, occurredAt: now, causeEventId: null, reason: null, detail: {},
    }) }],
  })
  const notifications = async () => Number((await pool.query(`SELECT count(*) AS n FROM audit_log WHERE action = 'notify' AND alarm_id = $1`, [alarmId])).rows[0].n)
  t.ok(await waitUntil(async () => (await notifications()) === 1, 15000), 'step 1 ran')
  // An operator escalates at once instead of waiting the hour for step 2.
  const escalated = await escalation.http.inject({
    method: 'POST', url: `/alarms/${alarmId}/actions`, payload: { kind: 'escalate', actor: { kind: 'staff', id: 'st-op' }, channel: 'console' },
  })
  t.equal(escalated.statusCode, 200, escalated.body)
  t.ok(await waitUntil(async () => (await notifications()) === 2, 15000), 'escalate now: step 2 runs at once')
  // The repeat of the last step (due in an hour) is lost.
  await pool.query(`UPDATE escalation_timers SET cancelled_at = now() WHERE alarm_id = $1 AND fired_at IS NULL`, [alarmId])
  t.ok(await waitUntil(async () => (await notifications()) === 3, 15000), 'the auditor repaired it: the last step was repeated at once')
  const metrics = (await escalation.http.inject({ url: '/metrics' })).body
  t.match(metrics, /anxin_escalation_stalled_total\{state="notified",repaired="true"\} [1-9]/)
})
