import type pg from 'pg'
import { nameBasedUuid } from '@anxin/contracts'
import { signLink, type LinkPurpose } from '../domain/action-token.ts'

export type LinkRow = {
  token_id: string; command_id: string; alarm_id: string; org_id: string; recipient_kind: 'staff' | 'contact'; recipient_id: string
  purpose: LinkPurpose; task_id: string | null; expires_at: Date; redeemed_at: Date | null
}

/**
 * Issues the action link a notification carries. Its id follows from the command, so a redelivered command
 * issues the same link; the row is what makes it single-use (and lets the centre revoke it).
 */
export async function issueLink(
  client: pg.ClientBase,
  input: { commandId: string; alarmId: string; orgId: string; recipient: { kind: 'staff' | 'contact'; id: string }; purpose: LinkPurpose; taskId: string | null; expiresAt: string },
  secrets: readonly string[],
  publicBaseUrl: string,
): Promise<{ tokenId: string; url: string }> {
  const tokenId = nameBasedUuid(`action-link\n${input.commandId}`)
  await client.query(
    `INSERT INTO action_links (token_id, command_id, alarm_id, org_id, recipient_kind, recipient_id, purpose, task_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (token_id) DO NOTHING`,
    [tokenId, input.commandId, input.alarmId, input.orgId, input.recipient.kind, input.recipient.id, input.purpose, input.taskId, input.expiresAt],
  )
  const token = signLink({ tokenId, alarmId: input.alarmId, recipient: input.recipient, purpose: input.purpose, expiresAt: input.expiresAt }, secrets)
  return { tokenId, url: `${publicBaseUrl.replace(/\/$/, '')}/r/${token}` }
}

export async function findLink(db: pg.ClientBase | pg.Pool, tokenId: string): Promise<LinkRow | null> {
  const { rows } = await db.query<LinkRow>('SELECT * FROM action_links WHERE token_id = $1', [tokenId])
  return rows[0] ?? null
}

/** Marks the link used; null when it was used already or has expired (the signature was checked before). */
export async function redeemLink(client: pg.ClientBase, tokenId: string): Promise<LinkRow | null> {
  const { rows } = await client.query<LinkRow>(
    'UPDATE action_links SET redeemed_at = now() WHERE token_id = $1 AND redeemed_at IS NULL AND expires_at > now() RETURNING *',
    [tokenId],
  )
  return rows[0] ?? null
}
