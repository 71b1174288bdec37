import type pg from 'pg'
import { withTransaction } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import { toTimer, type Timer } from './timer-store.ts'

export type TimerHandler = (timer: Timer, client: pg.PoolClient) => Promise<void>

/**
 * Fires due timers exactly once. Each firing is one transaction: the timer row is locked (SKIP LOCKED, so
 * several workers or instances never take the same one), the handler does its work with the same client,
 * the timer is marked fired, and only then does anything commit. A crash anywhere before the commit leaves
 * the timer due, and it fires when the service is back: overdue timers fire at once, oldest first.
 */
export class TimerRunner {
  private readonly pool: pg.Pool
  private readonly handle: TimerHandler
  private readonly log: Logger
  private readonly workers: number
  private readonly maxSleepMs: number
  private readonly onFired: (timer: Timer, lateMs: number) => void
  private running = false
  private loops: Promise<void>[] = []
  private wakers = new Set<() => void>()

  constructor(options: {
    pool: pg.Pool
    handle: TimerHandler
    logger: Logger
    workers?: number
    maxSleepMs?: number
    onFired?: (timer: Timer, lateMs: number) => void
  }) {
    this.pool = options.pool
    this.handle = options.handle
    this.log = options.logger.child({ component: 'timer-runner' })
    this.workers = options.workers ?? 4
    this.maxSleepMs = options.maxSleepMs ?? 1000
    this.onFired = options.onFired ?? (() => {})
  }

  start(): void {
    this.running = true
    this.loops = Array.from({ length: this.workers }, () => this.loop())
  }

  /** Call after scheduling a timer that may be due sooner than the workers' next wake-up. */
  kick(): void {
    for (const wake of this.wakers) wake()
  }

  async stop(): Promise<void> {
    this.running = false
    this.kick()
    await Promise.all(this.loops)
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let fired = false
      try {
        fired = await this.fireOne()
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, 'timer firing failed; it stays due and is retried')
        await this.sleep(1000)
        continue
      }
      if (!fired) await this.sleep(await this.untilNextDue())
    }
  }

  /** Fires the oldest due timer, if any. */
  private async fireOne(): Promise<boolean> {
    const fired = await withTransaction(this.pool, async client => {
      const { rows } = await client.query<TimerRow>(
        `SELECT key, alarm_id, kind, level, due_at, payload FROM escalation_timers
         WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now()
         ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      )
      const row = rows[0]
      if (!row) return null
      const timer = toTimer(row)
      await this.handle(timer, client)
      const marked = await client.query<{ late_ms: number }>(
        `UPDATE escalation_timers SET fired_at = clock_timestamp() WHERE key = $1
         RETURNING extract(epoch FROM (fired_at - due_at)) * 1000 AS late_ms`,
        [timer.key],
      )
      return { timer, lateMs: Number(marked.rows[0]?.late_ms ?? 0) }
    })
    // Reported only once committed: a rolled-back firing did not happen.
    if (fired) this.onFired(fired.timer, fired.lateMs)
    return fired !== null
  }

  /** How long until the next timer is due (capped); when the database cannot say, the usual pause. */
  private async untilNextDue(): Promise<number> {
    try {
      const { rows } = await this.pool.query<{ ms: number | null }>(
        `SELECT extract(epoch FROM (min(due_at) - now())) * 1000 AS ms FROM escalation_timers
         WHERE fired_at IS NULL AND cancelled_at IS NULL`,
      )
      const ms = rows[0]?.ms
      return ms === null || ms === undefined ? this.maxSleepMs : Math.max(0, Math.min(this.maxSleepMs, Number(ms)))
    } catch {
      return this.maxSleepMs
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise(resolve => {
      const wake = () => {
        clearTimeout(timer)
        this.wakers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.wakers.add(wake)
    })
  }
}

type TimerRow = { key: string; alarm_id: string; kind: string; level: number; due_at: Date; payload: Record<string, unknown> }
