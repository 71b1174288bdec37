import t from 'tap'
import { deadLetterSchema } from '@anxin/contracts'
import { readTopic } from '@anxin/testing'
import { pipeline } from './pipeline.ts'

const BURST = 20

/**
 * The per-device rate limit on the real pipeline, with a small burst so a test can exhaust it: telemetry over
 * the limit is dead-lettered as `rate_limited` (and still PUBACKed, so the device does not resend it); events
 * have a bucket of their own; the alarm channel is never limited; other devices are not affected.
 */
t.test('a device over its telemetry limit is dead-lettered, while its SOS presses all go through', async t => {
  const p = await pipeline(t, { devices: 2 })
  // A refill this slow adds less than one token during the test, so the counts below are exact.
  Object.assign(p.ingestionEnv, { DEVICE_RATE_BURST: String(BURST), DEVICE_RATE_PER_SECOND: '0.01' })
  const ingestion = await p.startIngestion()
  const [noisy, quiet] = await Promise.all(p.devices.map(d => p.device(d)))

  const sent: string[] = []
  for (let i = 0; i < BURST + 10; i++) sent.push(await noisy!.sendTelemetry())
  t.equal(sent.length, BURST + 10, 'every publish was acknowledged by the broker (PUBACK), refused or not')

  const presses = []
  for (let i = 0; i < BURST + 5; i++) presses.push(await noisy!.pressSos({ type: i % 2 ? 'fall' : 'sos', maxAttempts: 3 }))
  t.same(new Set(presses.map(r => r.ack.status)), new Set(['accepted']), `all ${presses.length} alarms accepted, more than the burst, with telemetry over its limit`)
  t.ok(presses.every(r => r.attempts === 1), 'each at the first attempt')

  await noisy!.sendEvent('im_ok')
  await quiet!.sendTelemetry()

  const letters = (await readTopic(p.topics.kafka, p.topics.names.deadLetter, { until: m => m.length >= 10 })).map(m => deadLetterSchema.parse(JSON.parse(m.value)))
  t.equal(letters.length, 10, 'exactly the messages over the burst')
  t.ok(letters.every(l => l.reason === 'rate_limited' && l.deviceId === noisy!.deviceId), 'all rate_limited, all from the noisy device')
  t.same(letters.map(l => JSON.parse(Buffer.from(l.payloadBase64, 'base64').toString()).id), sent.slice(BURST), 'the last ten, kept whole')

  const telemetry = await readTopic(p.topics.kafka, p.topics.names.deviceTelemetry, { until: m => m.length >= BURST + 1 })
  t.equal(telemetry.filter(m => m.key === noisy!.deviceId).length, BURST, 'the burst went through')
  t.equal(telemetry.filter(m => m.key === quiet!.deviceId).length, 1, 'another device is not affected')
  const events = await readTopic(p.topics.kafka, p.topics.names.deviceEvent, { until: m => m.length >= 1 })
  t.equal(events.length, 1, 'the noisy device\'s "I\'m OK" has a bucket of its own')
  const alarms = await readTopic(p.topics.kafka, p.topics.names.deviceAlarm, { until: m => m.length >= presses.length })
  t.equal(alarms.length, presses.length, 'every alarm written')

  const metrics = (await ingestion.http.inject({ url: '/metrics' })).body
  t.match(metrics, /^anxin_ingestion_rate_limited_total\{channel="telemetry"\} 10$/m, 'counted')
  t.notMatch(metrics, /anxin_ingestion_rate_limited_total\{channel="event"\}/)
  t.match(metrics, /^anxin_ingestion_dead_letters_total\{reason="rate_limited"\} 10$/m)
})

t.test('the default limit takes a drop-out\'s catch-up burst whole', async t => {
  const p = await pipeline(t, { devices: 1 })
  const ingestion = await p.startIngestion()
  const device = await p.device(p.devices[0]!)
  // Twenty minutes of a watch reporting every 5 s, queued through a drop-out and sent at once on reconnecting.
  const queued = 240
  const start = Date.now() - 20 * 60_000
  await Promise.all(Array.from({ length: queued }, (_, i) => device.sendPrepared('telemetry', { id: `q-${i}`, seq: i + 1, ts: start + i * 5000, vitals: { heartRate: 70 } })))
  const telemetry = await readTopic(p.topics.kafka, p.topics.names.deviceTelemetry, { until: m => m.length >= queued })
  t.equal(telemetry.length, queued)
  t.notMatch((await ingestion.http.inject({ url: '/metrics' })).body, /anxin_ingestion_dead_letters_total\{/, 'nothing dead-lettered')
})
