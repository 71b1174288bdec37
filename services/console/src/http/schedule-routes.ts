import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, forbidden, notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { auditIn } from '../adapters/console-audit.ts'
import { checkArea, idSchema, invalid, refSchema } from './registry-kit.ts'

const ROTA_ROLES = ['operator', 'carer', 'doctor', 'supervisor'] as const

const validZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const rotationBody = z.object({
  // The id is the path's; a client sending the rotation back as it read it may include it.
  id: z.string().optional(),
  role: z.enum(ROTA_ROLES),
  areaId: refSchema.nullable(),
  timezone: z.string().min(1).max(64).refine(validZone, 'not an IANA time zone (e.g. Asia/Shanghai)'),
  members: z.array(refSchema).min(1).max(100).refine(m => new Set(m).size === m.length, 'lists someone twice'),
  startDate: z.iso.date(),
  handoffTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time HH:MM'),
  shiftHours: z.number().int().min(1).max(168),
  activeDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).refine(d => new Set(d).size === d.length, 'lists a day twice').nullable(),
}).strict()
const overrideBody = z.object({ staffId: refSchema, startsAt: z.iso.datetime({ offset: true }), endsAt: z.iso.datetime({ offset: true }) }).strict()
  .refine(o => Date.parse(o.endsAt) > Date.parse(o.startsAt), { message: 'must be after startsAt', path: ['endsAt'] })
const rotationParams = z.object({ rotationId: idSchema }).strict()
const overrideParams = z.object({ rotationId: idSchema, overrideId: z.string().regex(/^\d{1,18}$/, 'an override id') }).strict()
const onDutyQuery = z.object({ role: z.enum(ROTA_ROLES), areaId: refSchema.optional(), at: z.iso.datetime({ offset: true }).optional() }).strict()

const override = z.object({ id: z.string(), staffId: z.string(), startsAt: z.string(), endsAt: z.string() })
const rotation = rotationBody.omit({ id: true }).extend({ id: z.string(), timezone: z.string(), overrides: z.array(override) })
type Rotation = z.infer<typeof rotation>

type RotationRow = {
  id: string; role: Rotation['role']; area_id: string | null; timezone: string; members: string[]; start_date: string; handoff_time: string
  shift_hours: number; active_days: number[] | null
}
type OverrideRow = { id: string; rotation_id: string; staff_id: string; starts_at: Date; ends_at: Date }

const toOverride = (o: OverrideRow) => ({ id: o.id, staffId: o.staff_id, startsAt: o.starts_at.toISOString(), endsAt: o.ends_at.toISOString() })

/** Rotations in the user's scope (one, or all), with their overrides. */
async function loadRotations(db: pg.Pool | pg.ClientBase, user: SessionUser, rotationId?: string): Promise<Rotation[]> {
  const values: unknown[] = []
  const where = [scopeSql(user, values, { org: 'org_id', area: 'area_id' })]
  if (rotationId !== undefined) {
    values.push(rotationId)
    where.push(`id = $${values.length}`)
  }
  const rotations = await db.query<RotationRow>(
    `SELECT id, role, area_id, timezone, members, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(handoff_time, 'HH24:MI') AS handoff_time,
            shift_hours, active_days
       FROM oncall_rotations WHERE ${where.join(' AND ')} ORDER BY id`,
    values,
  )
  const overrides = await db.query<OverrideRow>(
    'SELECT id::text, rotation_id, staff_id, starts_at, ends_at FROM oncall_overrides WHERE rotation_id = ANY($1::text[]) ORDER BY starts_at, id',
    [rotations.rows.map(r => r.id)],
  )
  return rotations.rows.map(r => ({
    id: r.id, role: r.role, areaId: r.area_id, timezone: r.timezone, members: r.members, startDate: r.start_date, handoffTime: r.handoff_time,
    shiftHours: r.shift_hours, activeDays: r.active_days, overrides: overrides.rows.filter(o => o.rotation_id === r.id).map(toOverride),
  }))
}

/** Members must be active staff of the organisation in the rotation's role: a rota that pages a leaver pages nobody. */
async function checkMembers(db: pg.ClientBase, user: SessionUser, members: string[], role: string): Promise<void> {
  const { rows } = await db.query<{ id: string; role: string; active: boolean }>('SELECT id, role, active FROM staff WHERE id = ANY($1::text[]) AND org_id = $2', [members, user.orgId])
  const byId = new Map(rows.map(r => [r.id, r]))
  const problems = members.flatMap((id, i) => {
    const s = byId.get(id)
    if (!s) return [`members[${i}]: no staff member ${id} in your organisation`]
    if (s.role !== role) return [`members[${i}]: ${id} has the role ${s.role}, not ${role}`]
    if (!s.active) return [`members[${i}]: ${id} no longer works here`]
    return []
  })
  if (problems.length > 0) throw new ApiError(400, 'invalid_request', problems.map(p => `body: ${p}`).join('; '))
}

/** The rotation, locked for a change; 404 when it is not in the user's scope (another org's id is never confirmed). */
async function lockRotation(client: pg.ClientBase, user: SessionUser, rotationId: string): Promise<{ area_id: string | null } | null> {
  const values: unknown[] = [rotationId]
  const { rows } = await client.query<{ area_id: string | null }>(
    `SELECT area_id FROM oncall_rotations WHERE id = $1 AND ${scopeSql(user, values, { org: 'org_id', area: 'area_id' })} FOR UPDATE`, values)
  return rows[0] ?? null
}

