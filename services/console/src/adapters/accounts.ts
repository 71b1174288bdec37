import type pg from 'pg'
import type { StaffRole } from '../domain/roles.ts'
import type { SessionUser } from '../domain/session-user.ts'

export type AccountRow = { user: SessionUser; passwordHash: string; usable: boolean }

/** The account behind a username with everything a session needs; `usable` is false when disabled or the staff member left. */
export async function findAccount(pool: pg.Pool, username: string): Promise<AccountRow | null> {
  const { rows } = await pool.query<{
    staff_id: string; username: string; password_hash: string; disabled: boolean; active: boolean; full_name: string; role: StaffRole
    org_id: string; org_name: string; area_id: string | null; timezone: string
  }>(
    `SELECT a.staff_id, a.username, a.password_hash, a.disabled, s.active, s.full_name, s.role, s.org_id, o.name AS org_name, s.area_id, o.timezone
       FROM console_accounts a JOIN staff s ON s.id = a.staff_id JOIN organisations o ON o.id = s.org_id
      WHERE lower(a.username) = lower($1)`,
    [username],
  )
  const r = rows[0]
  if (!r) return null
  return {
    passwordHash: r.password_hash,
    usable: !r.disabled && r.active,
    user: { staffId: r.staff_id, username: r.username, fullName: r.full_name, role: r.role, orgId: r.org_id, orgName: r.org_name, areaId: r.area_id, timezone: r.timezone },
  }
}

export async function upsertAccount(db: pg.Pool | pg.ClientBase, staffId: string, username: string, passwordHash: string): Promise<void> {
  await db.query(
    `INSERT INTO console_accounts (staff_id, username, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (staff_id) DO UPDATE SET username = EXCLUDED.username, password_hash = EXCLUDED.password_hash, password_changed_at = now()`,
    [staffId, username, passwordHash],
  )
}
