/**
 * One source of truth for the vitals rollup tests: the raw readings and the exact `vitals_1m` / `vitals_1h`
 * rows they must produce. The TimescaleDB test (continuous aggregates) and the plain-PostgreSQL test (views
 * with date_bin) both insert these rows and compare against these numbers, so the two flavours of migration
 * 0003 are held to the same answers. The expected rows are worked out by hand, not computed from the
 * readings, so a wrong bucket or aggregate in either flavour shows up as a difference.
 */
import type { SqlExecutor } from '../src/sql-executor.ts'

export type VitalsReading = {
  /** ISO 8601, UTC. */
  time: string
  deviceId: string
  residentId: string
  eventId: string
  heartRate: number | null
  spo2: number | null
  steps: number | null
}

/** One row of `vitals_1m` or `vitals_1h`, as returned by {@link rollupQuery}. */
export type RollupRow = {
  bucket: string
  device_id: string
  resident_id: string
  samples: number
  heart_rate_avg: number | null
  heart_rate_min: number | null
  heart_rate_max: number | null
  spo2_avg: number | null
  steps_max: number | null
}

export const DEVICE_A = 'W00000001'
export const DEVICE_B = 'W00000002'
const RESIDENT_A = 'res-a'
const RESIDENT_B = 'res-b'

/** A deterministic, valid v4-shaped UUID per fixture row, so a re-insert reuses the same event id. */
export function fixtureEventId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

function reading(
  n: number,
  time: string,
  deviceId: string,
  heartRate: number | null,
  spo2: number | null,
  steps: number | null,
): VitalsReading {
  return {
    time,
    deviceId,
    residentId: deviceId === DEVICE_A ? RESIDENT_A : RESIDENT_B,
    eventId: fixtureEventId(n),
    heartRate,
    spo2,
    steps,
  }
}

/** Two watches, readings spread over three minutes and two hours of 2025-03-03 (UTC). */
export const VITALS_READINGS: readonly VitalsReading[] = [
  // Device A, minute 08:00: 70 / 80 / 90 -> avg 80, min 70, max 90; spo2 97 / 98 / 99 -> avg 98.
  reading(1, '2025-03-03T08:00:05.000Z', DEVICE_A, 70, 97, 100),
  reading(2, '2025-03-03T08:00:25.000Z', DEVICE_A, 80, 98, 120),
  reading(3, '2025-03-03T08:00:45.000Z', DEVICE_A, 90, 99, 140),
  // Device A, minute 08:01: 60 / 100 -> avg 80, min 60, max 100.
  reading(4, '2025-03-03T08:01:00.000Z', DEVICE_A, 60, 96, 150),
  reading(5, '2025-03-03T08:01:59.999Z', DEVICE_A, 100, 96, 160),
  // Device A, next hour.
  reading(6, '2025-03-03T09:30:00.000Z', DEVICE_A, 75, 95, 900),
  // Device B, minute 08:00: one reading without a heart rate -> 3 samples, heart rate avg over the other two.
  reading(7, '2025-03-03T08:00:10.000Z', DEVICE_B, 65, 94, null),
  reading(8, '2025-03-03T08:00:30.000Z', DEVICE_B, null, 95, null),
  reading(9, '2025-03-03T08:00:50.000Z', DEVICE_B, 67, 96, null),
  // Device B, the last millisecond of hour 08 and the first instant of hour 09 land in different buckets.
  reading(10, '2025-03-03T08:59:59.999Z', DEVICE_B, 99, null, null),
  reading(11, '2025-03-03T09:00:00.000Z', DEVICE_B, 50, 90, 10),
]

/** `vitals_1m`, ordered by device then bucket. */
export const EXPECTED_VITALS_1M: readonly RollupRow[] = [
  row('2025-03-03T08:00:00Z', DEVICE_A, 3, 80, 70, 90, 98, 140),
  row('2025-03-03T08:01:00Z', DEVICE_A, 2, 80, 60, 100, 96, 160),
  row('2025-03-03T09:30:00Z', DEVICE_A, 1, 75, 75, 75, 95, 900),
  row('2025-03-03T08:00:00Z', DEVICE_B, 3, 66, 65, 67, 95, null),
  row('2025-03-03T08:59:00Z', DEVICE_B, 1, 99, 99, 99, null, null),
  row('2025-03-03T09:00:00Z', DEVICE_B, 1, 50, 50, 50, 90, 10),
]

