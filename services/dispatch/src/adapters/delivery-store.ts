import type pg from 'pg'
import { withTransaction } from '@anxin/db'
import type { DeliveryChannel, SendResult } from '../channels/channel.ts'
import { decideAfterAttempt, type AttemptOutcome, type RetryPolicy } from '../domain/delivery-retry.ts'
import type { Recipient } from './recipient-reach.ts'
import { queueDelivery } from './notification-intake.ts'

export type StoredMessage = { subject: string; text: string; link: string | null; locale: 'zh-CN' | 'en'; data: Record<string, string | number | boolean | null> }

export type ClaimedDelivery = {
  id: string; commandId: string; channel: DeliveryChannel; attempts: number; fellBack: boolean
  orgId: string; alarmId: string; purpose: string; critical: boolean; recipient: Recipient; message: StoredMessage; queuedAt: Date
}

type ClaimRow = {
  id: string; command_id: string; channel: DeliveryChannel; attempts: number; fell_back: boolean; org_id: string; alarm_id: string
  purpose: string; critical: boolean; recipient: Recipient; message: StoredMessage; queued_at: Date
}

/**
 * Claims due deliveries of one channel for a worker: marks them 'sending' with a lease and counts the attempt,
 * then commits, so the provider call runs outside any transaction. A worker that dies mid-call leaves the
 * lease to expire and the delivery is tried again (providers receive the same delivery id and can drop it).
 */
export async function claimDue(pool: pg.Pool, channel: DeliveryChannel, limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return []
  const { rows } = await pool.query<ClaimRow>(
    `WITH due AS (
       SELECT d.id FROM deliveries d JOIN notification_requests r USING (command_id)
       WHERE d.channel = $1 AND d.status IN ('queued', 'retrying') AND d.next_attempt_at <= now() AND r.status IN ('open', 'confirmed')
       ORDER BY r.critical DESC, d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, lease_until = now() + make_interval(secs => $3)
     FROM due, notification_requests r
     WHERE d.id = due.id AND r.command_id = d.command_id
     RETURNING d.id, d.command_id, d.channel, d.attempts, d.fell_back, d.queued_at, r.org_id, r.alarm_id, r.purpose, r.critical, r.recipient, r.message`,
    [channel, limit, leaseSeconds],
  )
  return rows.map(r => ({
    id: r.id, commandId: r.command_id, channel: r.channel, attempts: r.attempts, fellBack: r.fell_back, orgId: r.org_id, alarmId: r.alarm_id,
    purpose: r.purpose, critical: r.critical, recipient: r.recipient, message: r.message, queuedAt: r.queued_at,
  }))
}

const outcomeOf = (result: SendResult): AttemptOutcome =>
  result.outcome === 'failed' ? (result.retryable ? 'failed_retryable' : 'failed_permanent') : result.outcome

