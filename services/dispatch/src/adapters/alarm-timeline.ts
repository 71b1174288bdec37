import type pg from 'pg'

export type TimelineEntry = {
  at: string
  source: 'audit' | 'notification'
  action: string
  actor: { kind: string; id: string } | null
  channel: string | null
  detail: Record<string, unknown>
}

/**
 * One alarm's whole story, oldest first: every lifecycle action, task step and page view from the audit
 * trail, and every notification delivery step (queued, each attempt with the provider's answer, receipts,
 * fallbacks). Names, never contact details.
 */
export async function alarmTimeline(db: pg.Pool, alarmId: string): Promise<TimelineEntry[]> {
  const audit = await db.query<{ at: Date; action: string; actor_kind: string; actor_id: string; channel: string; detail: Record<string, unknown>; seq: string }>(
    'SELECT at, action, actor_kind, actor_id, channel, detail, seq FROM audit_log WHERE alarm_id = $1 ORDER BY seq',
    [alarmId],
  )
  const deliveries = await db.query<{
    at: Date; event: string; attempt: number | null; provider_answer: string | null; channel: string; purpose: string
    recipient_kind: string; recipient_id: string; name: string | null; role: string | null; command_id: string; seq: string
  }>(
    `SELECT e.at, e.event, e.attempt, e.provider_answer, d.channel, r.purpose, r.recipient_kind, r.recipient_id,
            r.recipient->>'name' AS name, r.recipient->>'role' AS role, r.command_id, e.seq
     FROM delivery_events e JOIN deliveries d ON d.id = e.delivery_id JOIN notification_requests r ON r.command_id = d.command_id
     WHERE r.alarm_id = $1 ORDER BY e.seq`,
    [alarmId],
  )
  // A person nobody could reach is part of the story too: the operator must phone them or someone else.
  const unreached = await db.query<{ at: Date; status: string; purpose: string; recipient_kind: string; recipient_id: string; name: string | null; role: string | null; command_id: string }>(
    `SELECT COALESCE(closed_at, created_at) AS at, status, purpose, recipient_kind, recipient_id, recipient->>'name' AS name, recipient->>'role' AS role, command_id
     FROM notification_requests WHERE alarm_id = $1 AND status IN ('unreachable', 'exhausted') ORDER BY created_at`,
    [alarmId],
  )
  const entries: Array<TimelineEntry & { order: number }> = [
    ...audit.rows.map((r, i) => ({
      at: r.at.toISOString(), source: 'audit' as const, action: r.action, actor: { kind: r.actor_kind, id: r.actor_id }, channel: r.channel, detail: r.detail, order: i,
    })),
    ...deliveries.rows.map((r, i) => ({
      at: r.at.toISOString(), source: 'notification' as const, action: `notification_${r.event}`, actor: { kind: 'system', id: 'dispatch' }, channel: r.channel,
      detail: { purpose: r.purpose, recipient: { kind: r.recipient_kind, id: r.recipient_id, name: r.name, role: r.role }, attempt: r.attempt, providerAnswer: r.provider_answer, commandId: r.command_id },
      order: audit.rows.length + i,
    })),
    ...unreached.rows.map((r, i) => ({
      at: r.at.toISOString(), source: 'notification' as const, action: `notification_${r.status}`, actor: { kind: 'system', id: 'dispatch' }, channel: null,
      detail: { purpose: r.purpose, recipient: { kind: r.recipient_kind, id: r.recipient_id, name: r.name, role: r.role }, commandId: r.command_id },
      order: audit.rows.length + deliveries.rows.length + i,
    })),
  ]
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.order - b.order).map(({ order: _order, ...entry }) => entry)
}
