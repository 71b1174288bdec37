import type pg from 'pg'
import { z } from 'zod'
import type { SessionUser } from '../domain/session-user.ts'
import { scopeSql } from './console-context.ts'
import { deviceSummaries, deviceSummarySchema } from './device-status.ts'

/** Residents as the console shows them (list rows, the full record, vital-sign series) and the staff references in them. */

export const RESIDENT_FLAGS = ['disabled', 'dementia', 'very_old', 'living_alone', 'empty_nest'] as const
export const CONDITIONS = ['hypertension', 'diabetes', 'heart_disease', 'copd', 'dementia', 'stroke_history'] as const
export const GENDERS = ['female', 'male'] as const
export const LIVING = ['alone', 'with_spouse', 'with_family', 'care_home'] as const
export const CARE_LEVELS = ['independent', 'semi_dependent', 'dependent'] as const

export type Flag = (typeof RESIDENT_FLAGS)[number]
// The column behind each flag; user text never reaches the SQL, only these names.
export const FLAG_COLUMN: Record<Flag, string> = {
  disabled: 'flag_disabled', dementia: 'flag_dementia', very_old: 'flag_very_old', living_alone: 'flag_living_alone', empty_nest: 'flag_empty_nest',
}

export const staffRefSchema = z.object({ id: z.string(), fullName: z.string(), role: z.string(), areaId: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), active: z.boolean() })
export const residentSummary = z.object({
  id: z.string(), fullName: z.string(), gender: z.enum(GENDERS), age: z.number(), areaId: z.string().nullable(), areaName: z.string().nullable(),
  address: z.string(), livingSituation: z.enum(LIVING), careLevel: z.enum(CARE_LEVELS), flags: z.array(z.enum(RESIDENT_FLAGS)), openAlarms: z.number(), devices: z.number(),
})
export const residentDetail = residentSummary.omit({ devices: true }).extend({
  birthDate: z.string(), phone: z.string().nullable(), lat: z.number().nullable(), lon: z.number().nullable(), conditions: z.array(z.string()),
  medicationNotes: z.string().nullable(), assignedCarer: staffRefSchema.nullable(), familyDoctor: staffRefSchema.nullable(),
  contacts: z.array(z.object({ position: z.number(), fullName: z.string(), relation: z.string(), phone: z.string() })),
  devices: z.array(deviceSummarySchema),
  recentAlarms: z.array(z.object({ id: z.string(), type: z.string(), severity: z.string(), raisedAt: z.string(), state: z.string() })),
})
const point = z.object({ at: z.string(), avg: z.number(), min: z.number(), max: z.number() })
export const vitalsAnswer = z.object({
  bucketSeconds: z.number(),
  series: z.object({ heartRate: z.array(point), spo2: z.array(point), systolic: z.array(point), diastolic: z.array(point), temperature: z.array(point), steps: z.array(point) }),
})

export type StaffRef = z.infer<typeof staffRefSchema>
export type ResidentSummary = z.infer<typeof residentSummary>
export type ResidentDetail = z.infer<typeof residentDetail>
export type VitalSeries = z.infer<typeof vitalsAnswer>

export type SummaryRow = {
  id: string; full_name: string; gender: ResidentSummary['gender']; age: number; area_id: string | null; area_name: string | null; address: string
  living_situation: ResidentSummary['livingSituation']; care_level: ResidentSummary['careLevel']; open_alarms: number; devices: number
} & Record<(typeof FLAG_COLUMN)[Flag], boolean>

// Open as the alarm queue counts it (alarm-read-model.ts): a lifecycle not yet resolved or closed, or an
// alarm still open at the alert service that escalation has not taken in yet.
export const SUMMARY = (nowParam: string) => `
SELECT r.id, r.full_name, r.gender, r.area_id, ar.name AS area_name, r.address, r.living_situation, r.care_level,
       r.flag_disabled, r.flag_dementia, r.flag_very_old, r.flag_living_alone, r.flag_empty_nest,
       date_part('year', age((${nowParam}::timestamptz AT TIME ZONE o.timezone)::date, r.birth_date))::int AS age,
       (SELECT count(*) FROM alarms a LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.id
         WHERE a.resident_id = r.id AND NOT a.test AND COALESCE(l.state, 'raised') NOT IN ('resolved', 'closed') AND (l.state IS NOT NULL OR a.status = 'open'))::int AS open_alarms,
       (SELECT count(*) FROM device_bindings b WHERE b.resident_id = r.id AND b.unbound_at IS NULL)::int AS devices
  FROM residents r
  JOIN organisations o ON o.id = r.org_id
  LEFT JOIN areas ar ON ar.id = r.area_id`

export const toSummary = (r: SummaryRow): ResidentSummary => ({
  id: r.id, fullName: r.full_name, gender: r.gender, age: r.age, areaId: r.area_id, areaName: r.area_name, address: r.address,
  livingSituation: r.living_situation, careLevel: r.care_level, flags: RESIDENT_FLAGS.filter(f => r[FLAG_COLUMN[f]]), openAlarms: r.open_alarms, devices: r.devices,
})

