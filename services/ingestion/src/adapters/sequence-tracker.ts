import type { Redis } from 'ioredis'
import type { Logger } from '@anxin/logging'
import { judgeSequence, mergeSequenceState, type SequenceState, type SequenceVerdict } from '../domain/replay-check.ts'

type Entry = { state: SequenceState | null }

export type SequenceTrackerOptions = {
  keyPrefix: string
  /** See domain/replay-check.ts. */
  windowMs: number
  logger: Logger
  /** How often what this instance learnt is merged into Redis (and what other instances learnt comes back). */
  flushIntervalMs?: number
  /** Longer than the oldest device time accepted at all: beyond that the clock window refuses a replay anyway. */
  ttlSeconds?: number
  /** Devices remembered in memory; the least recently seen are forgotten first (Redis still has them). */
  maxDevices?: number
}

/** Keeps the highest of each field: two instances (or an instance and its own earlier write) never go back. */
const MERGE_SCRIPT = `
local s = tonumber(redis.call('HGET', KEYS[1], 's') or '-1')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
s = math.max(s, tonumber(ARGV[1]))
t = math.max(t, tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 's', s, 't', t)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {s, t}`

/**
 * Each device's highest sequence number and newest device time (domain/replay-check.ts), shared between
 * ingestion instances and restarts through Redis under the instance's key prefix.
 *
 * The check itself reads memory only: telemetry arrives one message at a time per MQTT connection, so a
 * Redis round trip per message would cap the lane. Redis is read once per device (when first seen by this
 * instance) and written behind, every `flushIntervalMs`, with a merge that keeps the highest values. Redis
 * being down never blocks a message: the check then works from what this instance knows (fail open), and
 * the state is merged once Redis is back.
 */
export class SequenceTracker {
  private readonly entries = new Map<string, Entry>()
  /** Devices whose state changed since the last merge into Redis. */
  private readonly dirty = new Set<string>()
  private readonly loading = new Map<string, Promise<Entry>>()
  private readonly options: Required<SequenceTrackerOptions>
  private readonly prefix: string
  private readonly redis: Redis
  private readonly log: Logger
  private flusher: NodeJS.Timeout | null = null
  private flushing: Promise<void> | null = null
  private redisFailing = false

  constructor(redis: Redis, options: SequenceTrackerOptions) {
    this.redis = redis
    this.options = { flushIntervalMs: 1000, ttlSeconds: 8 * 24 * 3600, maxDevices: 500_000, ...options }
    this.prefix = `${options.keyPrefix}ingestion:seq:`
    this.log = options.logger.child({ component: 'sequence-tracker' })
  }

  start(): void {
    this.flusher = setInterval(() => void this.flush(), this.options.flushIntervalMs)
    this.flusher.unref()
  }

  /** Writes what is still unwritten (best effort: Redis may be down) and stops. */
  async stop(): Promise<void> {
    if (this.flusher) clearInterval(this.flusher)
    await this.flush()
  }

  /** Devices held in memory now. */
  get size(): number {
    return this.entries.size
  }

  /** Judges one telemetry or event message and, when it is not a replay, remembers it. */
  async check(deviceId: string, message: { seq: number; ts: number }): Promise<SequenceVerdict> {
    const entry = this.entries.get(deviceId) ?? (await this.load(deviceId))
    const verdict = judgeSequence(entry.state, message, this.options.windowMs)
    if (!verdict.replayed && (entry.state?.maxSeq !== verdict.next.maxSeq || entry.state?.newestTs !== verdict.next.newestTs)) {
      entry.state = verdict.next
      this.dirty.add(deviceId)
    }
    // Map order is insertion order: moving the device to the end keeps the least recently seen first.
    this.entries.delete(deviceId)
    this.entries.set(deviceId, entry)
    return verdict
  }

  /** Merges every changed device into Redis and takes back the merged values. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing
    this.flushing = this.writeDirty().finally(() => (this.flushing = null))
    return this.flushing
  }

  private load(deviceId: string): Promise<Entry> {
    const pending = this.loading.get(deviceId)
    if (pending) return pending
    const loaded = this.read(deviceId).then(state => {
      const entry = this.entries.get(deviceId) ?? { state }
      this.entries.set(deviceId, entry)
      this.loading.delete(deviceId)
      return entry
    })
    this.loading.set(deviceId, loaded)
    return loaded
  }

  private async read(deviceId: string): Promise<SequenceState | null> {
    try {
      const [seq, ts] = await this.redis.hmget(this.prefix + deviceId, 's', 't')
      this.redisBack()
      return seq === null || ts === null ? null : { maxSeq: Number(seq), newestTs: Number(ts) }
    } catch (error) {
      this.redisDown(error)
      return null
    }
  }

  private async writeDirty(): Promise<void> {
    const batch = [...this.dirty].flatMap(deviceId => {
      const state = this.entries.get(deviceId)?.state
      return state ? [{ deviceId, state }] : []
    })
    this.dirty.clear()
    if (batch.length > 0) {
      try {
        const pipeline = this.redis.pipeline()
        for (const { deviceId, state } of batch) {
          pipeline.eval(MERGE_SCRIPT, 1, this.prefix + deviceId, state.maxSeq, state.newestTs, this.options.ttlSeconds)
        }
        const results = (await pipeline.exec()) ?? []
        batch.forEach(({ deviceId }, i) => {
          const [error, merged] = results[i] ?? [new Error('no reply')]
          const entry = this.entries.get(deviceId)
          if (error || !Array.isArray(merged)) this.dirty.add(deviceId)
          else if (entry) entry.state = mergeSequenceState(entry.state, { maxSeq: Number(merged[0]), newestTs: Number(merged[1]) })
        })
        this.redisBack()
      } catch (error) {
        for (const { deviceId } of batch) this.dirty.add(deviceId)
        this.redisDown(error)
      }
    }
    this.forgetLeastRecent()
  }

  private forgetLeastRecent(): void {
    for (const deviceId of this.entries.keys()) {
      if (this.entries.size <= this.options.maxDevices) break
      if (!this.dirty.has(deviceId)) this.entries.delete(deviceId)
    }
  }

  private redisDown(error: unknown): void {
    if (this.redisFailing) return
    this.redisFailing = true
    this.log.warn({ err: (error as Error).message }, 'redis unavailable: replay checks use this instance\'s memory until it is back')
  }

  private redisBack(): void {
    if (!this.redisFailing) return
    this.redisFailing = false
    this.log.info('redis back: replay state shared again')
  }
}
