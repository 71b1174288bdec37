import t from 'tap'
import type { Pool } from 'pg'
import { alarmEventSchema, type AlarmEvent } from '@anxin/contracts'
import { readTopic, waitUntil } from '@anxin/testing'
import type { SimulatedDevice } from '@anxin/simulators'
import { pipeline } from './pipeline.ts'

type AlarmRow = { resident_id: string; type: string; status: string; severity: string; occurrences: number; incident_id: string; id: string; detail: Record<string, unknown> }

async function alarms(pool: Pool): Promise<AlarmRow[]> {
  return (await pool.query<AlarmRow>('SELECT id, resident_id, type, status, severity, occurrences, incident_id, detail FROM alarms ORDER BY resident_id, type, raised_at')).rows
}

/** Publishes a message with an explicit device time, so sustained conditions can be played in seconds. */
function send(device: SimulatedDevice, channel: 'telemetry' | 'event' | 'alarm', at: number, body: Record<string, unknown>): Promise<void> {
  return device.publishRaw(channel, JSON.stringify({ id: device.nextMessageId(), ts: at, ...body }))
}

const summary = (rows: AlarmRow[]) => rows.map(r => `${r.resident_id.slice(-6)} ${r.type} ${r.status} x${r.occurrences}`)

t.test('each device-driven alarm type is raised, deduplicated, correlated and cleared as described, and only those', async t => {
  const p = await pipeline(t, { devices: 8 })
  const r = p.devices.map(d => d.residentId!)
  await p.db.pool.query(`INSERT INTO safe_zones (id, resident_id, name, lat, lon, radius_m) VALUES ('z1', $1, '家', 31.2366, 121.448, 200)`, [r[4]])
  await p.startIngestion()
  await p.startAlert()
  const d = await Promise.all(p.devices.map(x => p.device(x)))
  const t0 = Date.now() - 30 * 60_000
  const s = (seconds: number) => t0 + seconds * 1000

  // 0: SOS pressed three times: one alarm, counted.
  for (let i = 0; i < 3; i++) await d[0]!.pressSos()
  // 1: a fall called off with "I'm OK" within the grace period.
  await send(d[1]!, 'alarm', s(0), { type: 'fall', fall: { impactG: 3.1, confidence: 0.9 } })
  await send(d[1]!, 'event', s(10), { type: 'im_ok' })
  // 2: heart rate high for over two minutes, then back to normal for over two minutes.
  for (const [sec, hr] of [[0, 140], [60, 142], [130, 139], [200, 72], [330, 70]] as const) await send(d[2]!, 'telemetry', s(sec), { vitals: { heartRate: hr } })
  // 3: a fall, then a sustained heart-rate spike: one incident.
  await send(d[3]!, 'alarm', s(0), { type: 'fall' })
  for (const sec of [30, 100, 160]) await send(d[3]!, 'telemetry', s(sec), { vitals: { heartRate: 150 } })
  // 4: far outside the safe zone.
  await send(d[4]!, 'telemetry', s(0), { location: { lat: 31.26, lon: 121.448, accuracyM: 10 } })
  // 5: battery low.
  await send(d[5]!, 'telemetry', s(0), { status: { battery: 10, charging: false } })
  // 6: watch off for over ten minutes.
  await send(d[6]!, 'telemetry', s(0), { status: { worn: false } })
  await send(d[6]!, 'telemetry', s(700), { status: { worn: false } })
  // 7: an ordinary day: nothing.
  for (const sec of [0, 60, 120]) await send(d[7]!, 'telemetry', s(sec), { vitals: { heartRate: 70, spo2: 97 }, status: { battery: 80, worn: true } })

  const expected = [
    `${r[0]!.slice(-6)} sos open x3`,
    `${r[1]!.slice(-6)} fall cancelled x1`,
    `${r[2]!.slice(-6)} heart_rate_high cleared x1`,
    `${r[3]!.slice(-6)} fall open x1`,
    `${r[3]!.slice(-6)} heart_rate_high open x1`,
    `${r[4]!.slice(-6)} geofence_exit open x1`,
    `${r[5]!.slice(-6)} low_battery open x1`,
    `${r[6]!.slice(-6)} device_not_worn open x1`,
  ].sort()
  const settled = await waitUntil(async () => JSON.stringify(summary(await alarms(p.db.pool)).sort()) === JSON.stringify(expected), 30000)
  const rows = await alarms(p.db.pool)
  t.ok(settled, 'the alarms settle')
  t.same(summary(rows).sort(), expected, 'exactly the expected alarms, in the expected states')

  const of = (i: number, type: string) => rows.find(x => x.resident_id === r[i] && x.type === type)!
  t.equal(of(0, 'sos').severity, 'critical')
  t.equal(of(3, 'fall').incident_id, of(3, 'heart_rate_high').incident_id, 'fall and heart-rate spike are one incident')
  t.not(of(2, 'heart_rate_high').incident_id, of(3, 'fall').incident_id)
  t.equal(of(4, 'geofence_exit').detail.lat, 31.26, 'the last known location comes with the alarm')

  const events = await readTopic(p.topics.kafka, p.topics.names.alarm, { until: m => m.length >= 12, timeoutMs: 20000 })
  const parsed: AlarmEvent[] = events.map(e => alarmEventSchema.parse(JSON.parse(e.value)))
  const kinds = (i: number, type: string) => parsed.filter(e => e.residentId === r[i] && e.type === type).map(e => e.kind)
  t.same(kinds(0, 'sos'), ['raised', 'updated', 'updated'], 'repeats are updates')
  t.same(kinds(1, 'fall'), ['raised', 'cancelled'])
  t.same(kinds(2, 'heart_rate_high'), ['raised', 'cleared'])
  t.equal(new Set(parsed.map(e => e.eventId)).size, parsed.length, 'every alarm event once')
  t.equal(parsed.length, 12, 'sos 3, fall 2, heart rate 2, fall and heart rate 2, geofence, battery, not worn')
  t.ok(events.every(e => e.key === JSON.parse(e.value).residentId), 'keyed by resident')

  const log = p.logLines.join('')
  t.ok(log.includes('alarm changed'), 'alarm changes are logged')
  for (const secret of ['heart_rate_high', 'geofence_exit', '31.26', r[0]!]) t.notOk(log.includes(secret), `the log does not name ${secret}`)
})

