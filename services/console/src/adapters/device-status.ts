import type pg from 'pg'
import { z } from 'zod'
import type { SessionUser } from '../domain/session-user.ts'
import { scopeSql } from './console-context.ts'

export const DEVICE_TYPES = ['watch', 'sos_pendant', 'wall_button', 'door_sensor', 'pir_sensor', 'bed_sensor'] as const
export const DEVICE_STATES = ['online', 'offline', 'revoked'] as const

/** How long each kind of device may stay silent before it counts as offline, unless provisioned otherwise. */
export const DEFAULT_SUPERVISION_S: Record<(typeof DEVICE_TYPES)[number], number> = {
  watch: 600, sos_pendant: 3600, wall_button: 86_400, door_sensor: 3600, pir_sensor: 3600, bed_sensor: 3600,
}

/** A device as the console shows it (the OpenAPI document is built from this schema too). */
export const deviceSummarySchema = z.object({
  id: z.string(),
  type: z.string(),
  model: z.string().nullable(),
  firmware: z.string().nullable(),
  status: z.enum(['active', 'revoked']),
  /** Heard from within its supervision interval (and not revoked). */
  online: z.boolean(),
  lastSeenAt: z.string().nullable(),
  battery: z.number().nullable(),
  worn: z.boolean().nullable(),
  residentId: z.string().nullable(),
  residentName: z.string().nullable(),
  supervisionIntervalS: z.number().int(),
  /** Its alarms are test alarms: they go to the test view and nobody is called out. */
  testMode: z.boolean(),
  /** Its newest test signal (the weekly test of buttons and wearables); null: never tested. */
  lastTestAt: z.string().nullable(),
})
export type DeviceSummary = z.infer<typeof deviceSummarySchema>

/** Which devices: given ids, the ones a resident wears now, or a page of the list (keyset on id). */
export type DeviceSelection =
  | { ids: readonly string[] }
  | { residentId: string }
  | { q?: string; status?: (typeof DEVICE_STATES)[number]; type?: string; afterId?: string; limit: number }

type Row = {
  id: string; type: string; model: string | null; firmware: string | null; status: DeviceSummary['status']; supervision_interval_s: number; test_mode: boolean
  resident_id: string | null; resident_name: string | null; battery: number | null; worn: boolean | null; last_seen_at: Date | null; online: boolean
  last_test_at: Date | null
}

/** `%`, `_` and `\` in a search text are meant literally. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, c => `\\${c}`)}%`

// Last seen: the newest row of any of the device's time series. Each lateral reads one entry of the table's
// (device_id, time, event_id) primary-key index backwards, so this costs four index probes per device however
// much history there is. Battery and wear come from the newest status report.
const SUMMARY = `
SELECT d.id, d.type, d.model, d.firmware, d.status, d.supervision_interval_s, d.test_mode, b.resident_id, r.full_name AS resident_name,
       st.battery, st.worn, seen.at AS last_seen_at, dt.at AS last_test_at,
       (d.status = 'active' AND seen.at IS NOT NULL AND seen.at > $1::timestamptz - make_interval(secs => d.supervision_interval_s)) AS online
  FROM devices d
  LEFT JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
  LEFT JOIN residents r ON r.id = b.resident_id
  LEFT JOIN LATERAL (SELECT time, battery, worn FROM device_status WHERE device_id = d.id ORDER BY time DESC LIMIT 1) st ON true
  LEFT JOIN LATERAL (SELECT time FROM vitals WHERE device_id = d.id ORDER BY time DESC LIMIT 1) v ON true
  LEFT JOIN LATERAL (SELECT time FROM device_events WHERE device_id = d.id ORDER BY time DESC LIMIT 1) e ON true
  LEFT JOIN LATERAL (SELECT time FROM locations WHERE device_id = d.id ORDER BY time DESC LIMIT 1) lo ON true
  LEFT JOIN LATERAL (SELECT at FROM device_tests WHERE device_id = d.id ORDER BY at DESC LIMIT 1) dt ON true
  CROSS JOIN LATERAL (SELECT GREATEST(st.time, v.time, e.time, lo.time) AS at) seen`

const toSummary = (r: Row): DeviceSummary => ({
  id: r.id, type: r.type, model: r.model, firmware: r.firmware, status: r.status, online: r.online, lastSeenAt: r.last_seen_at?.toISOString() ?? null,
  battery: r.battery, worn: r.worn, residentId: r.resident_id, residentName: r.resident_name, supervisionIntervalS: r.supervision_interval_s, testMode: r.test_mode,
  lastTestAt: r.last_test_at?.toISOString() ?? null,
})

/**
 * Devices in the user's scope with their current state, ordered by id. Area staff see the devices worn by
 * residents of their area (a device in the drawer belongs to nobody's area, so only organisation-wide staff
 * see it). A list selection returns up to `limit + 1` rows so the caller can tell whether there is a next page.
 */
export async function deviceSummaries(db: pg.Pool | pg.ClientBase, user: SessionUser, selection: DeviceSelection, now: Date): Promise<DeviceSummary[]> {
  const values: unknown[] = [now]
  const where = [scopeSql(user, values, { org: 'd.org_id', area: 'r.area_id' })]
  // Conditions on `online`, which the inner query derives, apply to its rows.
  const derived: string[] = []
  let limit = ''
  if ('ids' in selection) {
    values.push(selection.ids)
    where.push(`d.id = ANY($${values.length}::text[])`)
  } else if ('residentId' in selection) {
    values.push(selection.residentId)
    where.push(`b.resident_id = $${values.length}`)
  } else {
    if (selection.q) {
      values.push(likePattern(selection.q))
      where.push(`(d.id ILIKE $${values.length} OR d.model ILIKE $${values.length})`)
    }
    if (selection.type) {
      values.push(selection.type)
      where.push(`d.type = $${values.length}`)
    }
    if (selection.status === 'revoked') where.push(`d.status = 'revoked'`)
    if (selection.status === 'online') derived.push('online')
    if (selection.status === 'offline') derived.push(`status = 'active' AND NOT online`)
    if (selection.afterId !== undefined) {
      values.push(selection.afterId)
      where.push(`d.id > $${values.length}`)
    }
    values.push(selection.limit + 1)
    limit = `LIMIT $${values.length}`
  }
  const { rows } = await db.query<Row>(
    `SELECT * FROM (${SUMMARY} WHERE ${where.join(' AND ')}) s ${derived.length > 0 ? `WHERE ${derived.join(' AND ')}` : ''} ORDER BY id ${limit}`,
    values,
  )
  return rows.map(toSummary)
}
