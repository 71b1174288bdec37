import t from 'tap'
import { deadLetterSchema, type AlarmEnvelope, type DeadLetter, type TelemetryMessage } from '@anxin/contracts'
import { Redis } from 'ioredis'
import type { IngestionService } from '@anxin/ingestion'
import { readTopic, waitUntil } from '@anxin/testing'
import { pipeline, type Pipeline } from './pipeline.ts'

const HOUR = 3600_000
const DAY = 24 * HOUR

async function deadLetters(p: Pipeline, count: number): Promise<DeadLetter[]> {
  const messages = await readTopic(p.topics.kafka, p.topics.names.deadLetter, { until: m => m.length >= count })
  return messages.map(m => deadLetterSchema.parse(JSON.parse(m.value)))
}

/** Dead letters by reason, as counted by the instance (before the write, so exact once the PUBACK is back). */
async function deadLetterCounts(service: IngestionService): Promise<Record<string, number>> {
  const metrics = (await service.http.inject({ url: '/metrics' })).body
  return Object.fromEntries([...metrics.matchAll(/^anxin_ingestion_dead_letters_total\{reason="(\w+)"\} (\d+)$/gm)].map(m => [m[1]!, Number(m[2])]))
}

function byMessage(letters: DeadLetter[]): Record<string, DeadLetter> {
  return Object.fromEntries(letters.map(l => [JSON.parse(Buffer.from(l.payloadBase64, 'base64').toString()).id as string, l]))
}

async function messageIds(p: Pipeline, topic: string, count: number): Promise<string[]> {
  const messages = await readTopic(p.topics.kafka, topic, { until: m => m.length >= count })
  return messages.map(m => JSON.parse(m.value).source.messageId as string)
}

function reading(id: string, seq: number, ts: number): TelemetryMessage {
  return { id, seq, ts, vitals: { heartRate: 70 } }
}

/**
 * Replay protection on the real pipeline (Mosquitto, ingestion, Kafka, Redis): telemetry and events are judged
 * by their device time and sequence number; an SOS never is.
 */
t.test('a replayed old reading is dead-lettered as a replay, also by a restarted instance; readings out of the clock window are refused', async t => {
  const p = await pipeline(t, { devices: 1 })
  const first = await p.startIngestion('1')
  const device = await p.device(p.devices[0]!)
  const captured = reading('r-old', 5, Date.now() - 2 * HOUR)
  await device.sendPrepared('telemetry', captured)
  await device.sendPrepared('telemetry', reading('r-new', 6, Date.now()))
  await device.sendPrepared('telemetry', captured)
  await device.sendPrepared('telemetry', reading('r-week', 7, Date.now() - 8 * DAY))
  await device.sendPrepared('telemetry', reading('r-future', 8, Date.now() + HOUR))
  await device.sendPrepared('event', { id: 'e-future', seq: 9, ts: Date.now() + HOUR, type: 'im_ok' })

  // By message: the event lane is a connection of its own, so its letter may come first.
  const letters = byMessage(await deadLetters(p, 4))
  t.same(Object.keys(letters).sort(), ['e-future', 'r-future', 'r-old', 'r-week'], 'each letter holds its message, whole')
  t.match(letters['r-old'], { reason: 'replayed', detail: /seq 5 not beyond 6 seen, and 120 min older/ })
  t.match(letters['r-week'], { reason: 'timestamp_out_of_window', detail: /8\.0 d behind receipt/ })
  t.match(letters['r-future'], { reason: 'timestamp_out_of_window', detail: /60 min ahead of receipt/ })
  t.match(letters['e-future'], { reason: 'timestamp_out_of_window', detail: /60 min ahead of receipt/ })
  t.same(await messageIds(p, p.topics.names.deviceTelemetry, 2), ['r-old', 'r-new'], 'the original reading went through, once')

  // What this instance learnt is in Redis (under the pipeline's key prefix): a new instance refuses the replay too.
  const key = `${p.redisPrefix}ingestion:seq:${device.deviceId}`
  t.ok(await waitUntil(async () => (await redisHash(p, key)).s === '6', 5000), 'the device\'s highest seq is shared through Redis')
  await first.stop()
  // The same instance id, as a restarted pod: its persistent broker session is the one the shared subscription feeds.
  await p.startIngestion('1')
  await device.sendPrepared('telemetry', captured)
  const after = await deadLetters(p, 5)
  t.same(after.filter(l => l.reason === 'replayed').length, 2, 'the restarted ingestion refuses it as well')
})

