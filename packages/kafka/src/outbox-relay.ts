import type pg from 'pg'
import type { Producer } from 'kafkajs'
import type { Logger } from '@anxin/logging'
import { backoffDelay, sleep } from './backoff.ts'
import { publish } from './producer.ts'

/** A row of an outbox table: (seq bigserial, event_id, key, payload jsonb[, topic text]). */
export type OutboxRow = { seq: string; key: string; payload: { eventId?: string; commandId?: string }; topic?: string }

/**
 * Publishes messages written to an outbox table (in the same transaction as the change they announce) to
 * Kafka in order, then deletes them. Woken at once after each change (`kick`), and every second anyway, so
 * messages left by a crash go out on the next start. A crash after the Kafka write and before the delete
 * publishes a message twice, with the same id: consumers deduplicate.
 */
export class OutboxRelay {
  private readonly pool: pg.Pool
  private readonly producer: Producer
  private readonly table: string
  private readonly topicFor: (row: OutboxRow) => string
  private readonly log: Logger
  private wake: (() => void) | null = null
  private running = false
  private loop: Promise<void> | null = null
  private readonly onPublished: (count: number) => void

  constructor(options: {
    pool: pg.Pool
    producer: Producer
    table: string
    topicFor: (row: OutboxRow) => string
    logger: Logger
    onPublished?: (count: number) => void
  }) {
    if (!/^[a-z_]+$/.test(options.table)) throw new Error(`not an outbox table name: ${options.table}`)
    this.pool = options.pool
    this.producer = options.producer
    this.table = options.table
    this.topicFor = options.topicFor
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
      const { rows } = await client.query<OutboxRow>(`SELECT * FROM ${this.table} ORDER BY seq LIMIT 200 FOR UPDATE SKIP LOCKED`)
      if (rows.length === 0) {
        await client.query('COMMIT')
        return 0
      }
      const byTopic = new Map<string, OutboxRow[]>()
      for (const row of rows) {
        const topic = this.topicFor(row)
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), row])
      }
      for (const [topic, topicRows] of byTopic) {
        await publish(
          this.producer,
          topic,
          topicRows.map(r => ({ key: r.key, value: r.payload, headers: { 'event-id': String(r.payload.eventId ?? r.payload.commandId ?? r.seq) } })),
        )
      }
      await client.query(`DELETE FROM ${this.table} WHERE seq = ANY($1::bigint[])`, [rows.map(r => r.seq)])
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
