/**
 * Migration 0003's plain flavour on the real local PostgreSQL (no TimescaleDB): the rollups are ordinary views
 * and must give exactly the numbers the TimescaleDB continuous aggregates give (same fixture, same expected
 * rows as timescale.test.ts). Each run works in a schema of its own, dropped at the end.
 * TEST_DATABASE_URL overrides the server (it must not have TimescaleDB available).
 */
import t from 'tap'
import { createPool, migratePool } from '../src/pool.ts'
import { quoteIdent } from '../src/identifiers.ts'
import type { SqlExecutor } from '../src/sql-executor.ts'
import {
  EXPECTED_VITALS_1H,
  EXPECTED_VITALS_1M,
  VITALS_READINGS,
  countVitals,
  insertVitals,
  readRollup,
} from './vitals-fixture.ts'

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `test_${process.pid}_${Date.now()}`
const MIGRATIONS = ['0001_registry', '0002_timeseries', '0003_timeseries_storage', '0004_alerting', '0005_escalation', '0006_dispatch', '0007_console', '0008_care_registry', '0009_daily_contact']

const pool = createPool({ url, schema, max: 2, applicationName: 'anxin-db-plain-test' })
t.teardown(async () => {
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
  } finally {
    await pool.end()
  }
})

// Every pooled connection has search_path = <schema>, public (createPool), so unqualified names resolve here.
const db: SqlExecutor = {
  query: async <Row>(sql: string, params?: unknown[]) => (await pool.query(sql, params)) as unknown as { rows: Row[] },
  exec: sql => pool.query(sql),
}

t.test('migrate applies the plain flavour without TimescaleDB', async t => {
  const result = await migratePool(pool, schema)
  t.same(result, { schema, timescale: false, applied: MIGRATIONS, alreadyApplied: [] })

  const extension = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
  t.equal(extension.rows.length, 0, 'no TimescaleDB extension was created')

  const recorded = await db.query<{ name: string; flavour: string }>(
    'SELECT name, flavour FROM schema_migrations ORDER BY name',
  )
  t.same(recorded.rows, [
    { name: '0001_registry', flavour: 'common' },
    { name: '0002_timeseries', flavour: 'common' },
    { name: '0003_timeseries_storage', flavour: 'plain' },
    { name: '0004_alerting', flavour: 'common' },
    { name: '0005_escalation', flavour: 'common' },
    { name: '0006_dispatch', flavour: 'common' },
    { name: '0007_console', flavour: 'common' },
    { name: '0008_care_registry', flavour: 'common' },
    { name: '0009_daily_contact', flavour: 'common' },
  ])

  const kinds = await db.query<{ relname: string; relkind: string }>(
    `SELECT c.relname, c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname IN ('vitals', 'locations', 'device_status', 'device_events', 'vitals_1m', 'vitals_1h')
     ORDER BY c.relname`,
    [schema],
  )
  t.same(kinds.rows, [
    { relname: 'device_events', relkind: 'r' },
    { relname: 'device_status', relkind: 'r' },
    { relname: 'locations', relkind: 'r' },
    { relname: 'vitals', relkind: 'r' },
    { relname: 'vitals_1h', relkind: 'v' },
    { relname: 'vitals_1m', relkind: 'v' },
  ], 'ordinary tables, and the rollups are views in this schema')
})

t.test('vitals insert idempotently and the views give the continuous aggregates\' numbers', async t => {
  t.same(await insertVitals(db, VITALS_READINGS), VITALS_READINGS.map(r => r.eventId).sort())
  t.equal(await countVitals(db), VITALS_READINGS.length)
  t.same(await insertVitals(db, VITALS_READINGS), [], 'a redelivered batch inserts nothing')
  t.equal(await countVitals(db), VITALS_READINGS.length, 'row count unchanged by the redelivery')

  t.same(await readRollup(db, 'vitals_1m'), EXPECTED_VITALS_1M, 'vitals_1m')
  t.same(await readRollup(db, 'vitals_1h'), EXPECTED_VITALS_1H, 'vitals_1h')
})

t.test('a second migrate applies nothing', async t => {
  const result = await migratePool(pool, schema)
  t.same(result, { schema, timescale: false, applied: [], alreadyApplied: MIGRATIONS })
  t.equal(await countVitals(db), VITALS_READINGS.length, 'data untouched')
})

// A TIMESTAMPTZ literal without an offset is folded with the TimeZone of the session that runs the migration
// and stored in the view. Migrated from a zone with a non-whole-hour offset (India +05:30), such an origin
// would start hourly buckets at :30, unlike time_bucket; the views therefore spell the origin in UTC.
t.test('the plain rollups bucket in UTC whatever the TimeZone of the migrating session', async t => {
  const tzSchema = `${schema}_tz`
  const tzPool = createPool({ url, schema: tzSchema, max: 1, applicationName: 'anxin-db-plain-test-tz' })
  // Checked by the SHOW below; a failure here must not become an unhandled rejection.
  tzPool.on('connect', client => void client.query(`SET TimeZone = 'Asia/Kolkata'`).catch(() => {}))
  t.teardown(async () => {
    try {
      await tzPool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(tzSchema)} CASCADE`)
    } finally {
      await tzPool.end()
    }
  })
  const tzDb: SqlExecutor = {
    query: async <Row>(sql: string, params?: unknown[]) => (await tzPool.query(sql, params)) as unknown as { rows: Row[] },
    exec: sql => tzPool.query(sql),
  }
  t.equal((await migratePool(tzPool, tzSchema)).applied.length, MIGRATIONS.length)
  t.equal((await tzDb.query<{ TimeZone: string }>('SHOW TimeZone')).rows[0]?.TimeZone, 'Asia/Kolkata')
  await insertVitals(tzDb, VITALS_READINGS)
  t.same(await readRollup(tzDb, 'vitals_1m'), EXPECTED_VITALS_1M, 'vitals_1m')
  t.same(await readRollup(tzDb, 'vitals_1h'), EXPECTED_VITALS_1H, 'vitals_1h')
})
