import t from 'tap'
import { telemetryMessageSchema } from '@anxin/contracts'
import { DEFAULT_BASELINE, nextReading, seededRandom } from '../src/index.ts'

t.test('readings are deterministic with a seed and always valid telemetry', async t => {
  const at = new Date('2026-11-22T03:00:00Z')
  const a = seededRandom(7)
  const b = seededRandom(7)
  for (let i = 0; i < 500; i++) {
    const reading = nextReading(a, DEFAULT_BASELINE, at, 80)
    t.same(reading, nextReading(b, DEFAULT_BASELINE, at, 80))
    const parsed = telemetryMessageSchema.safeParse({ id: `m${i}`, ts: at.getTime(), ...reading })
    if (!parsed.success) t.fail(`reading ${i} is not valid telemetry: ${JSON.stringify(parsed.error.issues)}`)
  }
  t.not(JSON.stringify(nextReading(seededRandom(1), DEFAULT_BASELINE, at, 80)), JSON.stringify(nextReading(seededRandom(2), DEFAULT_BASELINE, at, 80)))
})

t.test('heart rate follows the day: lower at night', async t => {
  const random = seededRandom(3)
  const mean = (hourUtc: number) => {
    let sum = 0
    for (let i = 0; i < 200; i++) sum += nextReading(random, DEFAULT_BASELINE, new Date(Date.UTC(2026, 10, 22, hourUtc)), 80).vitals.heartRate!
    return sum / 200
  }
  // 18:00 UTC is 02:00 in Shanghai; 04:00 UTC is noon.
  t.ok(mean(18) < mean(4) - 5)
})
