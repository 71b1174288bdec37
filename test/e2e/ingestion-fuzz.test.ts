import t from 'tap'
import fc from 'fast-check'
import {
  DEAD_LETTER_REASONS,
  UPLINK_CHANNELS,
  deadLetterSchema,
  deviceEnvelopeSchema,
  mqttTopics,
  type UplinkChannel,
} from '@anxin/contracts'
import { freePort } from '@anxin/infra/stack'
import { FUZZ_SEED, deviceTimeArb, fuzzPayloadArb, readTopic, startServiceProcess, waitUntil, type FixtureDevice, type MessageOptions } from '@anxin/testing'
import { loadIngestionConfig } from '../../services/ingestion/src/config.ts'
import { classifyUplink } from '../../services/ingestion/src/domain/classify-uplink.ts'
import type { RegisteredDevice } from '../../services/ingestion/src/domain/registered-device.ts'
import { pipeline } from './pipeline.ts'

/**
 * Fuzzes the MQTT ingestion path of a real ingestion process (so a crash shows as an exit) with a few
 * thousand random, mutated and valid payloads from devices that are bound, unbound and unknown, then
 * reconciles every message: each is either on its device topic or dead-lettered with a reason and its bytes.
 * The expected outcome of each message comes from the pure classifier (property-tested on its own in
 * services/ingestion/test/unit/fuzz-classify-uplink.test.ts); what this test proves is that the running
 * service does exactly that for every message, loses none, writes none twice and stays up.
 */

const PER_BOUND_DEVICE_AND_CHANNEL = 350
const PER_OTHER_DEVICE_AND_CHANNEL = 40

type Published = { deviceId: string; channel: UplinkChannel; topic: string; bytes: Buffer; mutation: string }

/**
 * Device times well inside the clock window around `now` (minutes of margin, so the time between generating and
 * receiving cannot tip one over an edge), and some far outside it. No sequence numbers: replay detection
 * judges them against what the device sent earlier, across channels handled in parallel, which no per-message
 * oracle can predict (it has tests of its own).
 */
function messageOptions(now: number, window: { maxAheadMs: number; maxBehindMs: number }): MessageOptions {
  const margin = 5 * 60000
  const year = 365 * 86400000
  return {
    seq: false,
    time: fc.oneof(
      { arbitrary: deviceTimeArb(now - window.maxBehindMs + margin, now + window.maxAheadMs - margin), weight: 8 },
      { arbitrary: deviceTimeArb(now - 20 * year, now - window.maxBehindMs - margin), weight: 1 },
      { arbitrary: deviceTimeArb(now + window.maxAheadMs + margin, now + 20 * year), weight: 1 },
    ),
  }
}

/** Payloads for one device and channel, from a seed of their own so each run publishes the same messages. */
function payloadsFor(deviceId: string, channel: UplinkChannel, count: number, seed: number, options: MessageOptions): Published[] {
  return fc.sample(fuzzPayloadArb(channel, options), { numRuns: count, seed }).map((payload, i) => {
    let bytes = payload.bytes
    // A valid message gets an id of its own, so every valid SOS is a new alarm rather than a retry of another.
    if (payload.mutation === 'valid') bytes = Buffer.from(JSON.stringify({ ...JSON.parse(bytes.toString()), id: `fz-${channel}-${i}` }))
    return { deviceId, channel, topic: mqttTopics.uplink(deviceId, channel), bytes, mutation: payload.mutation }
  })
}

const topicOf = { telemetry: 'deviceTelemetry', event: 'deviceEvent', alarm: 'deviceAlarm' } as const

