import t from 'tap'
import { fullBucket, isFullAgain, takeToken, type RateLimit, type TokenBucket } from '../../src/domain/token-bucket.ts'

const limit: RateLimit = { messagesPerSecond: 2, burst: 5 }

/** Takes `n` tokens at the same moment; returns how many were allowed and the bucket after. */
function takeMany(bucket: TokenBucket | undefined, n: number, nowMs: number) {
  let allowed = 0
  let current = bucket
  for (let i = 0; i < n; i++) {
    const result = takeToken(current, limit, nowMs)
    if (result.allowed) allowed++
    current = result.bucket
  }
  return { allowed, bucket: current! }
}

t.test('a new device may send a whole burst at once, and no more', async t => {
  const { allowed } = takeMany(undefined, 8, 1000)
  t.equal(allowed, 5)
})

t.test('tokens come back at the configured rate, never beyond the burst', async t => {
  const drained = takeMany(undefined, 5, 0).bucket
  t.equal(takeToken(drained, limit, 0).allowed, false, 'empty')
  t.equal(takeToken(drained, limit, 499).allowed, false, 'less than one token after 0.499 s at 2/s')
  t.equal(takeToken(drained, limit, 500).allowed, true, 'one token after 0.5 s')
  t.equal(takeMany(drained, 10, 1500).allowed, 3, 'three tokens after 1.5 s')
  t.equal(takeMany(drained, 10, 3_600_000).allowed, 5, 'an hour later: a full burst, not 7200')
})

t.test('a clock going backwards neither refills nor drains', async t => {
  const drained = takeMany(undefined, 5, 10_000).bucket
  t.equal(takeToken(drained, limit, 5_000).allowed, false)
  t.equal(takeToken(drained, limit, 10_500).allowed, true, 'and the bucket refills from its own latest time')
})

t.test('a bucket full again can be forgotten; one still refilling cannot', async t => {
  const drained = takeMany(fullBucket(limit, 0), 5, 0).bucket
  t.equal(isFullAgain(drained, limit, 2000), false)
  t.equal(isFullAgain(drained, limit, 2500), true)
})
