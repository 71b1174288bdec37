import t from 'tap'
import { nameBasedUuid, type AlarmLifecycleEvent } from '@anxin/contracts'
import { createProducer, publish } from '@anxin/kafka'
import { waitUntil } from '@anxin/testing'
import { smtpSink } from '../../services/dispatch/test/fixtures/providers.ts'
import { pipeline } from './pipeline.ts'

// Escalation is not running: the actions dispatch owes it wait in escalation_calls, where the test reads them.
const NO_ESCALATION = 'http://127.0.0.1:9'

t.test('a visit goes to the nearest responder, then the next when declined or unanswered; a late responder gets a backup; a resolved alarm stands everyone down', async t => {
  const p = await pipeline(t, { devices: 1 })
  const pool = p.db.pool
  const resident = p.devices[0]!.residentId!
  const smtp = await smtpSink(t)
  await pool.query(`UPDATE residents SET lat = 31.2290, lon = 121.4450 WHERE id = $1`, [resident])
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, email) VALUES
    ('c-near', 'org-test', '近', 'carer', 'near@anxin.test'), ('c-mid', 'org-test', '中', 'carer', 'mid@anxin.test'),
    ('c-far', 'org-test', '远', 'carer', 'far@anxin.test'), ('c-noskill', 'org-test', '无', 'carer', 'noskill@anxin.test'),
    ('c-busy', 'org-test', '忙', 'carer', 'busy@anxin.test')`)
  await pool.query(`INSERT INTO responder_profiles (staff_id, skills, available, lat, lon, position_at) VALUES
    ('c-near', '{first_aid}', true, 31.2295, 121.4455, now()), ('c-mid', '{first_aid}', true, 31.2400, 121.4500, now()),
    ('c-far', '{first_aid}', true, 31.2700, 121.4800, now()), ('c-noskill', '{}', true, 31.2291, 121.4451, now()),
    ('c-busy', '{first_aid}', false, 31.2290, 121.4450, now())`)
  await pool.query(`INSERT INTO dispatch_settings (org_id, offer_timeout_seconds, arrival_deadline_seconds) VALUES ('org-test', 2, 3)`)
  const alarmId = nameBasedUuid('task-test-alarm')
  await pool.query(
    `INSERT INTO alarms (id, org_id, resident_id, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
     VALUES ($1, 'org-test', $2, 'fall', 'critical', 420, 'open', $1, now(), now(), now())`,
    [alarmId, resident],
  )
  const dispatch = await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url } })
  const producer = await createProducer(p.topics.kafka)
  t.teardown(() => producer.disconnect())
  const lifecycle = (action: string, state: string, version: number, outcome: string | null = null): AlarmLifecycleEvent => ({
    eventId: nameBasedUuid(`${alarmId}:${version}`), schemaVersion: 1, alarmId, orgId: 'org-test', residentId: resident, alarmType: 'fall', action, state, version,
    escalationLevel: 0, actor: { kind: 'system', id: 'alert' }, channel: 'system', at: new Date().toISOString(), note: null, outcome,
  })
  const raise = lifecycle('raise', 'raised', 1)
  await publish(producer, p.topics.names.alarmLifecycle, [{ key: alarmId, value: raise }, { key: alarmId, value: raise }])

  const tasks = async () => (await dispatch.service.http.inject({ url: `/alarms/${alarmId}/tasks` })).json().tasks as Array<{ taskId: string; state: string; responderId: string | null; offeredTo: string[]; overdueAt: string | null }>
  t.ok(await waitUntil(async () => (await tasks()).length === 1 && (await tasks())[0]!.state === 'offered', 10000), 'a fall gets a visit task at once (once, although the event came twice)')
  const first = (await tasks())[0]!
  t.equal(first.responderId, 'c-near', 'offered to the nearest responder with first aid who is available (not the closer one without the skill, not the unavailable one)')
  t.ok(await waitUntil(async () => smtp.inbox.some(m => m.subject?.includes('上门') || m.text?.includes('上门')), 10000), 'the offer reaches her by e-mail')

  const declined = await dispatch.service.tasks.act(first.taskId, { kind: 'decline', by: 'c-near', at: new Date().toISOString(), reason: '正在另一户' })
  t.ok(declined.ok, 'she declines')
  t.equal((await tasks())[0]!.responderId, 'c-mid', 'the next nearest is offered the visit at once')
  t.ok(await waitUntil(async () => (await tasks())[0]!.responderId === 'c-far', 10000), 'nobody answers within the offer time: it goes to the next')
  t.same((await tasks())[0]!.offeredTo, ['c-near', 'c-mid', 'c-far'])

  const accepted = await dispatch.service.tasks.act(first.taskId, { kind: 'accept', by: 'c-far', at: new Date().toISOString(), arrivalDueAt: new Date(Date.now() + 3000).toISOString() })
  t.ok(accepted.ok, 'the third accepts')
  const calls = await pool.query<{ action: { kind: string; responder?: { id: string }; arrivalDeadlineSeconds?: number } }>('SELECT action FROM escalation_calls WHERE alarm_id = $1 ORDER BY seq', [alarmId])
  const dispatchCall = calls.rows.map(r => r.action).find(a => a.kind === 'dispatch')
  t.equal(dispatchCall?.responder?.id, 'c-far', 'escalation is told who is on the way')
  t.equal(dispatchCall?.arrivalDeadlineSeconds, 3, 'with the organisation\'s arrival deadline')
  t.ok(calls.rows.some(r => r.action.kind === 'note'), 'and the decline is noted on the alarm')

  t.ok(await waitUntil(async () => (await tasks()).length === 2, 10000), 'she is late: a backup visit is offered')
  const [backup, original] = await tasks()
  t.ok(original!.overdueAt, 'the first visit is marked overdue')
  t.equal(original!.state, 'accepted', 'and the first responder keeps going')
  t.not(backup!.responderId, 'c-far', 'the backup goes to someone else')
  t.equal(backup!.state, 'offered')
  const backupResponder = backup!.responderId!
  t.ok((await dispatch.service.tasks.act(backup!.taskId, { kind: 'accept', by: backupResponder, at: new Date().toISOString(), arrivalDueAt: new Date(Date.now() + 600000).toISOString() })).ok, 'the backup accepts')

  t.ok((await dispatch.service.tasks.act(first.taskId, { kind: 'arrive', by: 'c-far', at: new Date().toISOString() })).ok, 'the first responder arrives after all')
  t.equal((await tasks()).find(x => x.taskId === backup!.taskId)!.state, 'cancelled', 'someone is at the door: the backup visit is cancelled')
  const backupEmail = `${backupResponder.slice(2)}@anxin.test`
  t.ok(await waitUntil(async () => smtp.inbox.some(m => (m.to as { text: string }).text.includes(backupEmail) && /无需前往/.test(m.text ?? '')), 10000), 'and the backup, on the way, is told not to come')

  await publish(producer, p.topics.names.alarmLifecycle, [{ key: alarmId, value: lifecycle('resolve', 'resolved', 5, 'handled_by_phone') }])
  t.ok(await waitUntil(async () => (await tasks()).every(x => x.state === 'cancelled'), 10000), 'the alarm is resolved: every visit is cancelled')
  const events = await pool.query<{ kind: string }>('SELECT kind FROM task_events WHERE task_id = $1 ORDER BY version', [first.taskId])
  t.same(events.rows.map(r => r.kind), ['offer', 'decline', 'offer', 'offer_expired', 'offer', 'accept', 'arrival_overdue', 'arrive', 'cancel'], 'every step of the task is recorded')
})
