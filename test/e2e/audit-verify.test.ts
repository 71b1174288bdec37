import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { appendAudit, type AuditEntry } from '@anxin/audit'
import { withTransaction } from '@anxin/db'
import { testDatabase, testStack, type TestDatabase } from '@anxin/testing'

/** `pnpm audit:verify` run as an operator would: a child process against a real database with real chains. */

const CLI = fileURLToPath(new URL('../../packages/audit/src/verify-cli.ts', import.meta.url))

type Run = { code: number; stdout: string; stderr: string }

function runCli(db: Pick<TestDatabase, 'url' | 'schema'>, args: string[] = []): Promise<Run> {
  return new Promise(resolve => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

async function chain(db: TestDatabase, orgId: string, entries: number): Promise<string[]> {
  const seqs: string[] = []
  for (let i = 0; i < entries; i++) {
    const entry: AuditEntry = {
      orgId, alarmId: null, residentId: `res-${i}`, actorKind: 'staff', actorId: 'op-1', action: 'view_resident', channel: 'console',
      at: new Date(Date.UTC(2026, 0, 1, 8, 0, i)).toISOString(), detail: { page: i },
    }
    await withTransaction(db.pool, client => appendAudit(client, entry))
    const { rows } = await db.pool.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_log WHERE org_id = $1', [orgId])
    seqs.push(rows[0]!.seq)
  }
  return seqs
}

t.test('intact chains: exit 0, one line per organisation with its count', async t => {
  const db = await testDatabase(t, await testStack())
  await db.pool.query(`INSERT INTO organisations (id, name) VALUES ('org-a', 'A'), ('org-b', 'B'), ('org-empty', 'E')`)
  // Interleaved, as several organisations audit at once: each chain is its own.
  await chain(db, 'org-a', 3)
  await chain(db, 'org-b', 2)
  await chain(db, 'org-a', 2)
  const all = await runCli(db)
  t.equal(all.code, 0, all.stderr)
  t.same(all.stdout.trim().split('\n'), ['org-a: 5 entries, chain intact', 'org-b: 2 entries, chain intact', 'org-empty: 0 entries, chain intact'])
  const one = await runCli(db, ['--org', 'org-b'])
  t.equal(one.code, 0)
  t.equal(one.stdout.trim(), 'org-b: 2 entries, chain intact')
})

t.test("an altered entry: exit 1 naming its seq as a hash mismatch; other organisations' chains still intact", async t => {
  const db = await testDatabase(t, await testStack())
  await db.pool.query(`INSERT INTO organisations (id, name) VALUES ('org-a', 'A'), ('org-b', 'B')`)
  const seqs = await chain(db, 'org-a', 5)
  await chain(db, 'org-b', 2)
  // Someone with the rights to switch the append-only guard off edits one entry.
  await db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
  await db.pool.query(`UPDATE audit_log SET detail = '{"page": 99}' WHERE seq = $1`, [seqs[2]])
  const r = await runCli(db)
  t.equal(r.code, 1)
  t.match(r.stdout, new RegExp(`^org-a: 5 entries, chain BROKEN at seq ${seqs[2]}: hash mismatch`, 'm'))
  t.match(r.stdout, /^org-b: 2 entries, chain intact$/m)
  t.match(r.stdout, /1 of 2 organisation chains broken/)
  t.equal((await runCli(db, ['--org', 'org-b'])).code, 0, 'verifying only the intact one passes')
})

t.test('a deleted entry in the middle: exit 1 naming the entry whose link broke', async t => {
  const db = await testDatabase(t, await testStack())
  await db.pool.query(`INSERT INTO organisations (id, name) VALUES ('org-a', 'A')`)
  const seqs = await chain(db, 'org-a', 5)
  await db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
  await db.pool.query('DELETE FROM audit_log WHERE seq = $1', [seqs[2]])
  const r = await runCli(db, ['--org', 'org-a'])
  t.equal(r.code, 1)
  t.match(r.stdout, new RegExp(`^org-a: 4 entries, chain BROKEN at seq ${seqs[3]}: broken link`, 'm'))
})

t.test('usage and connection problems: exit 2 with a clear message', async t => {
  const db = await testDatabase(t, await testStack())
  const unknownOption = await runCli(db, ['--organisation', 'x'])
  t.equal(unknownOption.code, 2)
  t.match(unknownOption.stderr, /usage: node packages\/audit\/src\/verify-cli\.ts/)
  const unknownOrg = await runCli(db, ['--org', 'org-nowhere'])
  t.equal(unknownOrg.code, 2)
  t.match(unknownOrg.stderr, /no organisation org-nowhere/)
  const unreachable = await runCli({ url: 'postgres://postgres:secret@127.0.0.1:1/anxin', schema: db.schema })
  t.equal(unreachable.code, 2)
  t.match(unreachable.stderr, /cannot read the audit log at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/anxin/)
  t.notMatch(unreachable.stderr, /secret/, 'the password is not printed')
  const noSchema = await runCli({ url: db.url, schema: 'no_such_schema' })
  t.equal(noSchema.code, 2)
  t.match(noSchema.stderr, /cannot read the audit log/)
})
