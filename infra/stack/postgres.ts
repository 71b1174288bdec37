import { execSync } from 'node:child_process'
import pg from 'pg'
import { createPool, migratePool, type MigrationResult } from '@anxin/db'
import type { StackSettings } from './settings.ts'
import { waitForPort, isPortOpen } from './ports.ts'

/** The machine's PostgreSQL: started if it is installed but stopped, then the database is created and migrated. */
export async function ensurePostgres(settings: StackSettings): Promise<MigrationResult> {
  const url = new URL(settings.DATABASE_URL)
  const port = Number(url.port || 5432)
  if (!(await isPortOpen(port))) {
    execSync('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', { stdio: 'inherit' })
    await waitForPort(port, { timeoutMs: 30000 })
  }
  const admin = new pg.Client({ connectionString: settings.DATABASE_ADMIN_URL })
  await admin.connect()
  try {
    const database = url.pathname.slice(1)
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`)
  } finally {
    await admin.end()
  }
  const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'anxin-stack' })
  try {
    return await migratePool(pool, settings.DATABASE_SCHEMA)
  } finally {
    await pool.end()
  }
}