t.test('a replayed SOS is acknowledged as a duplicate and written once; an SOS from a clock three years off is taken and flagged', async t => {
  const p = await pipeline(t, { devices: 1 })
  const ingestion = await p.startIngestion()
  const device = await p.device(p.devices[0]!)
  // Recent readings set the device's sequence well beyond the SOS below.
  await device.sendPrepared('telemetry', reading('r-1', 100, Date.now()))

  const sos = { id: 'sos-1', seq: 3, ts: Date.now() - 2 * HOUR, type: 'sos' as const }
  const original = await device.sendAlarm(sos)
  t.equal(original.ack.status, 'accepted', 'an SOS is never refused for its sequence number or its age')
  const replayed = await device.sendAlarm(sos)
  t.equal(replayed.ack.status, 'duplicate', 'the same SOS again: acknowledged, as already recorded')
  t.equal(replayed.ack.eventId, original.ack.eventId)

  const threeYears = 3 * 365 * DAY
  const ahead = await device.sendAlarm({ id: 'sos-ahead', seq: 4, ts: Date.now() + threeYears, type: 'sos' })
  const behind = await device.sendAlarm({ id: 'fall-behind', seq: 5, ts: Date.now() - threeYears, type: 'fall' })
  t.equal(ahead.ack.status, 'accepted', 'a clock three years ahead still raises the alarm')
  t.equal(behind.ack.status, 'accepted', 'so does one three years behind')

  const alarms = (await readTopic(p.topics.kafka, p.topics.names.deviceAlarm, { until: m => m.length >= 3 })).map(m => JSON.parse(m.value) as AlarmEnvelope)
  t.same(alarms.map(a => a.source.messageId), ['sos-1', 'sos-ahead', 'fall-behind'], 'each written once')
  t.notOk(alarms[0]!.source.clockSuspect, 'a believable clock is not flagged')
  t.equal(alarms[0]!.occurredAt, new Date(sos.ts).toISOString(), 'and keeps its own time')
  for (const alarm of alarms.slice(1)) {
    t.equal(alarm.source.clockSuspect, true, `${alarm.source.messageId} is flagged`)
    t.equal(alarm.occurredAt, alarm.receivedAt, 'and placed on the timeline at its receipt')
    t.ok(Math.abs(alarm.payload.ts as number - Date.now()) > 2 * 365 * DAY, 'the device\'s own time is kept in the payload')
  }
  const metrics = (await ingestion.http.inject({ url: '/metrics' })).body
  t.match(metrics, /^anxin_ingestion_clock_suspect_alarms_total 2$/m, 'both counted')
  t.same(await deadLetterCounts(ingestion), {}, 'nothing was dead-lettered')
})

t.test('a rebooted device (seq back to 0, fresh times) is accepted', async t => {
  const p = await pipeline(t, { devices: 1 })
  const ingestion = await p.startIngestion()
  const before = await p.device(p.devices[0]!)
  await before.sendPrepared('telemetry', reading('boot1-1', 1000, Date.now() - 30 * 60_000))
  await before.sendPrepared('telemetry', reading('boot1-2', 1001, Date.now()))
  await before.close()

  const after = await p.device(p.devices[0]!)
  await after.sendPrepared('telemetry', reading('boot2-0', 0, Date.now()))
  await after.sendPrepared('event', { id: 'boot2-1', seq: 1, ts: Date.now(), type: 'power_on' })
  await after.sendPrepared('telemetry', reading('boot2-2', 2, Date.now()))
  t.same(await messageIds(p, p.topics.names.deviceTelemetry, 4), ['boot1-1', 'boot1-2', 'boot2-0', 'boot2-2'])
  t.same(await messageIds(p, p.topics.names.deviceEvent, 1), ['boot2-1'])
  t.same(await deadLetterCounts(ingestion), {}, 'nothing refused')
})

async function redisHash(p: Pipeline, key: string): Promise<Record<string, string>> {
  const redis = new Redis(p.stack.redisUrl)
  try {
    return await redis.hgetall(key)
  } finally {
    redis.disconnect()
  }
}