t.test('a redelivered device event never raises or counts twice', async t => {
  const p = await pipeline(t, { devices: 1 })
  await p.startIngestion()
  await p.startAlert()
  const [device] = await Promise.all(p.devices.map(x => p.device(x)))
  await device!.pressSos()
  t.ok(await waitUntil(async () => (await alarms(p.db.pool)).length === 1))
  // Replay the urgent topic's records as Kafka would after a crash before the offset commit.
  const records = await readTopic(p.topics.kafka, p.topics.names.deviceAlarm, { until: m => m.length >= 1 })
  const producer = p.topics.kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  await producer.send({ topic: p.topics.names.deviceAlarm, messages: records.map(m => ({ key: m.key, value: m.value })) })
  await producer.send({ topic: p.topics.names.deviceAlarm, messages: records.map(m => ({ key: m.key, value: m.value })) })
  await new Promise(r => setTimeout(r, 1500))
  const rows = await alarms(p.db.pool)
  t.equal(rows.length, 1)
  t.equal(rows[0]!.occurrences, 1, 'the same SOS event, delivered three times, counts once')
})

t.test('silence: devices going offline and inactivity are found by the timer, across a restart of the service', async t => {
  const p = await pipeline(t, { devices: 2 })
  const [talker, silent] = p.devices.map(x => x.residentId!) as [string, string]
  await p.db.pool.query(
    `INSERT INTO activity_plans (resident_id, max_inactive_day_minutes, max_inactive_night_minutes) VALUES ($1, 60, 60)`,
    [talker],
  )
  await p.startIngestion()
  let offsetMs = 0
  const now = () => new Date(Date.now() + offsetMs)
  const first = await p.startAlert({ now })
  const [device] = await Promise.all([p.device(p.devices[0]!)])
  await send(device!, 'telemetry', Date.now(), { vitals: { heartRate: 70, steps: 12 } })
  t.ok(await waitUntil(async () => Number((await first.metrics.registry.getSingleMetricAsString('anxin_alert_observations_total')).match(/ (\d+)$/m)?.[1] ?? 0) >= 1))

  offsetMs = 11 * 60_000 // past a watch's 600 s supervision interval and its 60 s grace
  const offline = async () => (await alarms(p.db.pool)).filter(a => a.type === 'device_offline' && a.status === 'open').map(a => a.resident_id).sort()
  t.ok(await waitUntil(async () => (await offline()).length === 2), 'both watches reported offline')

  await send(device!, 'telemetry', Date.now() + offsetMs, { vitals: { heartRate: 71, steps: 30 } })
  // (With the clock held 11 minutes ahead, the talker looks silent again at once: that is the second alarm below.)
  const cleared = async () => (await p.db.pool.query(`SELECT close_reason FROM alarms WHERE resident_id = $1 AND type = 'device_offline' AND status = 'cleared'`, [talker])).rows
  t.ok(await waitUntil(async () => (await cleared()).length === 1), 'the watch that spoke again is back online')
  t.same(await cleared(), [{ close_reason: 'back_online' }])

  await first.stop()
  offsetMs = 11 * 60_000 + 70 * 60_000
  await p.startAlert({ now })
  t.ok(await waitUntil(async () => (await alarms(p.db.pool)).some(a => a.type === 'inactivity')), 'inactivity found after the restart')
  await new Promise(r => setTimeout(r, 1000))
  t.same(summary(await alarms(p.db.pool)).sort(), [
    `${talker.slice(-6)} device_offline cleared x1`,
    `${talker.slice(-6)} device_offline open x1`,
    `${talker.slice(-6)} inactivity open x1`,
    `${silent.slice(-6)} device_offline open x1`,
  ].sort(), 'the silent watch is not reported twice across the restart; the talker\'s new silence is a new alarm')
  const inactivity = (await alarms(p.db.pool)).find(a => a.type === 'inactivity')!
  t.equal(inactivity.severity, 'high')
})

