import type pg from 'pg'
import type { SessionUser } from '../domain/session-user.ts'
import { scopeSql } from './console-context.ts'
import { deviceSummaries } from './device-status.ts'

/**
 * The maintenance list of the weekly device test (每周测试): active buttons and wearables (not in test mode)
 * whose last test, or binding or provisioning if later, is older than the organisation's interval. `due` up to
 * interval + grace, `overdue` after it (the alert service then raises `device_test_overdue` for a bound device).
 * The rule is services/alert/src/domain/device-test-rule.ts; this SQL must keep in step with it (strict
 * comparisons: exactly at the due instant is still ok). Scoped like the device list: area staff see the devices
 * of their area's residents; a device bound to nobody only organisation-wide staff.
 */

export type MaintenanceItem = {
  deviceId: string; type: string; model: string | null; residentId: string | null; residentName: string | null; areaId: string | null
  lastTestAt: string | null; dueAt: string; status: 'due' | 'overdue'; alarmId: string | null; offline: boolean; battery: number | null
}

export type MaintenanceSelection = { status?: 'due' | 'overdue'; after?: [string, string]; limit?: number }

type Row = {
  id: string; type: string; model: string | null; resident_id: string | null; resident_name: string | null; area_id: string | null
  last_test_at: Date | null; due_at: Date; overdue: boolean; alarm_id: string | null
}

const TESTED_TYPES = ['watch', 'sos_pendant', 'wall_button']

const LIST = `
SELECT x.*, a.id AS alarm_id FROM (
  SELECT d.id, d.type, d.model, b.resident_id, r.full_name AS resident_name, r.area_id, t.at AS last_test_at,
         -- To the millisecond, as the API shows it: a page cursor names exactly the last row shown.
         date_trunc('milliseconds', GREATEST(t.at, b.bound_at, d.created_at)) + make_interval(days => COALESCE(s.test_interval_days, 7)) AS due_at,
         GREATEST(t.at, b.bound_at, d.created_at)
           + make_interval(days => COALESCE(s.test_interval_days, 7) + COALESCE(s.test_grace_days, 2)) < $1 AS overdue
    FROM devices d
    LEFT JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
    LEFT JOIN residents r ON r.id = b.resident_id
    LEFT JOIN care_duty_settings s ON s.org_id = d.org_id
    LEFT JOIN LATERAL (SELECT at FROM device_tests WHERE device_id = d.id ORDER BY at DESC LIMIT 1) t ON true
   WHERE d.status = 'active' AND NOT d.test_mode AND d.type = ANY($2::text[]) AND %SCOPE%
) x
LEFT JOIN LATERAL (
  SELECT id FROM alarms WHERE resident_id = x.resident_id AND type = 'device_test_overdue' AND scope = x.id AND status = 'open' LIMIT 1
) a ON true
WHERE x.due_at < $1`

/** Most overdue first (by due instant, then id); `limit` rows plus one when a page is asked for. */
export async function maintenanceList(pool: pg.Pool, user: SessionUser, selection: MaintenanceSelection, now: Date): Promise<MaintenanceItem[]> {
  const values: unknown[] = [now, TESTED_TYPES]
  const scope = scopeSql(user, values, { org: 'd.org_id', area: 'r.area_id' })
  const where: string[] = []
  if (selection.status) where.push(selection.status === 'overdue' ? 'x.overdue' : 'NOT x.overdue')
  if (selection.after) where.push(`(x.due_at, x.id) > ($${values.push(selection.after[0])}::timestamptz, $${values.push(selection.after[1])})`)
  const limit = selection.limit === undefined ? '' : `LIMIT $${values.push(selection.limit + 1)}`
  const { rows } = await pool.query<Row>(
    `${LIST.replace('%SCOPE%', scope)} ${where.map(w => `AND ${w}`).join(' ')} ORDER BY x.due_at, x.id ${limit}`,
    values,
  )
  // Link state and battery as the device list shows them, for the rows of this page only.
  const states = new Map((await deviceSummaries(pool, user, { ids: rows.map(r => r.id) }, now)).map(d => [d.id, d]))
  return rows.map(r => {
    const state = states.get(r.id)
    return {
      deviceId: r.id, type: r.type, model: r.model, residentId: r.resident_id, residentName: r.resident_name, areaId: r.area_id,
      lastTestAt: r.last_test_at?.toISOString() ?? null, dueAt: r.due_at.toISOString(), status: r.overdue ? 'overdue' : 'due',
      alarmId: r.alarm_id, offline: state ? !state.online : true, battery: state?.battery ?? null,
    }
  })
}
