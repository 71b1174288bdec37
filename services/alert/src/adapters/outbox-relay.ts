import type pg from 'pg'
import type { Producer } from '@anxin/kafka'
import { backoffDelay, publish, sleep } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'

/**
 * Publishes alarm events from the outbox to Kafka in order, then deletes them. Woken at once after each
 * alarm change (`kick`), and every second anyway, so events left by a crash go out on the next start.
 */
export class OutboxRelay {
  private readonly pool: pg.Pool
  private readonly producer: Producer
  private readonly topic: string
  private readonly log: Logger
  private wake: (() => void) | null = null
  private running = false
  private loop: Promise<void> | null = null
  private readonly onPublished: (count: number) => void

  constructor(options: { pool: pg.Pool; producer: Producer; topic: string; logger: Logger; onPublished?: (count: number) => void }) {
    this.pool = options.pool
    this.producer = options.producer
    this.topic = options.topic
    this.log = options.logger.child({ component: 'outbox-relay' })
    this.onPublished = options.onPublished ?? (() => {})
  }

  start(): void {
    this.running = true
    this.loop = this.run()
  }

  kick(): void {
    this.wake?.()
  }

  async stop(): Promise<void> {
    this.running = false
    this.kick()
    await this.loop
  }

  private async run(): Promise<void> {
    let failures = 0
    while (this.running) {
      try {
        const published = await this.publishBatch()
        failures = 0
        if (published > 0) continue
      } catch (error) {
        failures++
        this.log.warn({ err: (error as Error).message, failures }, 'outbox publish failed, retrying')
        await sleep(backoffDelay(failures, { maxMs: 5000 }))
        continue
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 1000)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }

  /** One batch: lock the oldest rows, publish them (acks=all), delete them, commit. */
  private async publishBatch(): Promise<number> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<{ seq: string; key: string; payload: unknown }>(
        'SELECT seq, key, payload FROM alarm_outbox ORDER BY seq LIMIT 200 FOR UPDATE SKIP LOCKED',
      )
      if (rows.length === 0) {
        await client.query('COMMIT')
        return 0
      }
      await publish(
        this.producer,
        this.topic,
        rows.map(r => ({ key: r.key, value: r.payload, headers: { 'event-id': (r.payload as { eventId: string }).eventId } })),
      )
      await client.query('DELETE FROM alarm_outbox WHERE seq = ANY($1::bigint[])', [rows.map(r => r.seq)])
      await client.query('COMMIT')
      this.onPublished(rows.length)
      return rows.length
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }
}