t.test('a doctor\'s new threshold applies to the next readings, without a restart', async t => {
  const p = await pipeline(t, { devices: 1 })
  const resident = p.devices[0]!.residentId!
  await p.startIngestion()
  await p.startAlert()
  const [device] = await Promise.all(p.devices.map(x => p.device(x)))
  const t0 = Date.now() - 20 * 60_000
  for (const sec of [0, 60, 130]) await send(device!, 'telemetry', t0 + sec * 1000, { vitals: { heartRate: 108 } })
  await new Promise(r => setTimeout(r, 1500))
  t.same(await alarms(p.db.pool), [], '108 bpm is within the default limit of 120')

  await p.db.pool.query(`INSERT INTO resident_vital_thresholds (resident_id, heart_rate_high) VALUES ($1, 100)`, [resident])
  await new Promise(r => setTimeout(r, 300))
  for (const sec of [200, 260, 330]) await send(device!, 'telemetry', t0 + sec * 1000, { vitals: { heartRate: 108 } })
  t.ok(await waitUntil(async () => (await alarms(p.db.pool)).length === 1, 10000), 'the same readings now raise an alarm')
  const [alarm] = await alarms(p.db.pool)
  t.equal(alarm!.type, 'heart_rate_high')
  t.equal(alarm!.detail.threshold, 100, 'judged against the doctor\'s limit')
})
