import t from 'tap'
import type { Pool } from 'pg'
import { deadLetterSchema, deviceEventId, mqttTopics, type DeadLetter } from '@anxin/contracts'
import { readTopic, waitUntil } from '@anxin/testing'
import { pipeline } from './pipeline.ts'

async function count(p: { db: { pool: Pool } }, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await p.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0]!.n)
}

t.test('N telemetry messages become exactly N rows; an SOS reaches the urgent topic once and is acknowledged', async t => {
  const p = await pipeline(t, { devices: 4 })
  const ingestion = await p.startIngestion()
  const recorder = await p.startRecorder()
  const devices = await Promise.all(p.devices.map(d => p.device(d)))

  const N = 400
  await Promise.all(Array.from({ length: N }, (_, i) => devices[i % devices.length]!.sendTelemetry()))
  const sos = await devices[0]!.pressSos()
  t.equal(sos.ack.status, 'accepted', 'the device gets an application-level acknowledgement')
  t.equal(sos.ack.eventId, deviceEventId(p.devices[0]!.deviceId, sos.messageId), 'carrying the event id')

  // The device missed the acknowledgement and sends the same SOS again: acknowledged, not recorded twice.
  const retry = await devices[0]!.pressSos({ messageId: sos.messageId })
  t.equal(retry.ack.status, 'duplicate')
  t.equal(retry.ack.eventId, sos.ack.eventId)

  t.ok(await waitUntil(async () => (await count(p, 'vitals')) >= N, 20000), 'telemetry reaches the database')
  await new Promise(r => setTimeout(r, 1000))
  t.equal(await count(p, 'vitals'), N, 'exactly N vitals rows, none twice')
  t.equal(await count(p, 'device_status'), N)
  t.equal(await count(p, 'locations'), N)

  const alarms = await readTopic(p.topics.kafka, p.topics.names.deviceAlarm, { until: m => m.length >= 1 })
  t.equal(alarms.length, 1, 'the SOS is on the urgent topic exactly once')
  const envelope = JSON.parse(alarms[0]!.value)
  t.equal(envelope.eventId, sos.ack.eventId)
  t.equal(envelope.residentId, p.devices[0]!.residentId)
  t.equal(envelope.payload.type, 'sos')
  t.equal(alarms[0]!.key, p.devices[0]!.deviceId, 'keyed by device, so per-device order holds')
  t.ok(await waitUntil(async () => (await count(p, `device_events WHERE type = 'sos'`)) === 1), 'the SOS is stored once')

  const ready = await ingestion.http.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 200, 'ingestion reports ready')
  t.equal((await recorder.http.inject({ url: '/health/ready' })).statusCode, 200, 'recorder reports ready')
  const metrics = (await ingestion.http.inject({ url: '/metrics' })).body
  t.match(metrics, new RegExp(`anxin_ingestion_messages_total\\{channel="telemetry",outcome="accepted"\\} ${N}\\b`))
  t.match(metrics, /anxin_ingestion_messages_total\{channel="alarm",outcome="duplicate"\} 1\b/)
  t.match(metrics, /anxin_ingestion_urgent_handoff_seconds_count 2\b/)
})

