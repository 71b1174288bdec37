import t from 'tap'
import { waitUntil } from '@anxin/testing'
import { pipeline } from './pipeline.ts'

const DAY = 86_400_000

type Row = { id: string; resident_id: string; device_id: string; status: string; severity: string; occurrences: number; close_reason: string | null; started_at: Date; detail: Record<string, unknown> }

/**
 * The weekly test of buttons and wearables (每周测试): a pendant whose last test is older than the interval
 * (7 days) and the grace (2 days) raises one device_test_overdue alarm however often the check runs; the
 * pendant's test button clears it and is recorded; a watch tested yesterday raises nothing.
 */
t.test('an untested pendant raises device_test_overdue once; its button_test clears it; a recently tested watch raises nothing', async t => {
  const p = await pipeline(t, { devices: 2 })
  const pool = p.db.pool
  const [stale, fresh] = p.devices as [(typeof p.devices)[0], (typeof p.devices)[0]]
  const base = Date.now()
  // Both were provisioned and bound a month ago; the pendant was last tested a minute short of 9 days ago.
  await pool.query(`UPDATE devices SET created_at = $2 WHERE id = ANY($1)`, [[stale.deviceId, fresh.deviceId], new Date(base - 30 * DAY)])
  await pool.query(`UPDATE device_bindings SET bound_at = $2 WHERE device_id = ANY($1)`, [[stale.deviceId, fresh.deviceId], new Date(base - 30 * DAY)])
  await pool.query(`UPDATE devices SET type = 'sos_pendant' WHERE id = $1`, [stale.deviceId])
  const lastTest = new Date(base - 9 * DAY + 60_000)
  await pool.query(`INSERT INTO device_tests (device_id, at, event_id) VALUES ($1, $2, 'old-test'), ($3, $4, 'recent-test')`, [stale.deviceId, lastTest, fresh.deviceId, new Date(base - DAY)])

  let offset = 0
  await p.startIngestion()
  const alert = await p.startAlert({ now: () => new Date(Date.now() + offset) })
  const overdue = async () =>
    (await pool.query<Row>(`SELECT id, resident_id, device_id, status, severity, occurrences, close_reason, started_at, detail FROM alarms WHERE type = 'device_test_overdue'`)).rows

  t.same(await alert.deviceTestWatch.check(), { raised: 0, cleared: 0 }, 'within the grace period: due (maintenance list), no alarm')
  t.same(await overdue(), [])

  offset = 2 * 60_000
  const [first, second] = await Promise.all([alert.deviceTestWatch.check(), alert.deviceTestWatch.check()])
  t.equal(first!.raised + second!.raised, 1, 'two checks at once: one alarm')
  t.same(await alert.deviceTestWatch.check(), { raised: 0, cleared: 0 }, 'a later check adds nothing')
  const raised = await overdue()
  t.equal(raised.length, 1)
  const alarm = raised[0]!
  t.match(alarm, { resident_id: stale.residentId, device_id: stale.deviceId, status: 'open', severity: 'medium', occurrences: 1 })
  t.equal(alarm.started_at.toISOString(), new Date(lastTest.getTime() + 7 * DAY).toISOString(), 'it began when the test fell due')
  t.match(alarm.detail, { lastTestAt: lastTest.toISOString(), dueAt: new Date(lastTest.getTime() + 7 * DAY).toISOString(), deviceType: 'sos_pendant' })
  const evidence = await pool.query(`SELECT event_id, kind, role FROM alarm_evidence WHERE alarm_id = $1`, [alarm.id])
  t.same(evidence.rows, [{ event_id: `device-test:${stale.deviceId}:${new Date(lastTest.getTime() + 7 * DAY).toISOString()}`, kind: 'timer', role: 'raise' }])

  const pendant = await p.device(stale)
  const eventId = await pendant.sendEvent('button_test')
  t.ok(await waitUntil(async () => (await overdue())[0]?.status === 'cleared', 15000), 'the test clears the alarm')
  t.equal((await overdue())[0]!.close_reason, 'tested')
  const tests = await pool.query<{ event_id: string }>(`SELECT event_id FROM device_tests WHERE device_id = $1 ORDER BY at`, [stale.deviceId])
  t.equal(tests.rows.length, 2, 'the test is recorded')
  t.not(tests.rows[1]!.event_id, 'old-test')
  t.ok(eventId, 'sent by the simulated pendant')

  t.same(await alert.deviceTestWatch.check(), { raised: 0, cleared: 0 }, 'tested now: nothing more to raise')
  t.same((await overdue()).map(a => a.device_id), [stale.deviceId], 'the recently tested watch never raised anything')
})
