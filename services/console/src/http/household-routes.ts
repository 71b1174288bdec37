import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { auditConsole, auditIn } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { likePattern } from '../adapters/device-status.ts'
import { findHousehold, HOUSEHOLD_SELECT, householdMembers, householdSchema, toHouseholds, type HouseholdRow } from '../adapters/household-records.ts'
import { recordRegistryChange } from '../adapters/registry-events.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, notFound } from './api-error.ts'
import { checkArea, decodeCursor, idSchema, invalid, isUniqueViolation, limitSchema, page, refSchema } from './registry-kit.ts'
import { checkStaffRole } from './resident-routes.ts'
import type { ApiRouter } from './route-kit.ts'

const editable = {
  areaId: refSchema.nullable(),
  address: z.string().trim().min(1).max(300),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  assignedCarerId: refSchema.nullable(),
}
const createSchema = z.object({
  id: idSchema, ...editable, areaId: editable.areaId.optional(), lat: editable.lat.optional(), lon: editable.lon.optional(), assignedCarerId: editable.assignedCarerId.optional(),
}).strict()
const updateSchema = z.object(editable).partial().strict().refine(body => Object.keys(body).length > 0, 'names no field to change')
type HouseholdFields = z.infer<typeof updateSchema>

const COLUMN = { areaId: 'area_id', address: 'address', lat: 'lat', lon: 'lon', assignedCarerId: 'assigned_carer_id' } as const

const householdParams = z.object({ householdId: refSchema }).strict()
const residentParams = z.object({ residentId: refSchema }).strict()
const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  areaId: refSchema.optional(),
  limit: limitSchema,
  cursor: z.string().max(500).optional(),
}).strict()
const membershipSchema = z.object({ householdId: refSchema.nullable() }).strict()

/**
 * 定人包户: the household's carer answers for everyone living in it, so setting it makes them each member's
 * assigned carer (whom escalation's `assigned_carer` step calls). Taking the carer away leaves theirs as it is.
 */
async function carerToMembers(client: pg.ClientBase, householdId: string, carerId: string | null): Promise<void> {
  if (carerId === null) return
  await client.query('UPDATE residents SET assigned_carer_id = $2, updated_at = now() WHERE household_id = $1 AND assigned_carer_id IS DISTINCT FROM $2', [householdId, carerId])
}

async function checkFields(client: pg.ClientBase, user: SessionUser, body: HouseholdFields): Promise<void> {
  if (body.areaId !== undefined) await checkArea(client, user, body.areaId)
  await checkStaffRole(client, user, body.assignedCarerId, 'carer', 'assignedCarerId')
}