/** `vitals_1h`, ordered by device then bucket. */
export const EXPECTED_VITALS_1H: readonly RollupRow[] = [
  // (70 + 80 + 90 + 60 + 100) / 5 = 80; spo2 (97 + 98 + 99 + 96 + 96) / 5 = 97.2.
  row('2025-03-03T08:00:00Z', DEVICE_A, 5, 80, 60, 100, 97.2, 160),
  row('2025-03-03T09:00:00Z', DEVICE_A, 1, 75, 75, 75, 95, 900),
  // (65 + 67 + 99) / 3 = 77; spo2 (94 + 95 + 96) / 3 = 95.
  row('2025-03-03T08:00:00Z', DEVICE_B, 4, 77, 65, 99, 95, null),
  row('2025-03-03T09:00:00Z', DEVICE_B, 1, 50, 50, 50, 90, 10),
]

function row(
  bucket: string,
  deviceId: string,
  samples: number,
  heartRateAvg: number | null,
  heartRateMin: number | null,
  heartRateMax: number | null,
  spo2Avg: number | null,
  stepsMax: number | null,
): RollupRow {
  return {
    bucket,
    device_id: deviceId,
    resident_id: deviceId === DEVICE_A ? RESIDENT_A : RESIDENT_B,
    samples,
    heart_rate_avg: heartRateAvg,
    heart_rate_min: heartRateMin,
    heart_rate_max: heartRateMax,
    spo2_avg: spo2Avg,
    steps_max: stepsMax,
  }
}

/**
 * Inserts readings idempotently, as the ingestion service does, and returns the event ids the database
 * actually inserted (ON CONFLICT DO NOTHING returns nothing for a row already stored).
 */
export async function insertVitals(db: SqlExecutor, readings: readonly VitalsReading[]): Promise<string[]> {
  const params: unknown[] = []
  const values = readings.map(r => {
    const at = params.length
    params.push(r.time, r.deviceId, r.residentId, r.eventId, r.heartRate, r.spo2, r.steps)
    const p = (i: number) => `$${at + i}`
    return `(${p(1)}::timestamptz, ${p(2)}, ${p(3)}, ${p(4)}::uuid, ${p(5)}::smallint, ${p(6)}::real, ${p(7)}::integer, ${p(1)}::timestamptz + INTERVAL '1 second')`
  })
  const result = await db.query<{ event_id: string }>(
    `INSERT INTO vitals (time, device_id, resident_id, event_id, heart_rate, spo2, steps, received_at)
     VALUES ${values.join(',\n')}
     ON CONFLICT DO NOTHING
     RETURNING event_id::text AS event_id`,
    params,
  )
  return result.rows.map(r => r.event_id).sort()
}

export async function countVitals(db: SqlExecutor): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vitals')
  return result.rows[0]!.n
}

/**
 * Reads a rollup with engine-neutral types (text bucket in UTC, float8 averages, int counts), so node-postgres
 * and PGlite return identical JavaScript values. Only the fixture's devices, ordered as the expectations are.
 */
export function rollupQuery(view: 'vitals_1m' | 'vitals_1h'): string {
  return `SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS bucket,
                 device_id,
                 resident_id,
                 samples::int AS samples,
                 round(heart_rate_avg::numeric, 6)::float8 AS heart_rate_avg,
                 heart_rate_min::int AS heart_rate_min,
                 heart_rate_max::int AS heart_rate_max,
                 round(spo2_avg::numeric, 6)::float8 AS spo2_avg,
                 steps_max::int AS steps_max
          FROM ${view}
          WHERE device_id IN ('${DEVICE_A}', '${DEVICE_B}')
            AND bucket >= TIMESTAMPTZ '2025-03-03 00:00:00+00' AND bucket < TIMESTAMPTZ '2025-03-04 00:00:00+00'
          ORDER BY device_id, bucket`
}

export async function readRollup(db: SqlExecutor, view: 'vitals_1m' | 'vitals_1h'): Promise<RollupRow[]> {
  return (await db.query<RollupRow>(rollupQuery(view))).rows
}
