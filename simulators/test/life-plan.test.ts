import t from 'tap'
import { alarmMessageSchema, deviceEventMessageSchema, telemetryMessageSchema } from '@anxin/contracts'
import { planLife } from '../src/index.ts'
import { DAY_MS, DAY_ONE, days, homeDevices, resident } from './life-fixtures.ts'

const schemas = { telemetry: telemetryMessageSchema, event: deviceEventMessageSchema, alarm: alarmMessageSchema }

t.test('the same seed gives the same stream; another seed another one', async t => {
  const profile = resident('R-det', ['diabetes', 'dementia'])
  const a = days(2, { profile, seed: 42, rates: 'demo' })
  const b = days(2, { profile, seed: 42, rates: 'demo' })
  t.ok(a.length > 1000)
  t.same(a, b)
  t.not(JSON.stringify(days(2, { profile, seed: 43, rates: 'demo' })), JSON.stringify(a))
})

t.test('every payload validates against the device contracts, and the stream is in time order', async t => {
  const profile = resident('R-valid', ['hypertension', 'diabetes', 'copd', 'heart_failure', 'parkinson', 'frailty', 'dementia'], 91)
  const messages = days(3, { profile, rates: 'demo' })
  const channels = new Set<string>()
  let invalid = 0
  for (const [i, message] of messages.entries()) {
    channels.add(message.channel)
    const parsed = schemas[message.channel].safeParse(message.payload)
    if (!parsed.success && invalid++ < 3) t.fail(`${message.channel} ${JSON.stringify(message.payload)}: ${JSON.stringify(parsed.error.issues)}`)
    if (i > 0 && message.at < messages[i - 1]!.at) t.fail(`out of order at ${i}`)
  }
  t.equal(invalid, 0)
  t.same([...channels].sort(), ['alarm', 'event', 'telemetry'])
})

t.test('sequence numbers rise by one per device and ids are unique', async t => {
  const messages = days(2, { profile: resident('R-seq'), rates: 'demo' })
  const last = new Map<string, number>()
  const gaps: string[] = []
  for (const m of messages) {
    if (m.payload.seq !== (last.get(m.deviceId) ?? 0) + 1) gaps.push(`${m.deviceId} ${last.get(m.deviceId)} -> ${m.payload.seq}`)
    last.set(m.deviceId, m.payload.seq!)
  }
  t.same(gaps, [])
  t.equal(new Set(messages.map(m => `${m.deviceId}/${m.payload.id}`)).size, messages.length)
})

t.test('a device whose clock is off stamps its messages with the error; the others do not', async t => {
  const devices = [{ id: 'SKW', type: 'watch' as const, clockSkewS: -95 }, { id: 'OKW', type: 'sos_pendant' as const, clockSkewS: 0 }]
  const messages = planLife({ profile: resident('R-skew'), devices, seed: 3, from: DAY_ONE, to: DAY_ONE + DAY_MS })
  const skewed = messages.filter(m => m.deviceId === 'SKW')
  const exact = messages.filter(m => m.deviceId === 'OKW')
  t.ok(skewed.length > 0 && exact.length > 0)
  t.ok(skewed.every(m => m.payload.ts === m.at - 95_000))
  t.ok(exact.every(m => m.payload.ts === m.at))
})

t.test('a span that starts mid-day yields only messages inside it', async t => {
  const from = DAY_ONE + 10.25 * 3_600_000
  const to = from + 2 * 3_600_000
  const messages = planLife({ profile: resident('R-span'), devices: homeDevices('X'), seed: 5, from, to, rates: 'demo' })
  t.ok(messages.length > 0)
  t.ok(messages.every(m => m.at >= from && m.at < to))
})
