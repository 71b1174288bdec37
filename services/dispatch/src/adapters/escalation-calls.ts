import type pg from 'pg'
import type { Logger } from '@anxin/logging'
import { WakeableLoop } from '@anxin/service-kit'

/** What escalation's lifecycle API takes (services/escalation/src/http/routes.ts). */
export type EscalationAction = {
  kind: 'acknowledge' | 'dispatch' | 'arrive' | 'resolve' | 'note' | 'escalate'
  actor: { kind: 'staff' | 'contact'; id: string }
  channel: 'responder_app' | 'phone' | 'sms' | 'email' | 'webhook'
  note?: string
  outcome?: string
  text?: string
  responder?: { kind: 'staff' | 'contact'; id: string }
  arrivalDeadlineSeconds?: number
}

export type CallResult =
  | { ok: true; duplicate: boolean; state: string | null }
  | { ok: false; status: number; code: string; message: string }

/**
 * Writes an action for escalation into `escalation_calls`, in the caller's transaction: the change that causes
 * it (a task accepted, a link used) and the promise to tell escalation commit together.
 */
export async function queueEscalationCall(client: pg.ClientBase | pg.Pool, requestId: string, alarmId: string, action: EscalationAction): Promise<void> {
  await client.query(
    `INSERT INTO escalation_calls (request_id, alarm_id, action) VALUES ($1, $2, $3) ON CONFLICT (request_id) DO NOTHING`,
    [requestId, alarmId, action],
  )
}

type CallRow = { seq: string; request_id: string; alarm_id: string; action: EscalationAction; attempts: number }

/**
 * Delivers queued actions to escalation, oldest first, until escalation answers. An answer of any kind is
 * final (a refusal such as "already acknowledged" is a result, not a failure); only no answer or a 5xx is
 * retried. Each call carries its request id, so one delivered twice (a crash after escalation answered and
 * before the row was marked) is recognised there and not applied again.
 */
export class EscalationCaller {
  private readonly pool: pg.Pool
  private readonly baseUrl: string
  private readonly log: Logger
  private readonly timeoutMs: number
  private readonly loop: WakeableLoop

  constructor(options: { pool: pg.Pool; escalationUrl: string; logger: Logger; timeoutMs?: number; idleMs?: number }) {
    this.pool = options.pool
    this.baseUrl = options.escalationUrl.replace(/\/$/, '')
    this.log = options.logger.child({ component: 'escalation-caller' })
    this.timeoutMs = options.timeoutMs ?? 5000
    this.loop = new WakeableLoop({
      step: () => this.deliverDue(),
      idleMs: options.idleMs ?? 1000,
      onError: (error, failures) => this.log.warn({ err: (error as Error).message, failures }, 'delivering escalation calls failed'),
    })
  }

  start(): void {
    this.loop.start()
  }

  kick(): void {
    this.loop.kick()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  /**
   * Delivers one queued call now and returns escalation's answer, for a person waiting on a page. If
   * escalation cannot be reached the call stays queued for the loop and the caller learns it is pending.
   */
  async deliverNow(requestId: string): Promise<CallResult | 'pending'> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<CallRow & { done_at: Date | null; result: CallResult | null }>(
        'SELECT * FROM escalation_calls WHERE request_id = $1 FOR UPDATE',
        [requestId],
      )
      const row = rows[0]
      if (!row) {
        await client.query('COMMIT')
        return 'pending'
      }
      if (row.done_at) {
        await client.query('COMMIT')
        return row.result ?? 'pending'
      }
      const result = await this.call(row)
      await this.settle(client, row, result)
      await client.query('COMMIT')
      return result ?? 'pending'
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  /** A few calls per transaction: while escalation hangs, each waits for its timeout with the rows locked. */
  private async deliverDue(): Promise<boolean> {
    const batch = 5
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<CallRow>(
        `SELECT seq, request_id, alarm_id, action, attempts FROM escalation_calls
         WHERE done_at IS NULL AND next_try_at <= now() ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      )
      for (const row of rows) await this.settle(client, row, await this.call(row))
      await client.query('COMMIT')
      return rows.length === batch
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  private async settle(client: pg.PoolClient, row: CallRow, result: CallResult | null): Promise<void> {
    if (result) {
      await client.query('UPDATE escalation_calls SET done_at = now(), result = $2, attempts = attempts + 1 WHERE seq = $1', [row.seq, result])
      if (!result.ok) this.log.info({ alarmId: row.alarm_id, kind: row.action.kind, code: result.code }, 'escalation refused an action')
      return
    }
    const delaySeconds = Math.min(60, 2 ** Math.min(row.attempts, 6))
    await client.query(
      `UPDATE escalation_calls SET attempts = attempts + 1, next_try_at = now() + make_interval(secs => $2) WHERE seq = $1`,
      [row.seq, delaySeconds],
    )
  }

  /** One HTTP call; null when there is no final answer (network error, timeout, 5xx). */
  private async call(row: CallRow): Promise<CallResult | null> {
    try {
      const response = await fetch(`${this.baseUrl}/alarms/${row.alarm_id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...row.action, requestId: row.request_id }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      const body = (await response.json().catch(() => ({}))) as { duplicate?: boolean; lifecycle?: { state?: string }; code?: string; message?: string }
      if (response.status >= 500) return null
      if (response.ok) return { ok: true, duplicate: body.duplicate === true, state: body.lifecycle?.state ?? null }
      return { ok: false, status: response.status, code: body.code ?? `http_${response.status}`, message: body.message ?? response.statusText }
    } catch (error) {
      this.log.warn({ alarmId: row.alarm_id, err: (error as Error).message }, 'escalation unreachable; the call stays queued')
      return null
    }
  }
}