t.test('thousands of random and mutated device payloads: ingestion stays up and accounts for every one', async t => {
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
  const p = await pipeline(t, { devices: 3 })
  const httpPort = await freePort()
  // The rate limit is lifted: its refusals depend on timing, not on the message (device-rate-limiter has its tests).
  const env = { ...p.ingestionEnv, HTTP_PORT: String(httpPort), DEVICE_RATE_BURST: '1000000' }
  const config = loadIngestionConfig(env)
  const clockWindow = { maxAheadMs: config.DEVICE_CLOCK_MAX_AHEAD_SECONDS * 1000, maxBehindMs: config.DEVICE_CLOCK_MAX_BEHIND_SECONDS * 1000 }
  const options = messageOptions(Date.now(), clockWindow)
  const ingestion = await startServiceProcess('services/ingestion/src/main.ts', env, 'ingestion started', 30000)
  let exit: string | null = null
  ingestion.once('exit', (code, signal) => (exit = `exit code ${code}, signal ${signal}`))
  t.teardown(() => void ingestion.kill('SIGKILL'))
  const live = async () => (await fetch(`http://127.0.0.1:${httpPort}/health/live`).catch(() => null))?.status === 200
  t.ok(await waitUntil(live, 10000), 'ingestion answers /health/live before the fuzz')
  t.comment(`stack and ingestion ready after ${elapsed()}`)

  // The registry as ingestion sees it: bound devices, one registered but bound to nobody, one it has never heard of.
  const registry = new Map<string, RegisteredDevice | null>()
  for (const d of p.devices) registry.set(d.deviceId, { deviceId: d.deviceId, orgId: 'org-test', status: 'active', residentId: d.residentId })
  const unbound = p.unboundDevices[0]!
  registry.set(unbound.deviceId, { deviceId: unbound.deviceId, orgId: 'org-test', status: 'active', residentId: null })
  registry.set(p.strangerDevice.deviceId, null)

  const senders: Array<{ fixture: FixtureDevice; perChannel: number }> = [
    ...p.devices.map(fixture => ({ fixture, perChannel: PER_BOUND_DEVICE_AND_CHANNEL })),
    { fixture: unbound, perChannel: PER_OTHER_DEVICE_AND_CHANNEL },
    { fixture: p.strangerDevice, perChannel: PER_OTHER_DEVICE_AND_CHANNEL },
  ]
  const published: Published[] = []
  const publishing = senders.map(async ({ fixture, perChannel }, d) => {
    const device = await p.device(fixture)
    const byChannel = UPLINK_CHANNELS.map((channel, c) => payloadsFor(fixture.deviceId, channel, perChannel, FUZZ_SEED + d * 10 + c, options))
    // The channels interleaved, as a device sends them; published in chunks so the client has a bounded number in flight.
    const mine = byChannel[0]!.flatMap((_, i) => byChannel.map(payloads => payloads[i]!))
    for (let i = 0; i < mine.length; i += 100) {
      const chunk = mine.slice(i, i + 100)
      await Promise.all(chunk.map(m => device.publishRaw(m.channel, m.bytes)))
      published.push(...chunk)
    }
    return device
  })
  const devices = await Promise.all(publishing)
  t.comment(`published ${published.length} payloads after ${elapsed()} (seed ${FUZZ_SEED}; replay with FUZZ_SEED=${FUZZ_SEED})`)
  const handled = async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()
    return [...metrics.matchAll(/^anxin_ingestion_messages_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0)
  }
  t.ok(await waitUntil(async () => (await handled()) >= published.length, 45000, 250), 'ingestion has handled every message')
  t.comment(`all handled after ${elapsed()}`)

  // What each message must become, by the classifier ingestion runs.
  const expectedLetters = new Map<string, number>()
  const expectedEnvelopes = { telemetry: new Map<string, number>(), event: new Map<string, number>(), alarm: new Map<string, number>() }
  const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1)
  for (const m of published) {
    const result = classifyUplink({ topic: m.topic, deviceId: m.deviceId, channel: m.channel, payload: m.bytes, device: registry.get(m.deviceId) ?? null, receivedAt: new Date(), clockWindow })
    if (result.kind === 'rejected') bump(expectedLetters, letterKey(m.topic, m.bytes.toString('base64'), result.reason))
    else bump(expectedEnvelopes[m.channel], envelopeKey(m.channel, result.envelope.eventId, result.envelope.source.mqttTopic, result.envelope.payload))
  }
  const eventIdOf = (key: string) => key.split('|')[1]!
  const uniqueAlarms = new Set([...expectedEnvelopes.alarm.keys()].map(eventIdOf)).size
  const acceptedAlarms = [...expectedEnvelopes.alarm.values()].reduce((a, b) => a + b, 0)
  const duplicates = acceptedAlarms - uniqueAlarms
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  const expectedLetterCount = total(expectedLetters)
  t.comment(`expected: ${total(expectedEnvelopes.telemetry)} telemetry, ${total(expectedEnvelopes.event)} events, ${uniqueAlarms} alarms (+${duplicates} duplicates), ${expectedLetterCount} dead letters`)
  t.ok(uniqueAlarms > 50 && total(expectedEnvelopes.telemetry) > 50 && expectedLetterCount > 500, 'the mix has plenty of both valid and broken messages')

  const names = p.topics.names
  const [letters, telemetry, events, alarms] = await Promise.all([
    readTopic(p.topics.kafka, names.deadLetter, { until: m => m.length >= expectedLetterCount, timeoutMs: 45000, settleMs: 1500 }),
    readTopic(p.topics.kafka, names.deviceTelemetry, { until: m => m.length >= total(expectedEnvelopes.telemetry), timeoutMs: 45000, settleMs: 1500 }),
    readTopic(p.topics.kafka, names.deviceEvent, { until: m => m.length >= total(expectedEnvelopes.event), timeoutMs: 45000, settleMs: 1500 }),
    readTopic(p.topics.kafka, names.deviceAlarm, { until: m => m.length >= uniqueAlarms, timeoutMs: 45000, settleMs: 1500 }),
  ])

  t.comment(`topics read after ${elapsed()}`)
  // Dead letters: each valid against the contract, with a known reason, an explanation and the original bytes.
  const gotLetters = new Map<string, number>()
  let badLetters = 0
  for (const record of letters) {
    const parsed = deadLetterSchema.safeParse(JSON.parse(record.value))
    if (!parsed.success || !(DEAD_LETTER_REASONS as readonly string[]).includes(parsed.data.reason) || parsed.data.detail.trim() === '' || parsed.data.origin.kind !== 'mqtt') {
      badLetters++
      continue
    }
    const letter = parsed.data
    if (Buffer.from(letter.payloadBase64, 'base64').length !== letter.payloadBytes) badLetters++
    bump(gotLetters, letterKey(letter.origin.topic, letter.payloadBase64, letter.reason))
  }
  t.equal(badLetters, 0, 'every dead letter satisfies the contract, with a known reason, a detail and its bytes whole')
  t.same(difference(expectedLetters, gotLetters), { missing: [], unexpected: [] }, 'exactly the rejected messages are dead-lettered, each once, with the expected reason and its original bytes')

  for (const [channel, records] of [['telemetry', telemetry], ['event', events], ['alarm', alarms]] as const) {
    const got = new Map<string, number>()
    let invalid = 0
    for (const record of records) {
      const parsed = deviceEnvelopeSchema.safeParse(JSON.parse(record.value))
      if (!parsed.success || parsed.data.type !== `device.${channel}`) {
        invalid++
        continue
      }
      bump(got, envelopeKey(channel, parsed.data.eventId, parsed.data.source.mqttTopic, parsed.data.payload))
    }
    t.equal(invalid, 0, `every ${topicOf[channel]} record is a valid envelope`)
    if (channel === 'alarm') {
      // Alarms are deduplicated by event id: each accepted alarm once, however many times its id came in.
      // got's keys are distinct, so compare the records themselves: one per event id.
      const written = records.map(r => JSON.parse(r.value).eventId as string).sort()
      t.same(written, [...new Set([...expectedEnvelopes.alarm.keys()].map(eventIdOf))].sort(), 'each accepted alarm is on the urgent topic exactly once')
    } else {
      t.same(difference(expectedEnvelopes[channel], got), { missing: [], unexpected: [] }, `exactly the accepted ${channel} messages reach ${topicOf[channel]}`)
    }
  }
  const accountedFor = total(gotLetters) + telemetry.length + events.length + alarms.length + duplicates
  t.equal(accountedFor, published.length, `published ${published.length} = dead-lettered ${total(gotLetters)} + accepted ${telemetry.length + events.length + alarms.length} + duplicate alarms ${duplicates}`)

  // Every accepted SOS or fall was acknowledged to its device.
  const acceptedAcks = () => devices.flatMap(d => d.acks).filter(a => a.status === 'accepted').length
  await waitUntil(() => acceptedAcks() >= uniqueAlarms, 15000)
  t.equal(acceptedAcks(), uniqueAlarms, 'each new alarm got one application-level acknowledgement `accepted`')

  t.equal(exit, null, 'the ingestion process is still running')
  t.ok(await live(), 'and answers /health/live')
  const sos = await devices[0]!.pressSos({ maxAttempts: 5 })
  t.equal(sos.ack.status, 'accepted', 'a real SOS pressed after the fuzz is accepted')
})

function letterKey(topic: string, base64: string, reason: string): string {
  return `${topic}|${base64}|${reason}`
}

function envelopeKey(channel: UplinkChannel, eventId: string, topic: string, payload: unknown): string {
  return `${channel}|${eventId}|${topic}|${JSON.stringify(payload)}`
}

/** What one multiset has that the other lacks, shortened for the report. */
function difference(expected: Map<string, number>, got: Map<string, number>): { missing: string[]; unexpected: string[] } {
  const missing: string[] = []
  const unexpected: string[] = []
  for (const [key, n] of expected) for (let i = got.get(key) ?? 0; i < n; i++) missing.push(key.slice(0, 200))
  for (const [key, n] of got) for (let i = expected.get(key) ?? 0; i < n; i++) unexpected.push(key.slice(0, 200))
  return { missing: missing.slice(0, 10), unexpected: unexpected.slice(0, 10) }
}
