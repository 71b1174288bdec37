import type { Redis } from 'ioredis'
import { transientError } from '@anxin/errors'

/**
 * Each resident's rule states (windows, pending conditions, last activity), as one JSON value in Redis, with
 * an in-memory copy in front. Redis is what lets a restarted alert service carry on where it stopped: a
 * pending "heart rate high for 2 minutes" is neither forgotten nor raised twice.
 */
export class RuleStateStore<State> {
  private readonly redis: Redis
  private readonly prefix: string
  private readonly memory = new Map<string, State>()

  constructor(redis: Redis, keyPrefix: string) {
    this.redis = redis
    this.prefix = `${keyPrefix}alert:rules:`
  }

  async get(residentId: string): Promise<State | null> {
    const cached = this.memory.get(residentId)
    if (cached) return cached
    let raw: string | null
    try {
      raw = await this.redis.get(this.prefix + residentId)
    } catch (error) {
      throw transientError('redis_unavailable', (error as Error).message, error)
    }
    if (!raw) return null
    const state = JSON.parse(raw) as State
    this.memory.set(residentId, state)
    return state
  }

  /** Keeps the new state in memory; `flush` writes the residents changed since the last flush. */
  set(residentId: string, state: State): void {
    this.memory.set(residentId, state)
    this.dirty.add(residentId)
  }

  private readonly dirty = new Set<string>()

  async flush(): Promise<void> {
    if (this.dirty.size === 0) return
    const pipeline = this.redis.multi()
    for (const id of this.dirty) pipeline.set(this.prefix + id, JSON.stringify(this.memory.get(id)))
    try {
      await pipeline.exec()
    } catch (error) {
      throw transientError('redis_unavailable', (error as Error).message, error)
    }
    this.dirty.clear()
  }

  /** Residents with stored state (for the periodic checks after a restart). */
  async knownResidents(): Promise<string[]> {
    const ids = new Set(this.memory.keys())
    let cursor = '0'
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500)
      cursor = next
      for (const key of keys) ids.add(key.slice(this.prefix.length))
    } while (cursor !== '0')
    return [...ids]
  }

  /** Forgets the in-memory copies (after Redis lost data, or in tests simulating a restart). */
  dropMemory(): void {
    this.memory.clear()
    this.dirty.clear()
  }
}
