import t from 'tap'
import {
  confirmationOverdue,
  decideAfterAttempt,
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  type AttemptInput,
  type RetryPolicy,
} from '../../src/domain/delivery-retry.ts'

const P = DEFAULT_RETRY_POLICY
const NOW = '2025-06-01T12:00:00.000Z'
const NOW_MS = Date.parse(NOW)
const low = () => 0
const high = () => 0.999999
const mid = () => 0.5
const never = () => {
  throw new Error('random must not be called')
}
const attempt = (over: Partial<AttemptInput>): AttemptInput => ({
  attemptsMade: 1,
  outcome: 'sent',
  now: NOW,
  critical: false,
  fallbackStarted: false,
  ...over,
})
const plus = (ms: number) => new Date(NOW_MS + ms).toISOString()

t.test('DEFAULT_RETRY_POLICY', async t => {
  t.same(P, { maxAttempts: 5, baseDelayMs: 1000, factor: 2, maxDelayMs: 60_000, confirmSeconds: 300, confirmSecondsCritical: 60 })
})

t.test('retryDelayMs: exponential from the base, jittered between 50% and 100%', async t => {
  const expected = [1000, 2000, 4000, 8000, 16_000, 32_000]
  for (const [i, full] of expected.entries()) {
    const made = i + 1
    t.equal(retryDelayMs(made, P, low), full / 2, `after ${made}: lowest is half`)
    t.equal(retryDelayMs(made, P, high), full, `after ${made}: highest is the whole delay`)
    t.equal(retryDelayMs(made, P, mid), full * 0.75, `after ${made}: middle`)
  }
})

t.test('retryDelayMs: capped at maxDelayMs before jitter', async t => {
  t.equal(retryDelayMs(7, P, high), 60_000, '64 s capped to 60 s')
  t.equal(retryDelayMs(7, P, low), 30_000)
  t.equal(retryDelayMs(50, P, high), 60_000)
  t.equal(retryDelayMs(5000, P, mid), 45_000, 'factor^n overflowing to Infinity is still capped')
})

t.test('retryDelayMs: attemptsMade below 1 is read as 1', async t => {
  t.equal(retryDelayMs(0, P, high), 1000)
  t.equal(retryDelayMs(-3, P, high), 1000)
})

t.test('retryDelayMs: always within [50%, 100%] and whole milliseconds, for any random value', async t => {
  const policy: RetryPolicy = { ...P, baseDelayMs: 777, factor: 1.7 }
  let seed = 42
  const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let made = 1; made <= 12; made++) {
    const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (made - 1))
    for (let i = 0; i < 50; i++) {
      const d = retryDelayMs(made, policy, lcg)
      if (!(Number.isInteger(d) && d >= Math.floor(full / 2) && d <= Math.ceil(full))) t.fail(`after ${made}: ${d} outside [${full / 2}, ${full}]`)
    }
  }
  t.pass('every delay in bounds')
})

t.test('retryDelayMs: a broken random source cannot push the delay out of bounds', async t => {
  t.equal(retryDelayMs(1, P, () => -5), 500)
  t.equal(retryDelayMs(1, P, () => 7), 1000)
  t.equal(retryDelayMs(1, P, () => NaN), 1000)
  t.equal(retryDelayMs(1, P, () => Infinity), 1000)
})

t.test('retryDelayMs: jitter spreads retries of many deliveries', async t => {
  const values = new Set([0, 0.1, 0.3, 0.6, 0.9].map(r => retryDelayMs(3, P, () => r)))
  t.equal(values.size, 5)
})

t.test('delivered: done, no fallback, nothing to confirm', async t => {
  for (const critical of [true, false]) {
    for (const fallbackStarted of [true, false]) {
      t.same(decideAfterAttempt(attempt({ outcome: 'delivered', critical, fallbackStarted, attemptsMade: 3 }), P, never), {
        status: 'delivered',
        nextAttemptAt: null,
        confirmBy: null,
        startFallback: false,
      })
    }
  }
})

t.test('sent: waits for a confirmation, shorter when critical', async t => {
  t.same(decideAfterAttempt(attempt({ outcome: 'sent' }), P, never), {
    status: 'sent',
    nextAttemptAt: null,
    confirmBy: '2025-06-01T12:05:00.000Z',
    startFallback: false,
  })
  t.same(decideAfterAttempt(attempt({ outcome: 'sent', critical: true }), P, never), {
    status: 'sent',
    nextAttemptAt: null,
    confirmBy: '2025-06-01T12:01:00.000Z',
    startFallback: false,
  })
  const custom = { ...P, confirmSeconds: 10, confirmSecondsCritical: 3 }
  t.equal(decideAfterAttempt(attempt({ outcome: 'sent' }), custom, never).confirmBy, plus(10_000))
  t.equal(decideAfterAttempt(attempt({ outcome: 'sent', critical: true }), custom, never).confirmBy, plus(3000))
  const withOffset = decideAfterAttempt(attempt({ outcome: 'sent', now: '2025-06-01T20:00:00+08:00' }), P, never)
  t.equal(withOffset.confirmBy, '2025-06-01T12:05:00.000Z', 'now with an offset; confirmBy in UTC')
})

