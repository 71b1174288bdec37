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
   * Delivers one queued call now and returns escalation's answer, for a person waiting on a page. If the loop
   * has it already, waits for its answer; if escalation cannot be reached the call stays queued for the loop
   * and the caller learns it is pending.
   */
  async deliverNow(requestId: string): Promise<CallResult | 'pending'> {
    const claimed = await this.claim('request_id = $1', [requestId], 1)
    if (claimed[0]) return (await this.deliver(claimed[0])) ?? 'pending'
    for (const deadline = Date.now() + this.timeoutMs; Date.now() < deadline; await new Promise(resolve => setTimeout(resolve, 50))) {
      const { rows } = await this.pool.query<{ done_at: Date | null; result: CallResult | null }>('SELECT done_at, result FROM escalation_calls WHERE request_id = $1', [requestId])
      if (rows[0]?.done_at) return rows[0].result ?? 'pending'
    }
    return 'pending'
  }

  private async deliverDue(): Promise<boolean> {
    const batch = 5
    const claimed = await this.claim('done_at IS NULL AND next_try_at <= now()', [], batch)
    for (const row of claimed) await this.deliver(row)
    return claimed.length === batch
  }

  /**
   * Takes calls for delivery by pushing their next try past the call's timeout (a lease), in one short
   * statement: no transaction or connection is held while escalation is called, and a crashed caller's
   * calls come due again when the lease runs out.
   */
  private async claim(where: string, params: unknown[], limit: number): Promise<CallRow[]> {
    const lease = Math.ceil(this.timeoutMs / 1000) + 5
    const { rows } = await this.pool.query<CallRow>(
      `UPDATE escalation_calls SET next_try_at = now() + make_interval(secs => ${lease}), attempts = attempts + 1
       WHERE seq IN (SELECT seq FROM escalation_calls WHERE ${where} AND done_at IS NULL AND next_try_at <= now() ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED)
       RETURNING seq, request_id, alarm_id, action, attempts`,
      params,
    )
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq))
  }

  private async deliver(row: CallRow): Promise<CallResult | null> {
    const result = await this.call(row)
    if (result) {
      await this.pool.query('UPDATE escalation_calls SET done_at = now(), result = $2 WHERE seq = $1', [row.seq, result])
      if (!result.ok) this.log.info({ alarmId: row.alarm_id, kind: row.action.kind, code: result.code }, 'escalation refused an action')
    } else {
      const delaySeconds = Math.min(60, 2 ** Math.min(row.attempts, 6))
      await this.pool.query(`UPDATE escalation_calls SET next_try_at = now() + make_interval(secs => $2) WHERE seq = $1`, [row.seq, delaySeconds])
    }
    return result
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