export function registerScheduleRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/schedules', tag: 'schedules', summary: 'On-call rotations with their overrides', permission: 'schedules.read',
    response: z.object({ items: z.array(rotation) }),
    handler: async ({ user }) => ({ items: await loadRotations(pool, user) }),
  })

  api.route({
    method: 'PUT', url: '/api/schedules/:rotationId', tag: 'schedules', summary: 'Create or replace a rotation', permission: 'schedules.write',
    params: rotationParams, body: rotationBody, response: z.object({ rotation }),
    handler: async ({ user, params, body }) => {
      if (body.id !== undefined && body.id !== params.rotationId) throw invalid('id', `is ${body.id} but the path names ${params.rotationId}`)
      const now = context.now()
      await withTransaction(pool, async client => {
        await checkArea(client, user, body.areaId)
        await checkMembers(client, user, body.members, body.role)
        const values = [params.rotationId, user.orgId, body.role, body.areaId, body.timezone, body.members, body.startDate, body.handoffTime, body.shiftHours, body.activeDays]
        const existing = await lockRotation(client, user, params.rotationId)
        if (existing) {
          await client.query(
            `UPDATE oncall_rotations SET role = $3, area_id = $4, timezone = $5, members = $6, start_date = $7, handoff_time = $8, shift_hours = $9,
                    active_days = $10, updated_at = now()
              WHERE id = $1 AND org_id = $2`,
            values,
          )
        } else {
          const inserted = await client.query(
            `INSERT INTO oncall_rotations (id, org_id, role, area_id, timezone, members, start_date, handoff_time, shift_hours, active_days)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
            values,
          )
          if (!inserted.rowCount) throw new ApiError(409, 'already_exists', `the rotation id ${params.rotationId} is taken; choose another`)
        }
        await auditIn(client, user, { action: existing ? 'update_schedule' : 'create_schedule', detail: { rotationId: params.rotationId, members: body.members } }, now)
      })
      const [saved] = await loadRotations(pool, user, params.rotationId)
      return { rotation: saved }
    },
  })

  api.route({
    method: 'DELETE', url: '/api/schedules/:rotationId', tag: 'schedules', summary: 'Delete a rotation with its overrides and holidays', permission: 'schedules.write',
    params: rotationParams,
    handler: async ({ user, params }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        if (!(await lockRotation(client, user, params.rotationId))) throw notFound('rotation')
        await client.query('DELETE FROM oncall_rotations WHERE id = $1', [params.rotationId])
        await auditIn(client, user, { action: 'delete_schedule', detail: { rotationId: params.rotationId } }, now)
      })
      return undefined
    },
  })

  api.route({
    method: 'POST', url: '/api/schedules/:rotationId/overrides', tag: 'schedules', summary: 'Someone covers a rotation for a while', permission: 'schedules.write',
    params: rotationParams, body: overrideBody, response: z.object({ override }), successStatus: 201,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      const created = await withTransaction(pool, async client => {
        if (!(await lockRotation(client, user, params.rotationId))) throw notFound('rotation')
        const staff = await client.query<{ active: boolean }>('SELECT active FROM staff WHERE id = $1 AND org_id = $2', [body.staffId, user.orgId])
        if (!staff.rows[0]) throw invalid('staffId', `no staff member ${body.staffId} in your organisation`)
        if (!staff.rows[0].active) throw invalid('staffId', `${body.staffId} no longer works here`)
        const { rows } = await client.query<OverrideRow>(
          `INSERT INTO oncall_overrides (rotation_id, staff_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)
           RETURNING id::text, rotation_id, staff_id, starts_at, ends_at`,
          [params.rotationId, body.staffId, body.startsAt, body.endsAt],
        )
        const row = rows[0] as OverrideRow
        await auditIn(client, user, { action: 'create_schedule_override', detail: { rotationId: params.rotationId, overrideId: row.id, staffId: body.staffId } }, now)
        return row
      })
      return { override: toOverride(created) }
    },
  })

  api.route({
    method: 'DELETE', url: '/api/schedules/:rotationId/overrides/:overrideId', tag: 'schedules', summary: 'Remove an override', permission: 'schedules.write',
    params: overrideParams,
    handler: async ({ user, params }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        if (!(await lockRotation(client, user, params.rotationId))) throw notFound('override')
        const deleted = await client.query('DELETE FROM oncall_overrides WHERE id = $1 AND rotation_id = $2', [params.overrideId, params.rotationId])
        if (!deleted.rowCount) throw notFound('override')
        await auditIn(client, user, { action: 'delete_schedule_override', detail: { rotationId: params.rotationId, overrideId: params.overrideId } }, now)
      })
      return undefined
    },
  })

  api.route({
    method: 'GET', url: '/api/on-duty', tag: 'schedules', summary: 'Who is on duty for a role (now, or at `at`)', permission: 'schedules.read',
    query: onDutyQuery, response: z.object({ at: z.string(), onDuty: z.array(z.string()) }),
    handler: async ({ user, query }) => {
      // Area staff ask about their own area (escalation falls back to the organisation-wide rota there).
      const areaId = query.areaId ?? user.areaId ?? undefined
      if (user.areaId && areaId !== user.areaId) throw forbidden(`areaId: you may only ask about your own area (${user.areaId})`)
      const search = new URLSearchParams({ role: query.role })
      if (areaId) search.set('areaId', areaId)
      if (query.at) search.set('at', query.at)
      const answer = await context.escalation.expectOk<{ at: string; onDuty: { staffId: string }[] }>(
        'GET', `/orgs/${encodeURIComponent(user.orgId)}/on-duty?${search}`)
      return { at: answer.at, onDuty: [...new Set(answer.onDuty.map(d => d.staffId))] }
    },
  })
}
