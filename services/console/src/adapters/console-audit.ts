import type pg from 'pg'
import { appendAudit } from '@anxin/audit'
import { withTransaction } from '@anxin/db'
import type { SessionUser } from '../domain/session-user.ts'

export type ConsoleAuditEntry = { action: string; alarmId?: string | null; residentId?: string | null; detail?: Record<string, unknown> }

/**
 * Appends to the organisation's audit hash chain as the signed-in staff member on the console channel: every
 * read of a resident's health data and every change made through the console goes through here.
 */
export async function auditConsole(pool: pg.Pool, user: SessionUser, entry: ConsoleAuditEntry, at: Date): Promise<void> {
  await withTransaction(pool, client => auditIn(client, user, entry, at))
}

/** Records a change in the same transaction as the change, so neither commits without the other. */
export async function auditIn(client: pg.PoolClient, user: SessionUser, entry: ConsoleAuditEntry, at: Date): Promise<void> {
  await appendAudit(client, {
    orgId: user.orgId, alarmId: entry.alarmId ?? null, residentId: entry.residentId ?? null, actorKind: 'staff', actorId: user.staffId,
    action: entry.action, channel: 'console', at: at.toISOString(), detail: entry.detail ?? {},
  })
}