t.test('failed_retryable before maxAttempts: retry later and start the fallback now', async t => {
  const d = decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 1 }), P, high)
  t.same(d, { status: 'retrying', nextAttemptAt: plus(1000), confirmBy: null, startFallback: true })

  const third = decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 3 }), P, low)
  t.equal(third.nextAttemptAt, plus(2000), 'after three attempts: 4 s, jittered to half')

  const fourth = decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 4 }), P, mid)
  t.same(fourth, { status: 'retrying', nextAttemptAt: plus(6000), confirmBy: null, startFallback: true }, 'the last retry allowed')
})

t.test('failed_retryable: the fallback is started once only', async t => {
  const d = decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 2, fallbackStarted: true }), P, high)
  t.same(d, { status: 'retrying', nextAttemptAt: plus(2000), confirmBy: null, startFallback: false })
})

t.test('failed_retryable at maxAttempts: failed', async t => {
  t.same(decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 5 }), P, never), {
    status: 'failed',
    nextAttemptAt: null,
    confirmBy: null,
    startFallback: true,
  })
  t.same(decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 6, fallbackStarted: true }), P, never), {
    status: 'failed',
    nextAttemptAt: null,
    confirmBy: null,
    startFallback: false,
  })
  const once = { ...P, maxAttempts: 1 }
  t.equal(decideAfterAttempt(attempt({ outcome: 'failed_retryable', attemptsMade: 1 }), once, never).status, 'failed', 'maxAttempts 1: no retry')
})

t.test('failed_permanent: failed at once, whatever the attempt count', async t => {
  for (const attemptsMade of [1, 2, 5]) {
    t.same(decideAfterAttempt(attempt({ outcome: 'failed_permanent', attemptsMade }), P, never), {
      status: 'failed',
      nextAttemptAt: null,
      confirmBy: null,
      startFallback: true,
    })
    t.equal(decideAfterAttempt(attempt({ outcome: 'failed_permanent', attemptsMade, fallbackStarted: true }), P, never).startFallback, false)
  }
})

t.test('critical does not change retrying or failing', async t => {
  t.same(
    decideAfterAttempt(attempt({ outcome: 'failed_retryable', critical: true, attemptsMade: 2 }), P, high),
    decideAfterAttempt(attempt({ outcome: 'failed_retryable', critical: false, attemptsMade: 2 }), P, high),
  )
  t.same(
    decideAfterAttempt(attempt({ outcome: 'failed_permanent', critical: true }), P, never),
    decideAfterAttempt(attempt({ outcome: 'failed_permanent', critical: false }), P, never),
  )
})

t.test('decideAfterAttempt: a bad now or outcome throws', async t => {
  t.throws(() => decideAfterAttempt(attempt({ now: 'soon' }), P, never), RangeError)
  t.throws(() => decideAfterAttempt(attempt({ now: '2025-06-01T12:00:00' }), P, never), RangeError, 'no offset')
  t.throws(() => decideAfterAttempt(attempt({ outcome: 'bounced' as AttemptInput['outcome'] }), P, never), RangeError)
})

t.test('confirmationOverdue', async t => {
  const by = '2025-06-01T12:05:00.000Z'
  t.equal(confirmationOverdue(by, null, '2025-06-01T12:04:59.999Z'), false, 'before the deadline')
  t.equal(confirmationOverdue(by, null, by), true, 'exactly at the deadline: overdue')
  t.equal(confirmationOverdue(by, null, '2025-06-01T12:06:00.000Z'), true, 'after the deadline')
  t.equal(confirmationOverdue(by, '2025-06-01T12:01:00.000Z', '2025-06-01T12:06:00.000Z'), false, 'confirmed in time')
  t.equal(confirmationOverdue(by, '2025-06-01T12:10:00.000Z', '2025-06-01T12:11:00.000Z'), false, 'confirmed late: settled anyway')
  t.equal(confirmationOverdue(null, null, '2030-01-01T00:00:00.000Z'), false, 'no deadline (delivered, failed)')
  t.equal(confirmationOverdue('2025-06-01T20:05:00+08:00', null, by), true, 'offsets compared as instants')
  t.throws(() => confirmationOverdue(by, null, 'now'), RangeError)
  t.throws(() => confirmationOverdue('later', null, by), RangeError)
})

t.test('a sent decision becomes overdue exactly at its confirmBy', async t => {
  const d = decideAfterAttempt(attempt({ outcome: 'sent', critical: true }), P, never)
  t.equal(confirmationOverdue(d.confirmBy, null, plus(59_999)), false)
  t.equal(confirmationOverdue(d.confirmBy, null, plus(60_000)), true)
})
