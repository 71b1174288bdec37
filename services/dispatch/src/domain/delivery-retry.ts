/**
 * What to do with one delivery (one channel, one recipient) after an attempt. Pure: the time is an argument
 * (an ISO instant with an offset) and randomness a function like Math.random.
 *
 * Rules:
 *
 * - delivered: done. Nothing to wait for, no fallback.
 * - sent: the provider took it but nobody has confirmed yet; confirmBy = now + confirmSeconds (critical:
 *   confirmSecondsCritical). If nobody confirms by then (confirmationOverdue) the caller starts the fallback.
 * - failed_retryable before maxAttempts: retrying at now + retryDelayMs, and the fallback starts now unless it
 *   already has: a failing provider must not delay reaching the person, so the next channel starts at once
 *   while this one keeps retrying.
 * - failed_retryable at maxAttempts, or failed_permanent: failed; the fallback starts unless it already has.
 *
 * Backoff: exponential (baseDelayMs × factor^(attemptsMade − 1), capped at maxDelayMs) with jitter between 50%
 * and 100% of that delay, so when a provider comes back it is not hit by every delivery's retry at once, yet
 * no retry comes sooner than half the planned delay.
 */

export type AttemptOutcome = 'sent' | 'delivered' | 'failed_retryable' | 'failed_permanent'

export type RetryPolicy = {
  /** Attempts in all, the first included. */
  maxAttempts: number
  baseDelayMs: number
  factor: number
  maxDelayMs: number
  /** How long a 'sent' delivery may stay unconfirmed before the fallback starts. */
  confirmSeconds: number
  confirmSecondsCritical: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  factor: 2,
  maxDelayMs: 60_000,
  confirmSeconds: 300,
  confirmSecondsCritical: 60,
}

export type DeliveryDecision = {
  status: 'sent' | 'delivered' | 'retrying' | 'failed'
  nextAttemptAt: string | null
  confirmBy: string | null
  startFallback: boolean
}

export type AttemptInput = {
  /** Attempts made so far, the one just finished included (1 after the first attempt). */
  attemptsMade: number
  outcome: AttemptOutcome
  now: string
  critical: boolean
  fallbackStarted: boolean
}

/** The wait before the next attempt, after `attemptsMade` attempts (see the header). Whole milliseconds. */
export function retryDelayMs(attemptsMade: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.max(0, attemptsMade - 1)
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** exponent)
  const r = random()
  // A random source outside [0, 1) is a bug elsewhere; keep the delay within its bounds regardless.
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 1
  return Math.round(capped * (0.5 + 0.5 * unit))
}

export function decideAfterAttempt(input: AttemptInput, policy: RetryPolicy, random: () => number): DeliveryDecision {
  const now = parseInstant(input.now, 'now')
  switch (input.outcome) {
    case 'delivered':
      return { status: 'delivered', nextAttemptAt: null, confirmBy: null, startFallback: false }
    case 'sent': {
      const seconds = input.critical ? policy.confirmSecondsCritical : policy.confirmSeconds
      return { status: 'sent', nextAttemptAt: null, confirmBy: iso(now + seconds * 1000), startFallback: false }
    }
    case 'failed_retryable':
      if (input.attemptsMade < policy.maxAttempts) {
        const next = iso(now + retryDelayMs(input.attemptsMade, policy, random))
        return { status: 'retrying', nextAttemptAt: next, confirmBy: null, startFallback: !input.fallbackStarted }
      }
      return { status: 'failed', nextAttemptAt: null, confirmBy: null, startFallback: !input.fallbackStarted }
    case 'failed_permanent':
      return { status: 'failed', nextAttemptAt: null, confirmBy: null, startFallback: !input.fallbackStarted }
    default:
      throw new RangeError(`unknown attempt outcome ${JSON.stringify(input.outcome satisfies never)}`)
  }
}

/**
 * True when a 'sent' delivery was not confirmed in time: `now` is at or past confirmBy and nobody confirmed.
 * A confirmation at any time (even late) settles it; no deadline (null) is never overdue.
 */
export function confirmationOverdue(confirmBy: string | null, confirmedAt: string | null, now: string): boolean {
  const at = parseInstant(now, 'now')
  if (confirmBy === null || confirmedAt !== null) return false
  return at >= parseInstant(confirmBy, 'confirmBy')
}

// An ISO string without an offset would be read in the process's own zone: a hidden input, so it is refused.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

function parseInstant(value: string, what: string): number {
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) ? Date.parse(value) : NaN
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be an ISO instant with an offset, got ${JSON.stringify(value)}`)
  return ms
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
