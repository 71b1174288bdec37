import t from 'tap'
import { DeviceRateLimiter } from '../../src/adapters/device-rate-limiter.ts'

t.test('each device and channel has its own bucket; a flood is reported once', async t => {
  let now = 0
  const limiter = new DeviceRateLimiter({ messagesPerSecond: 1, burst: 3 }, () => now)
  const decisions = Array.from({ length: 5 }, () => limiter.allow('W1', 'telemetry'))
  t.same(decisions.map(d => d.allowed), [true, true, true, false, false])
  t.same(decisions.map(d => d.firstRefusal), [false, false, false, true, false], 'only the first refusal of a run is flagged')
  t.equal(limiter.allow('W1', 'event').allowed, true, 'a telemetry flood does not use up the device\'s events')
  t.equal(limiter.allow('W2', 'telemetry').allowed, true, 'nor another device\'s telemetry')
  now = 1000
  t.same(limiter.allow('W1', 'telemetry'), { allowed: true, firstRefusal: false }, 'a second later, one more')
  t.same(limiter.allow('W1', 'telemetry'), { allowed: false, firstRefusal: true }, 'a new run of refusals is flagged again')
})

t.test('buckets that filled up again are forgotten', async t => {
  let now = 0
  const limiter = new DeviceRateLimiter({ messagesPerSecond: 10, burst: 10 }, () => now)
  limiter.allow('W1', 'telemetry')
  for (let i = 0; i < 10; i++) limiter.allow('W2', 'telemetry')
  now = 500
  limiter.sweep()
  t.equal(limiter.size, 1, 'W1 (1 token short, refilled after 0.1 s) is gone; W2 (10 short) is still refilling')
  now = 1000
  limiter.sweep()
  t.equal(limiter.size, 0)
})
