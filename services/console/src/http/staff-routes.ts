import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { upsertAccount } from '../adapters/accounts.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { hashPassword } from '@anxin/credentials'
import { STAFF_ROLES } from '../domain/roles.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { auditIn } from '../adapters/console-audit.ts'
import { recordRegistryChange, residentsServedBy } from '../adapters/registry-events.ts'
import { STAFF_COLUMNS, staffRefSchema, toStaffRef, type StaffRow } from '../adapters/resident-records.ts'
import { checkArea, decodeCursor, idSchema, invalid, isUniqueViolation, limitSchema, page, refSchema } from './registry-kit.ts'

const usernameSchema = z.string().regex(/^[A-Za-z0-9._@-]{3,64}$/, 'letters, digits and . _ @ -, 3 to 64 characters')
// Long rather than complex (NIST SP 800-63B): twelve characters at least; argon2 gets slow beyond a few hundred.
const passwordSchema = z.string().min(12).max(200)
const phoneSchema = z.string().trim().regex(/^\+?[0-9][0-9 -]{2,19}$/, 'a phone number: digits, spaces and -, optionally a leading +')

const editable = {
  fullName: z.string().trim().min(1).max(100),
  role: z.enum(STAFF_ROLES),
  areaId: refSchema.nullable(),
  phone: phoneSchema.nullable(),
  email: z.email().max(200).nullable(),
}
const createSchema = z.object({
  id: idSchema, ...editable, areaId: editable.areaId.optional(), phone: editable.phone.optional(), email: editable.email.optional(),
  username: usernameSchema.optional(), password: passwordSchema.optional(),
}).strict().refine(b => (b.username === undefined) === (b.password === undefined), { message: 'give both username and password, or neither', path: ['password'] })
const updateSchema = z.object({ ...editable, active: z.boolean(), username: usernameSchema, password: passwordSchema })
  .partial().strict().refine(b => Object.keys(b).length > 0, 'names no field to change')
const staffParams = z.object({ staffId: refSchema }).strict()
const listQuery = z.object({ role: z.enum(STAFF_ROLES).optional(), limit: limitSchema, cursor: z.string().max(500).optional() }).strict()

const COLUMN = { fullName: 'full_name', role: 'role', areaId: 'area_id', phone: 'phone', email: 'email', active: 'active' } as const

/** A different staff member already signs in with this name (usernames are matched without regard to case). */
async function checkUsername(db: pg.ClientBase, username: string, staffId: string): Promise<void> {
  const { rowCount } = await db.query('SELECT 1 FROM console_accounts WHERE lower(username) = lower($1) AND staff_id <> $2', [username, staffId])
  if (rowCount) throw new ApiError(409, 'username_taken', `the username ${username} is taken`)
}

/** An organisation keeps at least one active administrator, or nobody could manage its people any more. */
async function keepAnAdministrator(db: pg.ClientBase, user: SessionUser, staffId: string): Promise<void> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM staff WHERE org_id = $1 AND id <> $2 AND role = 'administrator' AND active`, [user.orgId, staffId])
  if (!rowCount) throw new ApiError(409, 'last_administrator', 'this is the last active administrator of the organisation; appoint another one first')
}

const loadStaff = async (db: pg.Pool | pg.ClientBase, staffId: string): Promise<StaffRow> =>
  (await db.query<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = $1`, [staffId])).rows[0] as StaffRow

