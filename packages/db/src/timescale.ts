import type { SqlExecutor } from './sql-executor.ts'

/**
 * True when TimescaleDB can be used: the extension is installed in the database, or is available and can be
 * created now. A server where the package exists but is not preloaded answers false (and the plain
 * PostgreSQL schema is used) instead of failing.
 */
export async function ensureTimescale(db: SqlExecutor): Promise<boolean> {
  const installed = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
  if (installed.rows.length > 0) return true
  const available = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`)
  if (available.rows.length === 0) return false
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb')
    return true
  } catch {
    return false
  }
}
