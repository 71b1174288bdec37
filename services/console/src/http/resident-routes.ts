import type pg from 'pg'
import { z } from 'zod'
import { appendAudit } from '@anxin/audit'
import { withTransaction } from '@anxin/db'
import { auditConsole, type ConsoleAuditEntry } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { deviceSummaries, deviceSummarySchema, likePattern } from '../adapters/device-status.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, forbidden, notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'

// ---- Shared by the registry route modules (residents, devices, staff, schedules, policies) ----

export const limitSchema = z.coerce.number().int().min(1).max(200).default(50)
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'letters, digits, _ and -, 3 to 64 characters')
export const refSchema = z.string().min(1).max(64)

/** An opaque page position: the last row's sort key as base64url JSON. */
export const encodeCursor = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url')

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString())
  } catch {
    parsed = undefined
  }
  const result = schema.safeParse(parsed)
  if (!result.success) throw new ApiError(400, 'invalid_request', 'query: cursor: not a position in this list (pass back nextCursor unchanged)')
  return result.data
}

/** A page of `limit + 1` rows: the first `limit`, and the cursor of the last one shown when more follow. */
export function page<R, T>(rows: R[], limit: number, toItem: (row: R) => T, key: (row: R) => unknown): { items: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return { items: shown.map(toItem), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null }
}

export const invalid = (field: string, problem: string): ApiError => new ApiError(400, 'invalid_request', `body: ${field}: ${problem}`)

/**
 * An area the user may put people or rotas in: an area of their organisation and, for area staff, their own.
 * Refused ids are named as the field, so the form can show where the problem is.
 */
export async function checkArea(db: pg.Pool | pg.ClientBase, user: SessionUser, areaId: string | null, field = 'areaId'): Promise<void> {
  if (user.areaId && areaId !== user.areaId) throw forbidden(`${field}: you may only use your own area (${user.areaId})`)
  if (areaId === null) return
  const { rowCount } = await db.query('SELECT 1 FROM areas WHERE id = $1 AND org_id = $2', [areaId, user.orgId])
  if (!rowCount) throw invalid(field, `no area ${areaId} in your organisation`)
}

/** Records a change in the same transaction as the change, so neither commits without the other. */
export async function auditIn(client: pg.PoolClient, user: SessionUser, entry: ConsoleAuditEntry, at: Date): Promise<void> {
  await appendAudit(client, {
    orgId: user.orgId, alarmId: entry.alarmId ?? null, residentId: entry.residentId ?? null, actorKind: 'staff', actorId: user.staffId,
    action: entry.action, channel: 'console', at: at.toISOString(), detail: entry.detail ?? {},
  })
}

