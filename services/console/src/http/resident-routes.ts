import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { auditConsole, auditIn } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { likePattern } from '../adapters/device-status.ts'
import { recordRegistryChange } from '../adapters/registry-events.ts'
import {
  CARE_LEVELS, CONDITIONS, FLAG_COLUMN, GENDERS, LIVING, RESIDENT_FLAGS, SUMMARY, loadResidentDetail, loadVitalSeries, residentDetail, residentSummary,
  toSummary, vitalsAnswer, type SummaryRow,
} from '../adapters/resident-records.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, notFound } from './api-error.ts'
import { checkArea, decodeCursor, idSchema, invalid, isUniqueViolation, limitSchema, page, refSchema } from './registry-kit.ts'
import type { ApiRouter } from './route-kit.ts'

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

/** The org's today, to refuse a birth date in the future. */
export const todayIn = (timezone: string, now: Date): string => new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(now)

export async function checkStaffRole(db: pg.ClientBase, user: SessionUser, staffId: string | null | undefined, role: 'carer' | 'doctor', field: string): Promise<void> {
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
          await recordRegistryChange(client, user, { entity: 'resident', entityId: id, action: 'created', fields: Object.keys(body), residentIds: [id] }, now)
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
        await recordRegistryChange(client, user, { entity: 'resident', entityId: params.residentId, action: 'updated', fields: Object.keys(body), residentIds: [params.residentId] }, now)
      })
      return loadResidentDetail(pool, user, params.residentId, now)
    },
  })
}