export function registerHouseholdRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context
  const answer = async (db: pg.Pool | pg.ClientBase, user: SessionUser, id: string) => {
    const row = await findHousehold(db, user, id)
    if (!row) throw notFound('household')
    return (await toHouseholds(db, user, [row], context.now()))[0]
  }

  api.route({
    method: 'GET', url: '/api/households', tag: 'households', summary: 'Households in your scope, by id', permission: 'residents.read',
    query: listQuery, response: z.object({ items: z.array(householdSchema), nextCursor: z.string().nullable() }),
    handler: async ({ user, query }) => {
      const after = decodeCursor(query.cursor, z.string())
      const values: unknown[] = []
      const where = [scopeSql(user, values, { org: 'h.org_id', area: 'h.area_id' })]
      if (query.q) {
        values.push(likePattern(query.q))
        where.push(`(h.id ILIKE $${values.length} OR h.address ILIKE $${values.length}
          OR EXISTS (SELECT 1 FROM residents m WHERE m.household_id = h.id AND m.full_name ILIKE $${values.length}))`)
      }
      if (query.areaId) {
        values.push(query.areaId)
        where.push(`h.area_id = $${values.length}`)
      }
      if (after !== undefined) {
        values.push(after)
        where.push(`h.id > $${values.length}`)
      }
      values.push(query.limit + 1)
      const { rows } = await pool.query<HouseholdRow>(`${HOUSEHOLD_SELECT} WHERE ${where.join(' AND ')} ORDER BY h.id LIMIT $${values.length}`, values)
      const now = context.now()
      const shown = page(rows, query.limit, row => row, row => row.id)
      // Member names are personal data: who listed them is worth knowing, one entry per page.
      const { cursor: _cursor, ...filter } = query
      await auditConsole(pool, user, { action: 'list_households', detail: { filter, page: after ? 'next' : 'first', count: shown.items.length } }, now)
      return { items: await toHouseholds(pool, user, shown.items, now), nextCursor: shown.nextCursor }
    },
  })

  api.route({
    method: 'GET', url: '/api/households/:householdId', tag: 'households', summary: 'A household with its members and carer', permission: 'residents.read',
    params: householdParams, response: householdSchema,
    handler: async ({ user, params }) => answer(pool, user, params.householdId),
  })

  api.route({
    method: 'POST', url: '/api/households', tag: 'households', summary: 'Register a household', permission: 'residents.write',
    body: createSchema, response: householdSchema, successStatus: 201,
    handler: async ({ user, body }) => {
      const now = context.now()
      const { id, ...fields } = body
      const areaId = fields.areaId === undefined ? user.areaId : fields.areaId
      try {
        await withTransaction(pool, async client => {
          await checkFields(client, user, { ...fields, areaId })
          const inserted = await client.query(
            `INSERT INTO households (id, org_id, area_id, address, lat, lon, assigned_carer_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
            [id, user.orgId, areaId, fields.address, fields.lat ?? null, fields.lon ?? null, fields.assignedCarerId ?? null])
          if (!inserted.rowCount) throw new ApiError(409, 'already_exists', `a household with id ${id} already exists`)
          await auditIn(client, user, { action: 'create_household', detail: { householdId: id, fields: Object.keys(body).sort() } }, now)
          await recordRegistryChange(client, user, { entity: 'household', entityId: id, action: 'created', fields: Object.keys(body), residentIds: [] }, now)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, 'already_exists', `a household with id ${id} already exists`)
        throw error
      }
      return answer(pool, user, id)
    },
  })

  api.route({
    method: 'PATCH', url: '/api/households/:householdId', tag: 'households', summary: "Change a household; a new carer becomes its members' assigned carer",
    permission: 'residents.write', params: householdParams, body: updateSchema, response: householdSchema,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        if (!(await findHousehold(client, user, params.householdId, true))) throw notFound('household')
        await checkFields(client, user, body)
        const values: unknown[] = [params.householdId]
        const sets = (Object.keys(COLUMN) as (keyof typeof COLUMN)[]).flatMap(field => {
          if (body[field] === undefined) return []
          values.push(body[field])
          return [`${COLUMN[field]} = $${values.length}`]
        })
        await client.query(`UPDATE households SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`, values)
        if (body.assignedCarerId !== undefined) await carerToMembers(client, params.householdId, body.assignedCarerId)
        const members = await householdMembers(client, params.householdId)
        if (body.areaId !== undefined && body.areaId !== null) {
          // A household is one dwelling: its members live in its area.
          await client.query('UPDATE residents SET area_id = $2, updated_at = now() WHERE household_id = $1 AND area_id IS DISTINCT FROM $2', [params.householdId, body.areaId])
        }
        await auditIn(client, user, { action: 'update_household', detail: { householdId: params.householdId, fields: Object.keys(body).sort() } }, now)
        await recordRegistryChange(client, user, { entity: 'household', entityId: params.householdId, action: 'updated', fields: Object.keys(body), residentIds: members }, now)
      })
      return answer(pool, user, params.householdId)
    },
  })

  api.route({
    method: 'PUT', url: '/api/residents/:residentId/household', tag: 'households',
    summary: "Move a resident into a household (its carer becomes theirs), or out of any (null)", permission: 'residents.write',
    params: residentParams, body: membershipSchema, response: z.object({ residentId: z.string(), household: householdSchema.nullable() }),
    handler: async ({ user, params, body }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const values: unknown[] = [params.residentId]
        const found = await client.query<{ household_id: string | null; area_id: string | null }>(
          `SELECT r.household_id, r.area_id FROM residents r WHERE r.id = $1 AND ${scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })} FOR UPDATE`, values)
        const resident = found.rows[0]
        if (!resident) throw notFound('resident')
        if (resident.household_id === body.householdId) return
        const concerned = [params.residentId]
        if (resident.household_id !== null) concerned.push(...await householdMembers(client, resident.household_id))
        const fields = ['householdId']
        if (body.householdId !== null) {
          const household = await findHousehold(client, user, body.householdId, true)
          if (!household) throw invalid('householdId', `no household ${body.householdId} in your scope`)
          if (household.area_id !== null && resident.area_id !== null && household.area_id !== resident.area_id) {
            throw invalid('householdId', `household ${body.householdId} is in area ${household.area_id}, the resident in ${resident.area_id}`)
          }
          concerned.push(...await householdMembers(client, body.householdId))
          await client.query('UPDATE residents SET household_id = $2, area_id = COALESCE(area_id, $3), updated_at = now() WHERE id = $1',
            [params.residentId, body.householdId, household.area_id])
          if (household.assigned_carer_id !== null) {
            await client.query('UPDATE residents SET assigned_carer_id = $2 WHERE id = $1', [params.residentId, household.assigned_carer_id])
            fields.push('assignedCarerId')
          }
        } else {
          await client.query('UPDATE residents SET household_id = NULL, updated_at = now() WHERE id = $1', [params.residentId])
        }
        await auditIn(client, user, { action: 'set_household', residentId: params.residentId, detail: { fields } }, now)
        // The members of the household left and of the one joined: a member's living-alone flag follows the count.
        await recordRegistryChange(client, user, { entity: 'resident', entityId: params.residentId, action: 'updated', fields, residentIds: concerned }, now)
      })
      const household = body.householdId === null ? null : await answer(pool, user, body.householdId)
      return { residentId: params.residentId, household }
    },
  })
}