/** PostgreSQL's unique_violation: someone else created the same key between our check and our insert. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505'

// ---- Residents ----

export const RESIDENT_FLAGS = ['disabled', 'dementia', 'very_old', 'living_alone', 'empty_nest'] as const
export const CONDITIONS = ['hypertension', 'diabetes', 'heart_disease', 'copd', 'dementia', 'stroke_history'] as const
const GENDERS = ['female', 'male'] as const
const LIVING = ['alone', 'with_spouse', 'with_family', 'care_home'] as const
const CARE_LEVELS = ['independent', 'semi_dependent', 'dependent'] as const

type Flag = (typeof RESIDENT_FLAGS)[number]
// The column behind each flag; user text never reaches the SQL, only these names.
const FLAG_COLUMN: Record<Flag, string> = {
  disabled: 'flag_disabled', dementia: 'flag_dementia', very_old: 'flag_very_old', living_alone: 'flag_living_alone', empty_nest: 'flag_empty_nest',
}

const phoneSchema = z.string().trim().regex(/^\+?[0-9][0-9 -]{2,19}$/, 'a phone number: digits, spaces and -, optionally a leading +')
const unique = <T extends z.ZodType>(item: T) => z.array(item).refine(list => new Set(list).size === list.length, 'lists a value twice')
const contactSchema = z.object({
  fullName: z.string().trim().min(1).max(100),
  relation: z.string().trim().min(1).max(50),
  phone: phoneSchema,
}).strict()

const editable = {
  fullName: z.string().trim().min(1).max(100),
  gender: z.enum(GENDERS),
  birthDate: z.iso.date(),
  phone: phoneSchema.nullable(),
  address: z.string().trim().min(1).max(300),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  livingSituation: z.enum(LIVING),
  careLevel: z.enum(CARE_LEVELS),
  flags: unique(z.enum(RESIDENT_FLAGS)),
  conditions: unique(z.enum(CONDITIONS)),
  medicationNotes: z.string().max(2000).nullable(),
  assignedCarerId: refSchema.nullable(),
  familyDoctorId: refSchema.nullable(),
  areaId: refSchema.nullable(),
  contacts: z.array(contactSchema).max(10),
}
const createSchema = z.object({
  ...editable,
  id: idSchema,
  phone: editable.phone.optional(),
  lat: editable.lat.optional(),
  lon: editable.lon.optional(),
  flags: editable.flags.optional(),
  conditions: editable.conditions.optional(),
  medicationNotes: editable.medicationNotes.optional(),
  assignedCarerId: editable.assignedCarerId.optional(),
  familyDoctorId: editable.familyDoctorId.optional(),
  areaId: editable.areaId.optional(),
  contacts: editable.contacts.optional(),
}).strict()
const updateSchema = z.object(editable).partial().strict().refine(body => Object.keys(body).length > 0, 'names no field to change')
type ResidentFields = z.infer<typeof updateSchema>

// Where each scalar field is stored; flags, contacts and derived values are handled on their own.
const COLUMN: Partial<Record<keyof ResidentFields, string>> = {
  fullName: 'full_name', gender: 'gender', birthDate: 'birth_date', phone: 'phone', address: 'address', lat: 'lat', lon: 'lon',
  livingSituation: 'living_situation', careLevel: 'care_level', conditions: 'conditions', medicationNotes: 'medication_notes',
  assignedCarerId: 'assigned_carer_id', familyDoctorId: 'family_doctor_id', areaId: 'area_id',
}

const residentParams = z.object({ residentId: refSchema }).strict()
const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  areaId: refSchema.optional(),
  flag: z.enum(RESIDENT_FLAGS).optional(),
  limit: limitSchema,
  cursor: z.string().max(500).optional(),
}).strict()
const vitalsQuery = z.object({ hours: z.coerce.number().int().min(1).max(168).default(24) }).strict()
const nameKey = z.tuple([z.string(), z.string()])

export const staffRefSchema = z.object({ id: z.string(), fullName: z.string(), role: z.string(), areaId: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), active: z.boolean() })
const residentSummary = z.object({
  id: z.string(), fullName: z.string(), gender: z.enum(GENDERS), age: z.number(), areaId: z.string().nullable(), areaName: z.string().nullable(),
  address: z.string(), livingSituation: z.enum(LIVING), careLevel: z.enum(CARE_LEVELS), flags: z.array(z.enum(RESIDENT_FLAGS)), openAlarms: z.number(), devices: z.number(),
})
const residentDetail = residentSummary.omit({ devices: true }).extend({
  birthDate: z.string(), phone: z.string().nullable(), lat: z.number().nullable(), lon: z.number().nullable(), conditions: z.array(z.string()),
  medicationNotes: z.string().nullable(), assignedCarer: staffRefSchema.nullable(), familyDoctor: staffRefSchema.nullable(),
  contacts: z.array(z.object({ position: z.number(), fullName: z.string(), relation: z.string(), phone: z.string() })),
  devices: z.array(deviceSummarySchema),
  recentAlarms: z.array(z.object({ id: z.string(), type: z.string(), severity: z.string(), raisedAt: z.string(), state: z.string() })),
})
const point = z.object({ at: z.string(), avg: z.number(), min: z.number(), max: z.number() })
const vitalsAnswer = z.object({
  bucketSeconds: z.number(),
  series: z.object({ heartRate: z.array(point), spo2: z.array(point), systolic: z.array(point), diastolic: z.array(point), temperature: z.array(point), steps: z.array(point) }),
})

export type StaffRef = z.infer<typeof staffRefSchema>
export type ResidentSummary = z.infer<typeof residentSummary>
export type ResidentDetail = z.infer<typeof residentDetail>
export type VitalSeries = z.infer<typeof vitalsAnswer>

type SummaryRow = {
  id: string; full_name: string; gender: ResidentSummary['gender']; age: number; area_id: string | null; area_name: string | null; address: string
  living_situation: ResidentSummary['livingSituation']; care_level: ResidentSummary['careLevel']; open_alarms: number; devices: number
} & Record<(typeof FLAG_COLUMN)[Flag], boolean>

// Open as the alarm queue counts it (alarm-read-model.ts): a lifecycle not yet resolved or closed, or an
// alarm still open at the alert service that escalation has not taken in yet.
const SUMMARY = (nowParam: string) => `
SELECT r.id, r.full_name, r.gender, r.area_id, ar.name AS area_name, r.address, r.living_situation, r.care_level,
       r.flag_disabled, r.flag_dementia, r.flag_very_old, r.flag_living_alone, r.flag_empty_nest,
       date_part('year', age((${nowParam}::timestamptz AT TIME ZONE o.timezone)::date, r.birth_date))::int AS age,
       (SELECT count(*) FROM alarms a LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.id
         WHERE a.resident_id = r.id AND COALESCE(l.state, 'raised') NOT IN ('resolved', 'closed') AND (l.state IS NOT NULL OR a.status = 'open'))::int AS open_alarms,
       (SELECT count(*) FROM device_bindings b WHERE b.resident_id = r.id AND b.unbound_at IS NULL)::int AS devices
  FROM residents r
  JOIN organisations o ON o.id = r.org_id
  LEFT JOIN areas ar ON ar.id = r.area_id`

const toSummary = (r: SummaryRow): ResidentSummary => ({
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

/** The org's today, to refuse a birth date in the future. */
const todayIn = (timezone: string, now: Date): string => new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(now)

