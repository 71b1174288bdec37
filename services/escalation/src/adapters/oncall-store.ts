import type pg from 'pg'
import type { Holiday, Override, Rotation } from '../domain/schedule.ts'

export type OnCallData = { rotations: Rotation[]; overrides: Override[]; holidays: Holiday[] }

/** An organisation's rotations, overrides and holidays, as `whoIsOnDuty` takes them. */
export async function loadOnCall(db: pg.ClientBase | pg.Pool, orgId: string): Promise<OnCallData> {
  const rotations = await db.query(
    `SELECT id, role, area_id, timezone, members, to_char(start_date, 'YYYY-MM-DD') AS start_date,
            to_char(handoff_time, 'HH24:MI') AS handoff_time, shift_hours, active_days
     FROM oncall_rotations WHERE org_id = $1 ORDER BY id`,
    [orgId],
  )
  const ids = rotations.rows.map(r => r.id)
  const overrides = await db.query(
    'SELECT rotation_id, staff_id, starts_at, ends_at FROM oncall_overrides WHERE rotation_id = ANY($1) ORDER BY id',
    [ids],
  )
  const holidays = await db.query(
    `SELECT rotation_id, to_char(local_date, 'YYYY-MM-DD') AS local_date, staff_id FROM oncall_holidays WHERE rotation_id = ANY($1)`,
    [ids],
  )
  return {
    rotations: rotations.rows.map(r => ({
      id: r.id, role: r.role, areaId: r.area_id, timezone: r.timezone, members: r.members, startDate: r.start_date,
      handoffTime: r.handoff_time, shiftHours: r.shift_hours, ...(r.active_days ? { activeDays: r.active_days } : {}),
    })),
    overrides: overrides.rows.map(o => ({ rotationId: o.rotation_id, staffId: o.staff_id, start: o.starts_at.toISOString(), end: o.ends_at.toISOString() })),
    holidays: holidays.rows.map(h => ({ rotationId: h.rotation_id, date: h.local_date, staffId: h.staff_id })),
  }
}
