import type pg from 'pg'
import { permanentError, transientError } from '@anxin/errors'
import type { TimeSeriesRows } from '../domain/time-series-rows.ts'

/**
 * One multi-row INSERT per table from parallel arrays (unnest), in one transaction. ON CONFLICT DO NOTHING
 * on the (device, time, event id) keys makes a redelivered batch insert nothing twice.
 */
const STATEMENTS = {
  vitals: `INSERT INTO vitals (time, device_id, resident_id, event_id, heart_rate, spo2, systolic, diastolic, temperature, glucose, steps, received_at)
    SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::uuid[], $5::smallint[], $6::real[], $7::smallint[],
                         $8::smallint[], $9::real[], $10::real[], $11::integer[], $12::timestamptz[])
    ON CONFLICT DO NOTHING`,
  locations: `INSERT INTO locations (time, device_id, resident_id, event_id, lat, lon, accuracy_m, source, received_at)
    SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::uuid[], $5::float8[], $6::float8[], $7::real[], $8::text[], $9::timestamptz[])
    ON CONFLICT DO NOTHING`,
  status: `INSERT INTO device_status (time, device_id, event_id, battery, charging, worn, rssi, received_at)
    SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::real[], $5::boolean[], $6::boolean[], $7::smallint[], $8::timestamptz[])
    ON CONFLICT DO NOTHING`,
  events: `INSERT INTO device_events (time, device_id, resident_id, event_id, lane, type, detail, received_at)
    SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[])
    ON CONFLICT DO NOTHING`,
}

function columns<T>(rows: T[], pick: Array<(row: T) => unknown>): unknown[][] {
  return pick.map(get => rows.map(get))
}

export type WriteResult = Record<keyof TimeSeriesRows, number>

export async function writeTimeSeries(pool: pg.Pool, rows: TimeSeriesRows): Promise<WriteResult> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw transientError('database_unavailable', (error as Error).message, error)
  }
  const result: WriteResult = { vitals: 0, locations: 0, status: 0, events: 0 }
  try {
    await client.query('BEGIN')
    if (rows.vitals.length) {
      result.vitals = (await client.query(STATEMENTS.vitals, columns(rows.vitals, [
        r => r.time, r => r.deviceId, r => r.residentId, r => r.eventId, r => r.heartRate, r => r.spo2, r => r.systolic,
        r => r.diastolic, r => r.temperature, r => r.glucose, r => r.steps, r => r.receivedAt,
      ]))).rowCount ?? 0
    }
    if (rows.locations.length) {
      result.locations = (await client.query(STATEMENTS.locations, columns(rows.locations, [
        r => r.time, r => r.deviceId, r => r.residentId, r => r.eventId, r => r.lat, r => r.lon, r => r.accuracyM, r => r.source, r => r.receivedAt,
      ]))).rowCount ?? 0
    }
    if (rows.status.length) {
      result.status = (await client.query(STATEMENTS.status, columns(rows.status, [
        r => r.time, r => r.deviceId, r => r.eventId, r => r.battery, r => r.charging, r => r.worn, r => r.rssi, r => r.receivedAt,
      ]))).rowCount ?? 0
    }
    if (rows.events.length) {
      result.events = (await client.query(STATEMENTS.events, columns(rows.events, [
        r => r.time, r => r.deviceId, r => r.residentId, r => r.eventId, r => r.lane, r => r.type, r => JSON.stringify(r.detail), r => r.receivedAt,
      ]))).rowCount ?? 0
    }
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    // SQLSTATE classes 22 (data exception) and 23 (integrity violation) come from the rows themselves and
    // will fail again; anything else (connection lost, server restarting, disk full) is worth retrying.
    const sqlState = String((error as { code?: unknown }).code ?? '')
    if (/^2[23]/.test(sqlState)) throw permanentError('row_rejected', `${sqlState}: ${(error as Error).message}`, error)
    throw transientError('database_write_failed', (error as Error).message, error)
  } finally {
    client.release()
  }
}