async function checkStaffRole(db: pg.ClientBase, user: SessionUser, staffId: string | null | undefined, role: 'carer' | 'doctor', field: string): Promise<void> {
  if (staffId === null || staffId === undefined) return
  const { rows } = await db.query<{ role: string; active: boolean }>('SELECT role, active FROM staff WHERE id = $1 AND org_id = $2', [staffId, user.orgId])
  const s = rows[0]
  if (!s) throw invalid(field, `no staff member ${staffId} in your organisation`)
  if (s.role !== role) throw invalid(field, `${staffId} is a ${s.role}, not a ${role}`)
  if (!s.active) throw invalid(field, `${staffId} no longer works here`)
}

async function checkFields(client: pg.ClientBase, user: SessionUser, body: ResidentFields, now: Date): Promise<void> {
  if (body.birthDate !== undefined && body.birthDate > todayIn(user.timezone, now)) throw invalid('birthDate', `${body.birthDate} is in the future`)
  if (body.areaId !== undefined) await checkArea(client, user, body.areaId)
  await checkStaffRole(client, user, body.assignedCarerId, 'carer', 'assignedCarerId')
  await checkStaffRole(client, user, body.familyDoctorId, 'doctor', 'familyDoctorId')
}

async function writeContacts(client: pg.ClientBase, residentId: string, contacts: ResidentFields['contacts']): Promise<void> {
  if (contacts === undefined) return
  await client.query('DELETE FROM emergency_contacts WHERE resident_id = $1', [residentId])
  if (contacts.length === 0) return
  await client.query(
    `INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone)
     SELECT $1, c.position, c.full_name, c.relation, c.phone
       FROM unnest($2::smallint[], $3::text[], $4::text[], $5::text[]) AS c(position, full_name, relation, phone)`,
    [residentId, contacts.map((_, i) => i + 1), contacts.map(c => c.fullName), contacts.map(c => c.relation), contacts.map(c => c.phone)],
  )
}

/** Each given field as a column and the SQL of its value, values appended to `values`. */
function assignments(body: ResidentFields, values: unknown[]): { column: string; value: string }[] {
  const out: { column: string; value: string }[] = []
  for (const [field, column] of Object.entries(COLUMN) as [keyof ResidentFields, string][]) {
    if (body[field] === undefined) continue
    values.push(body[field])
    out.push({ column, value: `$${values.length}` })
  }
  if (body.flags !== undefined) for (const flag of RESIDENT_FLAGS) out.push({ column: FLAG_COLUMN[flag], value: String(body.flags.includes(flag)) })
  return out
}