/** A resident's record as the console shows it; null when there is none in the user's scope. */
export async function loadResidentDetail(db: pg.Pool | pg.ClientBase, user: SessionUser, residentId: string, now: Date): Promise<ResidentDetail | null> {
  const values: unknown[] = [now, residentId]
  const scope = scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })
  const { rows } = await db.query<SummaryRow & {
    birth_date: string; phone: string | null; lat: number | null; lon: number | null; conditions: string[]; medication_notes: string | null
    assigned_carer_id: string | null; family_doctor_id: string | null
  }>(
    `SELECT s.*, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, r.phone, r.lat, r.lon, r.conditions, r.medication_notes,
            r.assigned_carer_id, r.family_doctor_id
       FROM (${SUMMARY('$1')} WHERE r.id = $2 AND ${scope}) s JOIN residents r ON r.id = s.id`,
    values,
  )
  const r = rows[0]
  if (!r) return null
  const [contacts, staff, devices, alarms] = await Promise.all([
    db.query<{ position: number; full_name: string; relation: string; phone: string }>(
      'SELECT position, full_name, relation, phone FROM emergency_contacts WHERE resident_id = $1 ORDER BY position', [residentId]),
    db.query<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = ANY($1::text[]) AND org_id = $2`, [[r.assigned_carer_id, r.family_doctor_id].filter(Boolean), user.orgId]),
    deviceSummaries(db, user, { residentId }, now),
    db.query<{ id: string; type: string; severity: string; raised_at: Date; state: string }>(
      `SELECT a.id, a.type, a.severity, a.raised_at, COALESCE(l.state, 'raised') AS state
         FROM alarms a LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.id
        WHERE a.resident_id = $1 ORDER BY a.raised_at DESC, a.id DESC LIMIT 10`, [residentId]),
  ])
  const staffById = new Map(staff.rows.map(s => [s.id, toStaffRef(s)]))
  const { devices: _count, ...summary } = toSummary(r)
  return {
    ...summary, birthDate: r.birth_date, phone: r.phone, lat: r.lat, lon: r.lon, conditions: r.conditions, medicationNotes: r.medication_notes,
    assignedCarer: (r.assigned_carer_id && staffById.get(r.assigned_carer_id)) || null,
    familyDoctor: (r.family_doctor_id && staffById.get(r.family_doctor_id)) || null,
    contacts: contacts.rows.map(c => ({ position: c.position, fullName: c.full_name, relation: c.relation, phone: c.phone })),
    devices,
    recentAlarms: alarms.rows.map(a => ({ id: a.id, type: a.type, severity: a.severity, raisedAt: a.raised_at.toISOString(), state: a.state })),
  }
}

export type StaffRow = { id: string; full_name: string; role: string; area_id: string | null; phone: string | null; email: string | null; active: boolean }
export const STAFF_COLUMNS = 'id, full_name, role, area_id, phone, email, active'
export const toStaffRef = (s: StaffRow): StaffRef => ({ id: s.id, fullName: s.full_name, role: s.role, areaId: s.area_id, phone: s.phone, email: s.email, active: s.active })

const SERIES = {
  heartRate: { avg: 'heart_rate_avg', min: 'heart_rate_min', max: 'heart_rate_max' },
  spo2: { avg: 'spo2_avg', min: 'spo2_min', max: 'spo2_avg' },
  systolic: { avg: 'systolic_avg', min: 'systolic_avg', max: 'systolic_max' },
  diastolic: { avg: 'diastolic_avg', min: 'diastolic_avg', max: 'diastolic_max' },
  temperature: { avg: 'temperature_avg', min: 'temperature_avg', max: 'temperature_max' },
  steps: { avg: 'steps_max', min: 'steps_max', max: 'steps_max' },
} as const
type SeriesName = keyof typeof SERIES

/** Chart resolution by window: about 288, 144 and up to 168 points, enough for a chart and light to send. */
export const bucketSecondsFor = (hours: number): number => (hours <= 24 ? 300 : hours <= 72 ? 1800 : 3600)

/**
 * A resident's vital signs over the last `hours`, from the one-minute rollup re-bucketed for the chart. Each
 * minute counts once in an average (a minute with a burst of readings does not outweigh a quiet one); minima
 * and maxima come from the rollup's own min/max columns where it keeps them, else from the minute averages.
 * Values are rounded to two decimals (`real` columns would otherwise show 36.900001525878906).
 * The caller has checked that the user may see this resident.
 */
export async function loadVitalSeries(pool: pg.Pool | pg.ClientBase, residentId: string, hours: number, now: Date): Promise<VitalSeries> {
  const bucketSeconds = bucketSecondsFor(hours)
  const names = Object.keys(SERIES) as SeriesName[]
  const columns = names.flatMap(name => {
    const c = SERIES[name]
    return [
      `round(avg(${c.avg})::numeric, 2)::float8 AS "${name}_avg"`,
      `round(min(${c.min})::numeric, 2)::float8 AS "${name}_min"`,
      `round(max(${c.max})::numeric, 2)::float8 AS "${name}_max"`,
    ]
  })
  const { rows } = await pool.query<Record<string, number | null> & { at: Date }>(
    `SELECT date_bin(make_interval(secs => $4), bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS at, ${columns.join(', ')}
       FROM vitals_1m
      WHERE resident_id = $1 AND bucket >= $2 AND bucket <= $3
      GROUP BY 1 ORDER BY 1`,
    [residentId, new Date(now.getTime() - hours * 3600_000), now, bucketSeconds],
  )
  const series = Object.fromEntries(names.map(name => [
    name,
    rows.flatMap(r => {
      const avg = r[`${name}_avg`]
      const min = r[`${name}_min`]
      const max = r[`${name}_max`]
      return avg === null || avg === undefined || min == null || max == null ? [] : [{ at: r.at.toISOString(), avg, min, max }]
    }),
  ])) as VitalSeries['series']
  return { bucketSeconds, series }
}

