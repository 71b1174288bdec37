/**
 * Token-bucket arithmetic for a device's message rate: `burst` tokens at most, refilled at
 * `messagesPerSecond`; a message takes one token or is refused. Pure: the caller supplies the time.
 */
export type RateLimit = { messagesPerSecond: number; burst: number }

/** Tokens left at the moment `atMs` (milliseconds on any monotonic clock). */
export type TokenBucket = { tokens: number; atMs: number }

export function fullBucket(limit: RateLimit, nowMs: number): TokenBucket {
  return { tokens: limit.burst, atMs: nowMs }
}

/** The bucket refilled up to `nowMs`. A clock that went backwards refills nothing rather than draining. */
export function refill(bucket: TokenBucket, limit: RateLimit, nowMs: number): TokenBucket {
  const elapsedMs = Math.max(0, nowMs - bucket.atMs)
  return { tokens: Math.min(limit.burst, bucket.tokens + (elapsedMs / 1000) * limit.messagesPerSecond), atMs: Math.max(nowMs, bucket.atMs) }
}

/** Takes one token for a message: allowed, or refused when less than one token is left. */
export function takeToken(bucket: TokenBucket | undefined, limit: RateLimit, nowMs: number): { allowed: boolean; bucket: TokenBucket } {
  const current = bucket ? refill(bucket, limit, nowMs) : fullBucket(limit, nowMs)
  if (current.tokens < 1) return { allowed: false, bucket: current }
  return { allowed: true, bucket: { tokens: current.tokens - 1, atMs: current.atMs } }
}

/** A bucket that is full again is the same as no bucket: it can be forgotten. */
export function isFullAgain(bucket: TokenBucket, limit: RateLimit, nowMs: number): boolean {
  return refill(bucket, limit, nowMs).tokens >= limit.burst
}
