import pg from 'pg'
import type { SqlExecutor } from './sql-executor.ts'
import { quoteIdent } from './identifiers.ts'
import { migrate, type MigrationResult } from './migrate.ts'

export type PoolOptions = {
  url: string
  /** Every connection of the pool works in this schema (tests use a schema of their own). */
  schema: string
  max?: number
  applicationName: string
}

export function createPool(options: PoolOptions): pg.Pool {
  quoteIdent(options.schema)
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    options: `-c search_path=${options.schema},public`,
    connectionTimeoutMillis: 5000,
  })
  // An idle client that loses its connection (database restart) emits here; without a listener the
  // process would crash. The pool replaces the client on next use.
  pool.on('error', () => {})
  // The same for a client that is checked out when the connection drops: the query in flight rejects (and
  // the caller retries), but the client's 'error' event must not crash the process.
  pool.on('connect', client => client.on('error', () => {}))
  return pool
}

/** Wraps one checked-out node-postgres client as a `SqlExecutor` (migrations need a single session). */
export function executorFor(client: pg.ClientBase): SqlExecutor {
  return {
    query: async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params)) as unknown as { rows: Row[] },
    exec: sql => client.query(sql),
  }
}

/** Applies the migrations to the pool's schema over one dedicated connection. */
export async function migratePool(pool: pg.Pool, schema: string): Promise<MigrationResult> {
  const client = await pool.connect()
  try {
    return await migrate(executorFor(client), { schema })
  } finally {
    client.release()
  }
}
