import type pg from 'pg'
import { createPool, migratePool, quoteIdent } from '@anxin/db'
import type { TestStack } from './stack.ts'
import { uniqueId } from './names.ts'
import type { Teardown } from './teardown.ts'

export type TestDatabase = { pool: pg.Pool; schema: string; url: string }

/** A freshly migrated schema of its own, dropped when the test ends. */
export async function testDatabase(t: Teardown, stack: TestStack): Promise<TestDatabase> {
  const schema = uniqueId('test_')
  const pool = createPool({ url: stack.databaseUrl, schema, applicationName: 'anxin-test', max: 4 })
  t.teardown(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => {})
    await pool.end()
  })
  await migratePool(pool, schema)
  return { pool, schema, url: stack.databaseUrl }
}
