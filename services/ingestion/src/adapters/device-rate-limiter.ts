import { isFullAgain, takeToken, type RateLimit, type TokenBucket } from '../domain/token-bucket.ts'

/** The channels a device's rate limit applies to. The alarm channel is deliberately not one of them. */
export type LimitedChannel = 'telemetry' | 'event'

export type RateDecision = { allowed: boolean; firstRefusal: boolean }

/**
 * Per-device token buckets (one per device and channel), held in this instance's memory. Kept local on
 * purpose: the check runs on every telemetry message, on an MQTT connection that handles its messages one at
 * a time, and a Redis round trip there would cap the whole telemetry lane; the limit's job is to stop one
 * runaway device from flooding the pipeline, which a per-instance limit still does. With N instances in the
 * shared subscription a device gets up to N times the limit (docs/device-security.md).
 *
 * Time is a monotonic clock (performance.now): the limit protects real resources, whatever clock the
 * platform stamps messages with.
 */
export class DeviceRateLimiter {
  private readonly buckets = new Map<string, TokenBucket & { refusing: boolean }>()
  private readonly limit: RateLimit
  private readonly now: () => number
  private sweeper: NodeJS.Timeout | null = null

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.limit = limit
    this.now = now
  }

  /** Forgets buckets that filled up again, so memory follows the devices that are busy now, not all ever seen. */
  start(sweepIntervalMs = 60_000): void {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs)
    this.sweeper.unref()
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper)
  }

  get size(): number {
    return this.buckets.size
  }

  /** `firstRefusal`: the first message refused after one was allowed, so a flood is logged once, not per message. */
  allow(deviceId: string, channel: LimitedChannel): RateDecision {
    const key = `${channel}:${deviceId}`
    const previous = this.buckets.get(key)
    const { allowed, bucket } = takeToken(previous, this.limit, this.now())
    const firstRefusal = !allowed && !previous?.refusing
    this.buckets.set(key, { ...bucket, refusing: !allowed })
    return { allowed, firstRefusal }
  }

  sweep(): void {
    const now = this.now()
    for (const [key, bucket] of this.buckets) if (isFullAgain(bucket, this.limit, now)) this.buckets.delete(key)
  }
}
