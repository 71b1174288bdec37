import { parseArgs } from 'node:util'
import type pg from 'pg'
import { createPool } from '@anxin/db'
import { verifyAuditChain } from './audit-log.ts'
import type { ChainBreak } from './audit-hash.ts'

/**
 * Recomputes the audit hash chain of every organisation (or one) and says per organisation whether it is
 * intact or where it first breaks. Exit 0: every chain intact; 1: a chain is broken; 2: the command could not
 * do its job (bad usage, database unreachable, unknown organisation). Uses DATABASE_URL and DATABASE_SCHEMA,
 * or the local stack's settings (.run/stack.env) when they are not set.
 *
 *   node packages/audit/src/verify-cli.ts [--org <id>]
 */

const USAGE = 'usage: node packages/audit/src/verify-cli.ts [--org <organisation id>]'

const WHY: Record<ChainBreak['reason'], string> = {
  hash_mismatch: "hash mismatch: the entry's content (actor, action, time, detail...) is not what was recorded",
  prev_hash_mismatch: 'broken link: its prev_hash is not the hash of the entry before it (an entry was removed, inserted or reordered)',
}

/** One line per organisation, as printed. */
export function describe(orgId: string, entries: number, broken: ChainBreak | null): string {
  return broken ? `${orgId}: ${entries} entries, chain BROKEN at seq ${broken.seq}: ${WHY[broken.reason]}` : `${orgId}: ${entries} entries, chain intact`
}

/** A connection string fit to print: without its password. */
const withoutPassword = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')

class UsageError extends Error {}

async function organisations(pool: pg.Pool, only: string | undefined): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ org_id: string; entries: string }>(
    `SELECT o.org_id, count(l.seq)::text AS entries
       FROM (SELECT id AS org_id FROM organisations UNION SELECT DISTINCT org_id FROM audit_log) o
       LEFT JOIN audit_log l ON l.org_id = o.org_id
      WHERE $1::text IS NULL OR o.org_id = $1
      GROUP BY o.org_id ORDER BY o.org_id`,
    [only ?? null],
  )
  if (only !== undefined && rows.length === 0) throw new UsageError(`no organisation ${only} (neither registered nor in the audit log)`)
  return new Map(rows.map(r => [r.org_id, Number(r.entries)]))
}

async function main(): Promise<number> {
  let org: string | undefined
  try {
    const { values } = parseArgs({ args: process.argv.slice(2).filter(a => a !== '--'), options: { org: { type: 'string' } }, strict: true })
    org = values.org
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  // `pnpm audit:verify` loads the local stack's .run/stack.env; variables already set win.
  const url = process.env.DATABASE_URL
  const schema = process.env.DATABASE_SCHEMA ?? 'anxin'
  if (!url) {
    console.error(`no database: set DATABASE_URL (and DATABASE_SCHEMA), or set up the local stack (pnpm stack up)\n${USAGE}`)
    return 2
  }
  const pool = createPool({ url, schema, applicationName: 'anxin-audit-verify', max: 1 })
  try {
    let orgs: Map<string, number>
    try {
      orgs = await organisations(pool, org)
    } catch (error) {
      if (error instanceof UsageError) console.error(error.message)
      else console.error(`cannot read the audit log at ${withoutPassword(url)} (schema ${schema}): ${(error as Error).message}`)
      return 2
    }
    if (orgs.size === 0) console.log('no organisations and no audit entries: nothing to verify')
    let broken = 0
    for (const [orgId, entries] of orgs) {
      const found = await verifyAuditChain(pool, orgId)
      if (found) broken++
      console.log(describe(orgId, entries, found))
    }
    if (broken > 0) console.log(`${broken} of ${orgs.size} organisation chains broken`)
    return broken > 0 ? 1 : 0
  } finally {
    await pool.end()
  }
}

process.exitCode = await main()
