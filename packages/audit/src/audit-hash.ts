import { createHash } from 'node:crypto'

/** One audited action. `at` is an ISO instant with millisecond precision (it must round-trip exactly). */
export type AuditEntry = {
  orgId: string
  alarmId: string | null
  residentId: string | null
  actorKind: 'staff' | 'contact' | 'system'
  actorId: string
  action: string
  channel: string
  at: string
  detail: Record<string, unknown>
}

/** The hash the chain starts from, per organisation. */
export const GENESIS_HASH = '0'.repeat(64)

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** sha256 over the previous hash and the entry: altering, inserting or removing an entry breaks the chain. */
export function auditHash(prevHash: string, entry: AuditEntry): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(entry)).digest('hex')
}

export type ChainBreak = { seq: string; reason: 'prev_hash_mismatch' | 'hash_mismatch' }

/** Walks stored entries in order and reports the first that does not follow from the one before. */
export function verifyChain(rows: Array<{ seq: string; prevHash: string; hash: string; entry: AuditEntry }>): ChainBreak | null {
  let expectedPrev = GENESIS_HASH
  for (const row of rows) {
    if (row.prevHash !== expectedPrev) return { seq: row.seq, reason: 'prev_hash_mismatch' }
    if (auditHash(row.prevHash, row.entry) !== row.hash) return { seq: row.seq, reason: 'hash_mismatch' }
    expectedPrev = row.hash
  }
  return null
}
