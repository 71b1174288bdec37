import type { Redis } from 'ioredis'
import type { Logger } from '@anxin/logging'

/**
 * Remembers which urgent events are already in Kafka, so a device's retry of an SOS that was recorded (but
 * whose acknowledgement was lost) is acknowledged again instead of written twice. Redis being down must
 * never stop an SOS: the event is then written again, and consumers deduplicate by event id.
 */
export class UrgentDedupe {
  private readonly redis: Redis
  private readonly prefix: string
  private readonly ttlSeconds: number
  private readonly log: Logger

  constructor(redis: Redis, options: { keyPrefix: string; ttlSeconds?: number; logger: Logger }) {
    this.redis = redis
    this.prefix = `${options.keyPrefix}ingestion:urgent:`
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600
    this.log = options.logger.child({ component: 'urgent-dedupe' })
  }

  async alreadyRecorded(eventId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.prefix + eventId)) === 1
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'dedupe lookup failed; writing the event anyway')
      return false
    }
  }

  async markRecorded(eventId: string): Promise<void> {
    try {
      await this.redis.set(this.prefix + eventId, '1', 'EX', this.ttlSeconds)
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not remember a recorded urgent event')
    }
  }
}
