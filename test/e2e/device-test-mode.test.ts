import t from 'tap'
import { alarmEventSchema, notifyCommandSchema } from '@anxin/contracts'
import { upsertAccount } from '@anxin/console'
import { hashPassword } from '@anxin/credentials'
import { readTopic, signIn, waitUntil } from '@anxin/testing'
import { DESK_PASSWORD, monitoringCentre } from './console-desk.ts'
import { pipeline } from './pipeline.ts'

/**
 * A device in test mode (the weekly button test, an installer trying a new pendant) raises a test alarm: it is
 * recorded and shown in the console's test view, the real queue never shows it, and nobody is called out.
 * A real SOS pressed at the same time, on another device, goes up the ladder as always.
 */
t.test('an SOS from a device in test mode is a test alarm: recorded, in the test view only, nobody notified', async t => {
  const p = await pipeline(t, { devices: 2 })
  const pool = p.db.pool
  const [tested, real] = p.devices as [(typeof p.devices)[0], (typeof p.devices)[0]]
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES ('st-carer', 'org-test', '护理员乙', 'carer', '13800000002'), ('admin-1', 'org-test', '管理员', 'administrator', '3')`)
  await pool.query(`UPDATE residents SET assigned_carer_id = 'st-carer' WHERE id = ANY($1)`, [[tested.residentId, real.residentId]])
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('fast', 'org-test', 'fast test ladder', '{"alarmTypes": ["sos"]}', $1, 2, 600, 1)`,
    [JSON.stringify([{ targets: [{ kind: 'assigned_carer' }], waitSeconds: 1, channels: ['sms'] }])],
  )
  await upsertAccount(pool, 'admin-1', 'admin-1', await hashPassword(DESK_PASSWORD))
  const { consoleUrl } = await monitoringCentre(p)
  // Visits are offered at once for an SOS here, and the family hears of it: neither may happen for a test alarm.
  await pool.query(`UPDATE dispatch_settings SET auto_task_alarm_types = '{sos}', family_update_alarm_types = '{sos}' WHERE org_id = 'org-test'`)
  await pool.query(`INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ($1, 1, '家属', 'son', '13900000009')`, [tested.residentId])
  const admin = await signIn(consoleUrl, 'admin-1', DESK_PASSWORD)
  const operator = await signIn(consoleUrl, 'op-1', DESK_PASSWORD)

  const switched = await admin.call('PATCH', `/api/devices/${tested.deviceId}`, { testMode: true })
  t.equal(switched.status, 200, JSON.stringify(switched.body))
  t.equal(switched.body.testMode, true)

  const [testDevice, realDevice] = await Promise.all([p.device(tested), p.device(real)])
  const testAck = await testDevice.pressSos()
  t.equal(testAck.ack.status, 'accepted', 'the device is acknowledged as always (the test checks the whole path)')
  const alarmOf = async (residentId: string) =>
    (await pool.query<{ id: string; test: boolean }>(`SELECT id, test FROM alarms WHERE resident_id = $1 AND type = 'sos'`, [residentId])).rows[0]
  t.ok(await waitUntil(async () => (await alarmOf(tested.residentId!)) !== undefined, 10000), 'the test alarm is recorded')
  const testAlarm = (await alarmOf(tested.residentId!))!
  t.equal(testAlarm.test, true, 'marked test')

  await realDevice.pressSos()
  t.ok(await waitUntil(async () => (await alarmOf(real.residentId!)) !== undefined, 10000))
  const realAlarm = (await alarmOf(real.residentId!))!
  t.equal(realAlarm.test, false, 'the other device raises a real alarm')

  const commands = async () =>
    (await readTopic(p.topics.kafka, p.topics.names.dispatchCommand, { settleMs: 100, timeoutMs: 1000 })).map(m => notifyCommandSchema.parse(JSON.parse(m.value)))
  t.ok(await waitUntil(async () => (await commands()).filter(c => c.alarmId === realAlarm.id).length >= 2, 15000), 'the real SOS is escalated and repeated')
  t.same((await commands()).filter(c => c.alarmId === testAlarm.id), [], 'nobody is notified of the test alarm: no dispatch command')

  const events = (await readTopic(p.topics.kafka, p.topics.names.alarm, { settleMs: 100, timeoutMs: 1000 })).map(m => alarmEventSchema.parse(JSON.parse(m.value)))
  t.equal(events.find(e => e.alarmId === testAlarm.id && e.kind === 'raised')?.test, true, 'the alarm event says test')
  t.equal(events.find(e => e.alarmId === realAlarm.id && e.kind === 'raised')?.test, undefined, 'a real alarm\'s event is as before')

  t.ok(await waitUntil(async () => ((await pool.query('SELECT 1 FROM visit_tasks WHERE alarm_id = $1', [realAlarm.id])).rowCount ?? 0) > 0, 10000), 'the real SOS gets a visit at once')
  t.equal((await pool.query('SELECT 1 FROM visit_tasks WHERE alarm_id = $1', [testAlarm.id])).rowCount, 0, 'the test alarm sends nobody out')
  t.equal((await pool.query('SELECT 1 FROM notification_requests WHERE alarm_id = $1', [testAlarm.id])).rowCount, 0, 'and tells no family')
  const sendSomeone = await operator.call('POST', `/api/alarms/${testAlarm.id}/dispatch`, { responderId: 'carer-1' })
  t.equal(sendSomeone.status, 409, 'an operator cannot dispatch anyone to a test alarm either')
  t.equal(sendSomeone.body.code, 'test_alarm')

  const lifecycle = await pool.query(`SELECT state, escalation FROM alarm_lifecycles WHERE alarm_id = $1`, [testAlarm.id])
  t.equal(lifecycle.rows[0]?.state, 'raised', 'the test alarm stays raised until someone resolves it')
  t.equal(lifecycle.rows[0]?.escalation.test, true)
  const timers = await pool.query(`SELECT count(*)::int AS n FROM escalation_timers WHERE alarm_id = $1`, [testAlarm.id])
  t.equal(timers.rows[0].n, 0, 'no escalation step was ever scheduled for it')

  const ids = (body: { items: { id: string }[] }) => body.items.map(a => a.id)
  const queue = await operator.call('GET', '/api/alarms')
  t.same(ids(queue.body), [realAlarm.id], 'the queue shows the real alarm only')
  t.same(ids((await operator.call('GET', '/api/alarms?view=all')).body), [realAlarm.id], 'so does the history')
  const testView = await operator.call('GET', '/api/alarms?view=test')
  t.same(ids(testView.body), [testAlarm.id], 'the test view shows the test alarm')
  t.equal(testView.body.items[0].test, true)

  // Whoever checks the test resolves it; the test view keeps it, closed.
  const detail = await operator.call('GET', `/api/alarms/${testAlarm.id}`)
  const resolved = await operator.call('POST', `/api/alarms/${testAlarm.id}/resolve`, { outcome: 'false_alarm', expectedVersion: detail.body.alarm.version, notes: '按钮测试' })
  t.equal(resolved.status, 200, JSON.stringify(resolved.body))
  t.equal(resolved.body.alarm.state, 'resolved')
  t.same((await commands()).filter(c => c.alarmId === testAlarm.id), [], 'still nobody notified')
})