/** Records what the provider answered, schedules a retry, and starts the next channel when this one failed. */
export async function recordAttempt(
  pool: pg.Pool,
  claimed: ClaimedDelivery,
  result: SendResult,
  retry: { policy: RetryPolicy; random: () => number; now: string },
): Promise<{ outcome: AttemptOutcome; fallback: DeliveryChannel | null }> {
  const outcome = outcomeOf(result)
  const decision = decideAfterAttempt(
    { attemptsMade: claimed.attempts, outcome, now: retry.now, critical: claimed.critical, fallbackStarted: claimed.fellBack },
    retry.policy,
    retry.random,
  )
  const update = {
    text: `UPDATE deliveries SET status = $2, next_attempt_at = $3, confirm_by = $4, lease_until = NULL, last_answer = $5,
         provider_message_id = COALESCE($6, provider_message_id), fell_back = fell_back OR $7,
         sent_at = CASE WHEN $2 IN ('sent', 'delivered') THEN COALESCE(sent_at, now()) ELSE sent_at END,
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END,
         failed_at = CASE WHEN $2 = 'failed' THEN now() ELSE failed_at END
       WHERE id = $1 AND status = 'sending'`,
    values: [
      claimed.id, decision.status, decision.nextAttemptAt, decision.confirmBy, result.providerAnswer,
      result.outcome === 'failed' ? null : result.providerMessageId, decision.startFallback,
    ],
  }
  // The common cases (sent, delivered, or a retry scheduled, and no fallback to start) are one statement and
  // no transaction: on this path every round trip to the database counts.
  if (decision.status !== 'failed' && !decision.startFallback && !result.expiredSubscriptions?.length) {
    await pool.query({
      text: `WITH updated AS (${update.text} RETURNING id, command_id),
        recorded AS (INSERT INTO delivery_events (delivery_id, event, attempt, provider_answer) SELECT id, $8, $9, $5 FROM updated)
        UPDATE notification_requests SET confirmed_at = COALESCE(confirmed_at, now()), confirmed_by = COALESCE(confirmed_by, $10),
          status = CASE WHEN status = 'open' THEN 'confirmed' ELSE status END
        WHERE $2 = 'delivered' AND command_id IN (SELECT command_id FROM updated)`,
      values: [...update.values, outcome, claimed.attempts, `provider:${claimed.channel}`],
    })
    return { outcome, fallback: null }
  }
  return withTransaction(pool, async client => {
    await client.query(update)
    await client.query('INSERT INTO delivery_events (delivery_id, event, attempt, provider_answer) VALUES ($1, $2, $3, $4)', [
      claimed.id, outcome, claimed.attempts, result.providerAnswer,
    ])
    if (result.expiredSubscriptions?.length) await client.query('DELETE FROM push_subscriptions WHERE endpoint = ANY($1)', [result.expiredSubscriptions])
    if (decision.status === 'delivered') await confirmRequest(client, claimed.commandId, `provider:${claimed.channel}`, { close: false })
    const fallback = decision.startFallback ? await startNextFallback(client, claimed.commandId, retry.now, `fallback_after_${outcome}:${claimed.channel}`) : null
    return { outcome, fallback }
  })
}

/**
 * Queues the next channel of a request that is still open and unconfirmed. When none is left and nothing is
 * under way any more, the request is 'exhausted': nobody could be reached, which the timeline shows.
 */
export async function startNextFallback(client: pg.ClientBase, commandId: string, now: string, cause: string): Promise<DeliveryChannel | null> {
  const { rows } = await client.query<{ fallbacks: DeliveryChannel[]; status: string; confirmed_at: Date | null }>(
    'SELECT fallbacks, status, confirmed_at FROM notification_requests WHERE command_id = $1 FOR UPDATE',
    [commandId],
  )
  const request = rows[0]
  if (!request || request.status !== 'open' || request.confirmed_at) return null
  const [next, ...rest] = request.fallbacks
  if (next) {
    await client.query('UPDATE notification_requests SET fallbacks = $2 WHERE command_id = $1', [commandId, rest])
    await queueDelivery(client, commandId, next, now, cause)
    return next
  }
  const live = await client.query(
    `SELECT 1 FROM deliveries WHERE command_id = $1 AND status IN ('queued', 'sending', 'retrying', 'sent', 'delivered') LIMIT 1`,
    [commandId],
  )
  if ((live.rowCount ?? 0) === 0) await client.query(`UPDATE notification_requests SET status = 'exhausted', closed_at = now() WHERE command_id = $1`, [commandId])
  return null
}

/**
 * The request reached the person: a provider confirmed delivery, or the person opened the link. No further
 * fallback starts. `close` (the person acted) also cancels what is still waiting to be sent.
 */
export async function confirmRequest(client: pg.ClientBase, commandId: string, by: string, options: { close: boolean }): Promise<void> {
  await client.query(
    `UPDATE notification_requests SET confirmed_at = COALESCE(confirmed_at, now()), confirmed_by = COALESCE(confirmed_by, $2),
       status = CASE WHEN status IN ('open', 'confirmed') THEN $3 ELSE status END
     WHERE command_id = $1`,
    [commandId, by, options.close ? 'closed' : 'confirmed'],
  )
  if (options.close) await cancelWaiting(client, `command_id = $1`, [commandId], 'cancelled_person_responded')
}

/** Closes an alarm's open requests of the given purposes (someone has the alarm, or it is over). */
export async function closeRequests(client: pg.ClientBase, alarmId: string, purposes: readonly string[], reason: string): Promise<number> {
  const { rows } = await client.query<{ command_id: string }>(
    `UPDATE notification_requests SET status = 'closed', closed_at = now(), closed_reason = $3
     WHERE alarm_id = $1 AND purpose = ANY($2) AND status IN ('open', 'confirmed') RETURNING command_id`,
    [alarmId, purposes, reason],
  )
  if (rows.length > 0) await cancelWaiting(client, 'command_id = ANY($1)', [rows.map(r => r.command_id)], `cancelled_${reason}`)
  return rows.length
}

