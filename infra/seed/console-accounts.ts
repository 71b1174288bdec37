import type pg from 'pg'
import { hashPassword } from '@anxin/credentials'
import type { DemoDistrict } from './demo-district.ts'

export type DemoAccount = { username: string; role: string; fullName: string }

const FIRST_OF_ROLE: Record<string, string> = { administrator: 'admin', supervisor: 'supervisor', operator: 'operator', auditor: 'auditor', carer: 'carer', doctor: 'doctor' }

/**
 * Console sign-ins for the demo staff: the first person of each role gets the role's name as username
 * (admin, supervisor, operator, auditor, carer, doctor), everyone else their staff id. All share the demo
 * password of this installation, hashed once (argon2id), which only a demo may do. The password is set again
 * on every run, so the one `pnpm start` prints always works (the database outlives a checkout and its
 * settings file).
 */
export async function loadConsoleAccounts(pool: pg.Pool, district: DemoDistrict, password: string): Promise<DemoAccount[]> {
  const hash = await hashPassword(password)
  const named = new Set<string>()
  const accounts: DemoAccount[] = []
  for (const s of district.staff) {
    const friendly = FIRST_OF_ROLE[s.role]
    const username = friendly && !named.has(friendly) ? friendly : s.id
    named.add(username)
    await pool.query(
      `INSERT INTO console_accounts (staff_id, username, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (staff_id) DO UPDATE SET username = EXCLUDED.username, password_hash = EXCLUDED.password_hash, password_changed_at = now()`,
      [s.id, username, hash],
    )
    accounts.push({ username, role: s.role, fullName: s.fullName })
  }
  return accounts
}
