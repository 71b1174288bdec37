import t from 'tap'
import { testDatabase, testStack } from '@anxin/testing'
import { appendAudit, auditTrail, verifyAuditChain } from '../src/audit-log.ts'
import type { AuditEntry } from '../src/audit-hash.ts'

const entry = (n: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  orgId: 'org-a',
  alarmId: n % 2 ? '00000000-0000-5000-8000-000000000001' : '00000000-0000-5000-8000-000000000002',
  residentId: n % 2 ? 'res-1' : 'res-2',
  actorKind: 'staff',
  actorId: n % 3 ? 'staff-op1' : 'staff-op2',
  action: n === 0 ? 'acknowledge' : 'note',
  channel: 'console',
  at: new Date(Date.UTC(2026, 10, 22, 3, 12, n)).toISOString(),
  detail: { n, note: `通话记录 ${n}` },
  ...overrides,
})

t.test('the audit trail is a verifiable, append-only hash chain, queryable by alarm, resident and staff', async t => {
  const db = await testDatabase(t, await testStack())
  // Entries are written inside the transaction of the action they record; concurrent writers stay linear.
  await Promise.all(
    Array.from({ length: 20 }, async (_, n) => {
      const client = await db.pool.connect()
      try {
        await client.query('BEGIN')
        await appendAudit(client, entry(n))
        await client.query('COMMIT')
      } finally {
        client.release()
      }
    }),
  )
  const rolledBack = await db.pool.connect()
  await rolledBack.query('BEGIN')
  await appendAudit(rolledBack, entry(99))
  await rolledBack.query('ROLLBACK')
  rolledBack.release()
  t.equal(await verifyAuditChain(db.pool, 'org-a'), null, 'the chain verifies')
  t.equal((await auditTrail(db.pool, { alarmId: '00000000-0000-5000-8000-000000000001' })).length, 10)
  t.equal((await auditTrail(db.pool, { residentId: 'res-2' })).length, 10)
  t.equal((await auditTrail(db.pool, { staffId: 'staff-op2' })).length, 7, 'n = 0, 3, 6, ..., 18')
  t.notOk((await auditTrail(db.pool, { alarmId: '00000000-0000-5000-8000-000000000001' })).some(e => (e.detail as { n: number }).n === 99), 'a rolled-back action leaves no audit entry')

  await t.rejects(db.pool.query(`UPDATE audit_log SET action = 'acknowledge' WHERE seq = (SELECT max(seq) FROM audit_log)`), /append-only/)
  await t.rejects(db.pool.query('DELETE FROM audit_log'), /append-only/)

  // Someone with the rights to switch the guard off edits one entry: verification finds it.
  await db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
  const victim = (await db.pool.query<{ seq: string; detail: unknown }>('SELECT seq, detail FROM audit_log ORDER BY seq OFFSET 7 LIMIT 1')).rows[0]!
  await db.pool.query(`UPDATE audit_log SET detail = '{"n": 7, "note": "edited"}' WHERE seq = $1`, [victim.seq])
  t.same(await verifyAuditChain(db.pool, 'org-a'), { seq: victim.seq, reason: 'hash_mismatch' }, 'an edited entry is found')
  await db.pool.query('UPDATE audit_log SET detail = $2 WHERE seq = $1', [victim.seq, victim.detail])
  t.equal(await verifyAuditChain(db.pool, 'org-a'), null, 'restored, the chain verifies again')
  const [removed, after] = (await db.pool.query<{ seq: string }>('SELECT seq FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 2', [victim.seq])).rows
  await db.pool.query('DELETE FROM audit_log WHERE seq = $1', [removed!.seq])
  t.same(await verifyAuditChain(db.pool, 'org-a'), { seq: after!.seq, reason: 'prev_hash_mismatch' }, 'a removed entry is found')
})