t.test('bad input is refused or dead-lettered with a reason, and the platform keeps going', async t => {
  const p = await pipeline(t, { devices: 2 })
  const ingestion = await p.startIngestion()
  await p.startRecorder()
  const [alice, bob] = await Promise.all(p.devices.map(d => p.device(d)))
  const stranger = await p.device(p.strangerDevice)
  const unbound = await p.device(p.unboundDevices[0]!)

  await alice!.publishRaw('telemetry', '{"id": "m1", "ts": ')
  await alice!.publishRaw('telemetry', JSON.stringify({ id: 'm2', ts: Date.now(), vitals: { heartRate: 'fast' } }))
  await alice!.publishRaw('event', JSON.stringify({ id: 'm3', ts: Date.now(), type: 'heartbeat', pad: 'x'.repeat(6000) }))
  const strangerSos = await stranger.pressSos({ maxAttempts: 3 })
  t.equal(strangerSos.ack.status, 'rejected', 'an SOS from an unregistered device is answered, so it stops retrying')
  t.equal(strangerSos.ack.reason, 'unknown_device')
  await unbound.publishRaw('telemetry', JSON.stringify({ id: 'm4', ts: Date.now(), vitals: { heartRate: 70 } }))

  await t.rejects(
    alice!.publishRaw('alarm', JSON.stringify({ id: 'spoof', ts: Date.now(), type: 'sos' }), mqttTopics.uplink(p.devices[1]!.deviceId, 'alarm')),
    'the broker refuses a device publishing on another device\'s topic',
  )
  await t.rejects(alice!.publishRaw('telemetry', '{}', `anxin/v1/dev/${p.devices[0]!.deviceId}/up/firmware`), 'and on a channel that does not exist')

  const letters = await readTopic(p.topics.kafka, p.topics.names.deadLetter, { until: m => m.length >= 5 })
  const parsed: DeadLetter[] = letters.map(l => deadLetterSchema.parse(JSON.parse(l.value)))
  t.same(parsed.map(l => l.reason).sort(), ['invalid_payload', 'malformed_json', 'oversized', 'unbound_device', 'unknown_device'].sort())
  const malformed = parsed.find(l => l.reason === 'malformed_json')!
  t.equal(Buffer.from(malformed.payloadBase64, 'base64').toString(), '{"id": "m1", "ts": ', 'the original bytes are kept whole')
  t.same(malformed.origin, { kind: 'mqtt', topic: mqttTopics.uplink(p.devices[0]!.deviceId, 'telemetry') })
  t.equal(parsed.find(l => l.reason === 'oversized')!.payloadBytes > 6000, true)
  const metrics = (await ingestion.http.inject({ url: '/metrics' })).body
  for (const reason of ['malformed_json', 'invalid_payload', 'oversized', 'unknown_device', 'unbound_device']) {
    t.match(metrics, new RegExp(`anxin_ingestion_dead_letters_total\\{reason="${reason}"\\} 1\\b`), `metric for ${reason}`)
  }
  t.notOk(p.logLines.join('').includes('"fast"'), 'rejected payloads are not logged')

  // Still working: good messages from the same devices go through.
  await bob!.sendTelemetry()
  const sos = await alice!.pressSos()
  t.equal(sos.ack.status, 'accepted')
  t.ok(await waitUntil(async () => (await count(p, 'vitals')) === 1), 'good telemetry is stored after the bad')
  const alarms = await readTopic(p.topics.kafka, p.topics.names.deviceAlarm, { until: m => m.length >= 1 })
  t.equal(alarms.length, 1, 'nothing from the spoofed publish reached Kafka')
  t.equal(JSON.parse(alarms[0]!.value).deviceId, p.devices[0]!.deviceId)
})

t.test('the recorder writes a redelivered envelope once and dead-letters a poison message', async t => {
  const p = await pipeline(t, { devices: 1 })
  await p.startRecorder()
  const producer = p.topics.kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const device = p.devices[0]!
  const envelope = {
    eventId: deviceEventId(device.deviceId, 'r1'),
    schemaVersion: 1,
    type: 'device.telemetry',
    deviceId: device.deviceId,
    residentId: device.residentId,
    orgId: 'org-test',
    occurredAt: '2026-11-22T03:00:00.000Z',
    receivedAt: '2026-11-22T03:00:00.050Z',
    source: { mqttTopic: 'x', messageId: 'r1', seq: 1 },
    payload: { id: 'r1', ts: Date.parse('2026-11-22T03:00:00.000Z'), vitals: { heartRate: 64 } },
  }
  const value = JSON.stringify(envelope)
  await producer.send({ topic: p.topics.names.deviceTelemetry, messages: [{ key: device.deviceId, value }, { key: device.deviceId, value: 'not json' }] })
  await producer.send({ topic: p.topics.names.deviceTelemetry, messages: [{ key: device.deviceId, value }] })
  const letters = await readTopic(p.topics.kafka, p.topics.names.deadLetter, { until: m => m.length >= 1 })
  t.equal(letters.length, 1)
  const letter = deadLetterSchema.parse(JSON.parse(letters[0]!.value))
  t.equal(letter.reason, 'malformed_json')
  t.equal(letter.origin.kind, 'kafka')
  t.ok(await waitUntil(async () => (await count(p, 'vitals')) >= 1))
  await new Promise(r => setTimeout(r, 1000))
  t.equal(await count(p, 'vitals'), 1, 'the redelivered reading is stored once')
  const row = (await p.db.pool.query('SELECT heart_rate, resident_id FROM vitals')).rows[0]
  t.same(row, { heart_rate: 64, resident_id: device.residentId })
})

t.test('two ingestion instances split the device traffic through the shared subscription', async t => {
  const p = await pipeline(t, { devices: 4 })
  const first = await p.startIngestion('a')
  const second = await p.startIngestion('b')
  await p.startRecorder()
  const devices = await Promise.all(p.devices.map(d => p.device(d)))
  const N = 200
  await Promise.all(Array.from({ length: N }, (_, i) => devices[i % devices.length]!.sendTelemetry()))
  t.ok(await waitUntil(async () => (await count(p, 'vitals')) >= N, 20000))
  await new Promise(r => setTimeout(r, 500))
  t.equal(await count(p, 'vitals'), N, 'every message stored once, none by both instances')
  const accepted = async (service: typeof first) => {
    const metrics = (await service.http.inject({ url: '/metrics' })).body
    return Number(/anxin_ingestion_messages_total\{channel="telemetry",outcome="accepted"\} (\d+)/.exec(metrics)?.[1] ?? 0)
  }
  const [a, b] = [await accepted(first), await accepted(second)]
  t.equal(a + b, N)
  t.ok(a > 0 && b > 0, `both instances took a share (${a} and ${b})`)
})