export function registerStaffRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/staff', tag: 'staff', summary: 'Staff in your scope, by name', permission: 'staff.read',
    query: listQuery, response: z.object({ items: z.array(staffRefSchema), nextCursor: z.string().nullable() }),
    handler: async ({ user, query }) => {
      const after = decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
      const values: unknown[] = []
      const where = [scopeSql(user, values, { org: 's.org_id', area: 's.area_id' })]
      if (query.role) {
        values.push(query.role)
        where.push(`s.role = $${values.length}`)
      }
      if (after) {
        values.push(after[0], after[1])
        where.push(`(s.full_name, s.id) > ($${values.length - 1}, $${values.length})`)
      }
      values.push(query.limit + 1)
      const { rows } = await pool.query<StaffRow>(
        `SELECT ${STAFF_COLUMNS} FROM staff s WHERE ${where.join(' AND ')} ORDER BY s.full_name, s.id LIMIT $${values.length}`, values)
      return page(rows, query.limit, toStaffRef, s => [s.full_name, s.id])
    },
  })

  api.route({
    method: 'POST', url: '/api/staff', tag: 'staff', summary: 'Add a staff member, with a console sign-in when username and password are given',
    permission: 'staff.write', body: createSchema, response: staffRefSchema, successStatus: 201,
    handler: async ({ user, body }) => {
      const now = context.now()
      const areaId = body.areaId === undefined ? user.areaId : body.areaId
      // Hashed before the transaction: argon2 takes a while and must not hold a connection meanwhile.
      const hash = body.password === undefined ? null : await hashPassword(body.password)
      try {
        await withTransaction(pool, async client => {
          await checkArea(client, user, areaId)
          const inserted = await client.query(
            `INSERT INTO staff (id, org_id, area_id, full_name, role, phone, email) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
            [body.id, user.orgId, areaId, body.fullName, body.role, body.phone ?? null, body.email ?? null],
          )
          if (!inserted.rowCount) throw new ApiError(409, 'already_exists', `a staff member with id ${body.id} already exists`)
          if (body.username !== undefined && hash !== null) {
            await checkUsername(client, body.username, body.id)
            await upsertAccount(client, body.id, body.username, hash)
          }
          await auditIn(client, user, { action: 'create_staff', detail: { staffId: body.id, fields: Object.keys(body).sort() } }, now)
          await recordRegistryChange(client, user, { entity: 'staff', entityId: body.id, action: 'created', fields: Object.keys(body).filter(f => f !== 'password'), residentIds: [] }, now)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, 'already_exists', `a staff member with id ${body.id} or username ${body.username ?? ''} already exists`)
        throw error
      }
      return toStaffRef(await loadStaff(pool, body.id))
    },
  })

  api.route({
    method: 'PATCH', url: '/api/staff/:staffId', tag: 'staff',
    summary: 'Change a staff member; deactivating, a new password, role or area signs them out everywhere', permission: 'staff.write',
    params: staffParams, body: updateSchema, response: staffRefSchema,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      const hash = body.password === undefined ? null : await hashPassword(body.password)
      const signOut = await withTransaction(pool, async (client): Promise<boolean> => {
        const values: unknown[] = [params.staffId]
        const found = await client.query<{ role: string; active: boolean; area_id: string | null; username: string | null }>(
          `SELECT s.role, s.active, s.area_id, a.username FROM staff s LEFT JOIN console_accounts a ON a.staff_id = s.id
            WHERE s.id = $1 AND ${scopeSql(user, values, { org: 's.org_id', area: 's.area_id' })} FOR UPDATE OF s`,
          values,
        )
        const current = found.rows[0]
        if (!current) throw notFound('staff member')
        if (body.areaId !== undefined) await checkArea(client, user, body.areaId)
        const demoted = current.role === 'administrator' && current.active && ((body.role ?? 'administrator') !== 'administrator' || body.active === false)
        if (demoted) await keepAnAdministrator(client, user, params.staffId)

        const update: unknown[] = [params.staffId]
        const sets = (Object.keys(COLUMN) as (keyof typeof COLUMN)[]).flatMap(field => {
          if (body[field] === undefined) return []
          update.push(body[field])
          return [`${COLUMN[field]} = $${update.length}`]
        })
        if (sets.length > 0) await client.query(`UPDATE staff SET ${sets.join(', ')} WHERE id = $1`, update)

        const username = body.username ?? current.username
        if (body.username !== undefined) await checkUsername(client, body.username, params.staffId)
        if (hash !== null) {
          if (username === null) throw invalid('username', 'needed to give this staff member a sign-in')
          await upsertAccount(client, params.staffId, username, hash)
        } else if (body.username !== undefined) {
          const renamed = await client.query('UPDATE console_accounts SET username = $2 WHERE staff_id = $1', [params.staffId, body.username])
          if (!renamed.rowCount) throw invalid('password', 'needed to give this staff member a sign-in')
        }
        const fields = Object.keys(body).sort()
        await auditIn(client, user, { action: 'update_staff', detail: { staffId: params.staffId, fields } }, now)
        await recordRegistryChange(client, user, {
          entity: 'staff', entityId: params.staffId, action: 'updated', fields: fields.filter(f => f !== 'password'), residentIds: await residentsServedBy(client, params.staffId),
        }, now)
        // A session carries the role and area it was opened with: any change to them, a new password or
        // deactivation must end every open session, or the old rights live on until it expires.
        return hash !== null || body.active === false || (body.role !== undefined && body.role !== current.role) ||
          (body.areaId !== undefined && body.areaId !== current.area_id)
      }).catch((error: unknown) => {
        // Two people took the same username at the same moment: the unique index let one through.
        if (isUniqueViolation(error)) throw new ApiError(409, 'username_taken', `the username ${body.username ?? ''} is taken`)
        throw error
      })
      if (signOut) await context.sessions.destroyAllOf(params.staffId)
      return toStaffRef(await loadStaff(pool, params.staffId))
    },
  })
}