async function cancelWaiting(client: pg.ClientBase, where: string, params: unknown[], event: string): Promise<void> {
  const { rows } = await client.query<{ id: string }>(
    `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL WHERE ${where} AND status IN ('queued', 'retrying') RETURNING id`,
    params,
  )
  for (const r of rows) await client.query('INSERT INTO delivery_events (delivery_id, event) VALUES ($1, $2)', [r.id, event])
}

/**
 * Deliveries sent but not confirmed in time start their fallback (once each), and deliveries whose worker
 * died mid-call become due again. Returns how many rows it touched.
 */
export async function sweepDeliveries(pool: pg.Pool, now: string): Promise<number> {
  const reclaimed = await pool.query(
    `UPDATE deliveries SET status = 'retrying', next_attempt_at = now(), lease_until = NULL WHERE status = 'sending' AND lease_until < now()`,
  )
  // A call in flight when its notification was closed (someone acknowledged) came back failed and scheduled a
  // retry that will never be claimed: it is cancelled, so nothing looks pending that will never be sent.
  const orphaned = await pool.query(
    `WITH cancelled AS (
       UPDATE deliveries d SET status = 'cancelled', next_attempt_at = NULL FROM notification_requests r
       WHERE r.command_id = d.command_id AND d.status IN ('queued', 'retrying') AND r.status NOT IN ('open', 'confirmed')
       RETURNING d.id
     )
     INSERT INTO delivery_events (delivery_id, event) SELECT id, 'cancelled_notification_closed' FROM cancelled`,
  )
  const fellBack = await withTransaction(pool, async client => {
    const { rows } = await client.query<{ id: string; command_id: string; channel: string }>(
      `SELECT d.id, d.command_id, d.channel FROM deliveries d JOIN notification_requests r USING (command_id)
       WHERE d.status = 'sent' AND NOT d.fell_back AND d.confirm_by <= $1 AND r.status = 'open' AND r.confirmed_at IS NULL
       ORDER BY d.confirm_by LIMIT 100 FOR UPDATE OF d SKIP LOCKED`,
      [now],
    )
    for (const row of rows) {
      await client.query('UPDATE deliveries SET fell_back = true WHERE id = $1', [row.id])
      await client.query(`INSERT INTO delivery_events (delivery_id, event) VALUES ($1, 'unconfirmed')`, [row.id])
      await startNextFallback(client, row.command_id, now, `fallback_unconfirmed:${row.channel}`)
    }
    return rows.length
  })
  return (reclaimed.rowCount ?? 0) + (orphaned.rowCount ?? 0) + fellBack
}

/** A provider's receipt or call result for one of our deliveries (its reference is our delivery id). */
export async function applyReceipt(pool: pg.Pool, deliveryIdValue: string, status: 'delivered' | 'failed', answer: string, now: string): Promise<{ commandId: string } | null> {
  return withTransaction(pool, async client => {
    const { rows } = await client.query<{ command_id: string; channel: string; status: string; fell_back: boolean }>(
      'SELECT command_id, channel, status, fell_back FROM deliveries WHERE id = $1 FOR UPDATE',
      [deliveryIdValue],
    )
    const d = rows[0]
    if (!d) return null
    await client.query('INSERT INTO delivery_events (delivery_id, event, provider_answer) VALUES ($1, $2, $3)', [deliveryIdValue, `receipt_${status}`, answer])
    if (status === 'delivered') {
      await client.query(`UPDATE deliveries SET status = 'delivered', delivered_at = COALESCE(delivered_at, now()), last_answer = $2 WHERE id = $1`, [deliveryIdValue, answer])
      await confirmRequest(client, d.command_id, `provider:${d.channel}`, { close: false })
    } else if (d.status !== 'delivered') {
      await client.query(`UPDATE deliveries SET status = 'failed', failed_at = now(), last_answer = $2, fell_back = true WHERE id = $1`, [deliveryIdValue, answer])
      if (!d.fell_back) await startNextFallback(client, d.command_id, now, `fallback_after_receipt_failed:${d.channel}`)
    }
    return { commandId: d.command_id }
  })
}