export function registerResidentRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/residents', tag: 'residents', summary: 'Residents in your scope, by name', permission: 'residents.read',
    query: listQuery, response: z.object({ items: z.array(residentSummary), nextCursor: z.string().nullable() }),
    handler: async ({ user, query }) => {
      const after = decodeCursor(query.cursor, nameKey)
      const now = context.now()
      const values: unknown[] = [now]
      const where = [scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })]
      if (query.q) {
        values.push(likePattern(query.q))
        where.push(`(r.full_name ILIKE $${values.length} OR r.address ILIKE $${values.length} OR r.phone ILIKE $${values.length})`)
      }
      if (query.areaId) {
        values.push(query.areaId)
        where.push(`r.area_id = $${values.length}`)
      }
      if (query.flag) where.push(`r.${FLAG_COLUMN[query.flag]}`)
      if (after) {
        values.push(after[0], after[1])
        where.push(`(r.full_name, r.id) > ($${values.length - 1}, $${values.length})`)
      }
      values.push(query.limit + 1)
      const { rows } = await pool.query<SummaryRow>(`${SUMMARY('$1')} WHERE ${where.join(' AND ')} ORDER BY r.full_name, r.id LIMIT $${values.length}`, values)
      // The list shows no health data, but who looked for whom is still worth knowing: one entry per page.
      const { cursor: _cursor, ...filter } = query
      await auditConsole(pool, user, { action: 'list_residents', detail: { filter, page: after ? 'next' : 'first', count: Math.min(rows.length, query.limit) } }, now)
      return page(rows, query.limit, toSummary, r => [r.full_name, r.id])
    },
  })

  api.route({
    method: 'GET', url: '/api/residents/:residentId', tag: 'residents', summary: "A resident's record (audited)", permission: 'residents.read',
    params: residentParams, response: residentDetail,
    handler: async ({ user, params }) => {
      const now = context.now()
      const detail = await loadResidentDetail(pool, user, params.residentId, now)
      if (!detail) throw notFound('resident')
      await auditConsole(pool, user, { action: 'view_resident', residentId: params.residentId }, now)
      return detail
    },
  })

  api.route({
    method: 'GET', url: '/api/residents/:residentId/vitals', tag: 'residents', summary: "A resident's vital signs over the last hours (audited)",
    permission: 'residents.read', params: residentParams, query: vitalsQuery, response: vitalsAnswer,
    handler: async ({ user, params, query }) => {
      const values: unknown[] = [params.residentId]
      const { rowCount } = await pool.query(`SELECT 1 FROM residents r WHERE r.id = $1 AND ${scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })}`, values)
      if (!rowCount) throw notFound('resident')
      const now = context.now()
      const answer = await loadVitalSeries(pool, params.residentId, query.hours, now)
      await auditConsole(pool, user, { action: 'view_vitals', residentId: params.residentId, detail: { hours: query.hours } }, now)
      return answer
    },
  })

  api.route({
    method: 'POST', url: '/api/residents', tag: 'residents', summary: 'Register a resident', permission: 'residents.write',
    body: createSchema, response: residentDetail, successStatus: 201,
    handler: async ({ user, body }) => {
      const now = context.now()
      const { id, ...fields } = body
      // Area staff register residents in their own area without having to say so.
      const areaId = fields.areaId === undefined ? user.areaId : fields.areaId
      const values: unknown[] = [id, user.orgId]
      const given = assignments({ ...fields, areaId }, values)
      try {
        await withTransaction(pool, async client => {
          await checkFields(client, user, { ...fields, areaId }, now)
          const inserted = await client.query(
            `INSERT INTO residents (id, org_id, ${given.map(a => a.column).join(', ')}) VALUES ($1, $2, ${given.map(a => a.value).join(', ')})
             ON CONFLICT (id) DO NOTHING`,
            values,
          )
          if (!inserted.rowCount) throw new ApiError(409, 'already_exists', `a resident with id ${id} already exists`)
          await writeContacts(client, id, fields.contacts)
          await auditIn(client, user, { action: 'create_resident', residentId: id, detail: { fields: Object.keys(body).sort() } }, now)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, 'already_exists', `a resident with id ${id} already exists`)
        throw error
      }
      return loadResidentDetail(pool, user, id, now)
    },
  })

  api.route({
    method: 'PATCH', url: '/api/residents/:residentId', tag: 'residents', summary: "Change a resident's record; contacts replace the list",
    permission: 'residents.write', params: residentParams, body: updateSchema, response: residentDetail,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const values: unknown[] = [params.residentId]
        const found = await client.query(`SELECT 1 FROM residents r WHERE r.id = $1 AND ${scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })} FOR UPDATE`, values)
        if (!found.rowCount) throw notFound('resident')
        await checkFields(client, user, body, now)
        const update: unknown[] = [params.residentId]
        const sets = assignments(body, update).map(a => `${a.column} = ${a.value}`)
        await client.query(`UPDATE residents SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`, update)
        await writeContacts(client, params.residentId, body.contacts)
        await auditIn(client, user, { action: 'update_resident', residentId: params.residentId, detail: { fields: Object.keys(body).sort() } }, now)
      })
      return loadResidentDetail(pool, user, params.residentId, now)
    },
  })
}
