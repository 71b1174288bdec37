import type pg from 'pg'
import { auditHash, GENESIS_HASH, verifyChain, type AuditEntry, type ChainBreak } from './audit-hash.ts'

/**
 * Appends an entry to the organisation's audit chain inside the caller's transaction, so the record of an
 * action commits or rolls back with the action itself. A transaction-scoped advisory lock per organisation
 * keeps the chain linear when several transactions audit at once.
 */
export async function appendAudit(client: pg.PoolClient, entry: AuditEntry): Promise<string> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`audit:${entry.orgId}`])
  const last = await client.query<{ hash: string }>('SELECT hash FROM audit_log WHERE org_id = $1 ORDER BY seq DESC LIMIT 1', [entry.orgId])
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH
  const hash = auditHash(prevHash, entry)
  await client.query(
    `INSERT INTO audit_log (org_id, alarm_id, resident_id, actor_kind, actor_id, action, channel, at, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [entry.orgId, entry.alarmId, entry.residentId, entry.actorKind, entry.actorId, entry.action, entry.channel, entry.at, entry.detail, prevHash, hash],
  )
  return hash
}

type AuditRow = {
  seq: string; org_id: string; alarm_id: string | null; resident_id: string | null; actor_kind: AuditEntry['actorKind']
  actor_id: string; action: string; channel: string; at: Date; detail: Record<string, unknown>; prev_hash: string; hash: string
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    orgId: row.org_id, alarmId: row.alarm_id, residentId: row.resident_id, actorKind: row.actor_kind, actorId: row.actor_id,
    action: row.action, channel: row.channel, at: row.at.toISOString(), detail: row.detail,
  }
}

/** Recomputes an organisation's whole chain; null when intact, else the first entry that breaks it. */
export async function verifyAuditChain(pool: pg.Pool, orgId: string): Promise<ChainBreak | null> {
  const { rows } = await pool.query<AuditRow>('SELECT * FROM audit_log WHERE org_id = $1 ORDER BY seq', [orgId])
  return verifyChain(rows.map(r => ({ seq: r.seq, prevHash: r.prev_hash, hash: r.hash, entry: toEntry(r) })))
}

/** The audit trail of one alarm, one resident, or one staff member, oldest first. */
export async function auditTrail(
  pool: pg.Pool,
  filter: { alarmId: string } | { residentId: string } | { staffId: string },
): Promise<Array<AuditEntry & { seq: string }>> {
  const [where, value] =
    'alarmId' in filter ? ['alarm_id = $1', filter.alarmId]
    : 'residentId' in filter ? ['resident_id = $1', filter.residentId]
    : ["actor_kind = 'staff' AND actor_id = $1", filter.staffId]
  const { rows } = await pool.query<AuditRow>(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq`, [value])
  return rows.map(r => ({ seq: r.seq, ...toEntry(r) }))
}
