import { loadMigrations, selectMigrations, splitStatements, type Migration } from './migrations.ts'
import type { SqlExecutor } from './sql-executor.ts'
import { ensureTimescale } from './timescale.ts'
import { quoteIdent } from './identifiers.ts'

export type MigrationResult = { schema: string; timescale: boolean; applied: string[]; alreadyApplied: string[] }

/**
 * Brings `schema` up to date. Safe to run from several processes at once (an advisory lock serialises
 * them) and again and again (applied migrations are recorded with a checksum; an edited one is refused).
 */
export async function migrate(
  db: SqlExecutor,
  options: { schema: string; migrations?: Migration[] },
): Promise<MigrationResult> {
  const schema = options.schema
  const all = options.migrations ?? (await loadMigrations())
  await db.query('SELECT pg_advisory_lock(hashtext($1))', [`anxin-migrate:${schema}`])
  try {
    const timescale = await ensureTimescale(db)
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
    await db.exec(`SET search_path TO ${quoteIdent(schema)}, public`)
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, flavour text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Map(
      (await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')).rows.map(
        r => [r.name, r.checksum],
      ),
    )
    const result: MigrationResult = { schema, timescale, applied: [], alreadyApplied: [] }
    for (const migration of selectMigrations(all, timescale)) {
      const recorded = done.get(migration.name)
      if (recorded !== undefined) {
        if (recorded !== migration.checksum) {
          throw new Error(`migration ${migration.name} was changed after it was applied; add a new migration instead`)
        }
        result.alreadyApplied.push(migration.name)
        continue
      }
      await apply(db, migration)
      result.applied.push(migration.name)
    }
    return result
  } finally {
    await db.query('SELECT pg_advisory_unlock(hashtext($1))', [`anxin-migrate:${schema}`])
  }
}

async function apply(db: SqlExecutor, migration: Migration): Promise<void> {
  const record = ['INSERT INTO schema_migrations (name, flavour, checksum) VALUES ($1, $2, $3)', [
    migration.name,
    migration.flavour,
    migration.checksum,
  ]] as const
  if (migration.transactional) {
    await db.exec('BEGIN')
    try {
      await db.exec(migration.sql)
      await db.query(record[0], [...record[1]])
      await db.exec('COMMIT')
    } catch (error) {
      await db.exec('ROLLBACK')
      throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error })
    }
    return
  }
  for (const statement of splitStatements(migration.sql)) {
    try {
      await db.exec(statement)
    } catch (error) {
      throw new Error(`migration ${migration.name} failed at: ${statement.slice(0, 120)}: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  await db.query(record[0], [...record[1]])
}
