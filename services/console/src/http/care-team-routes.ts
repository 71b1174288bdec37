import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { auditIn } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { recordRegistryChange } from '../adapters/registry-events.ts'
import { STAFF_COLUMNS, staffRefSchema, toStaffRef, type StaffRow } from '../adapters/resident-records.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, notFound } from './api-error.ts'
import { checkArea, idSchema, isUniqueViolation, refSchema } from './registry-kit.ts'
import type { ApiRouter } from './route-kit.ts'

const teamSchema = z.object({ id: z.string(), areaId: z.string().nullable(), name: z.string(), lead: staffRefSchema.nullable(), members: z.array(staffRefSchema) })
type CareTeam = z.infer<typeof teamSchema>
const teamParams = z.object({ teamId: idSchema }).strict()
const deleteParams = z.object({ teamId: refSchema }).strict()
const putSchema = z.object({
  areaId: refSchema.nullable().optional(),
  name: z.string().trim().min(1).max(100),
  leadStaffId: refSchema.nullable().optional(),
  memberIds: z.array(refSchema).max(100).refine(list => new Set(list).size === list.length, 'lists a staff member twice'),
}).strict()

type TeamRow = { id: string; area_id: string | null; name: string; lead_staff_id: string | null }

async function loadTeams(db: pg.Pool | pg.ClientBase, user: SessionUser, teamId?: string): Promise<CareTeam[]> {
  const values: unknown[] = []
  const where = [scopeSql(user, values, { org: 't.org_id', area: 't.area_id' })]
  if (teamId !== undefined) {
    values.push(teamId)
    where.push(`t.id = $${values.length}`)
  }
  const { rows } = await db.query<TeamRow>(`SELECT t.id, t.area_id, t.name, t.lead_staff_id FROM care_teams t WHERE ${where.join(' AND ')} ORDER BY t.name, t.id`, values)
  if (rows.length === 0) return []
  const members = await db.query<StaffRow & { team_id: string }>(
    `SELECT m.team_id, ${STAFF_COLUMNS.split(', ').map(c => `s.${c}`).join(', ')}
       FROM care_team_members m JOIN staff s ON s.id = m.staff_id WHERE m.team_id = ANY($1::text[]) ORDER BY s.full_name, s.id`,
    [rows.map(r => r.id)])
  return rows.map(r => {
    const mine = members.rows.filter(m => m.team_id === r.id).map(toStaffRef)
    return { id: r.id, areaId: r.area_id, name: r.name, lead: mine.find(m => m.id === r.lead_staff_id) ?? null, members: mine }
  })
}

/**
 * Every member is an active staff member of the organisation; in an area's team, of that area or of none
 * (organisation-wide staff such as a district's doctors). Each refused id is named by its place in the list.
 */
async function checkMembers(client: pg.ClientBase, user: SessionUser, areaId: string | null, memberIds: string[]): Promise<void> {
  const { rows } = await client.query<{ id: string; area_id: string | null; active: boolean }>(
    'SELECT id, area_id, active FROM staff WHERE id = ANY($1::text[]) AND org_id = $2', [memberIds, user.orgId])
  const byId = new Map(rows.map(r => [r.id, r]))
  const problems = memberIds.flatMap((id, i) => {
    const s = byId.get(id)
    if (!s) return [`memberIds.${i}: no staff member ${id} in your organisation`]
    if (!s.active) return [`memberIds.${i}: ${id} no longer works here`]
    if (areaId !== null && s.area_id !== null && s.area_id !== areaId) return [`memberIds.${i}: ${id} works in area ${s.area_id}, not ${areaId}`]
    return []
  })
  if (problems.length > 0) throw new ApiError(400, 'invalid_request', `body: ${problems.join('; ')}`)
}

export function registerCareTeamRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/care-teams', tag: 'care-teams', summary: 'Care teams in your scope, by name', permission: 'staff.read',
    response: z.object({ items: z.array(teamSchema) }),
    handler: async ({ user }) => ({ items: await loadTeams(pool, user) }),
  })

  api.route({
    method: 'PUT', url: '/api/care-teams/:teamId', tag: 'care-teams', summary: 'Create or replace a care team; the lead is one of its members',
    permission: 'staff.write', params: teamParams, body: putSchema, response: teamSchema,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      // The lead is a member of the team they lead, listed or not.
      const memberIds = body.leadStaffId && !body.memberIds.includes(body.leadStaffId) ? [...body.memberIds, body.leadStaffId] : body.memberIds
      try {
        await withTransaction(pool, async client => {
          const values: unknown[] = [params.teamId]
          const existing = await client.query<{ in_scope: boolean; area_id: string | null }>(
            `SELECT ${scopeSql(user, values, { org: 'org_id', area: 'area_id' })} AS in_scope, area_id FROM care_teams WHERE id = $1 FOR UPDATE`, values)
          const current = existing.rows[0]
          if (current && !current.in_scope) throw new ApiError(409, 'already_exists', `the care team id ${params.teamId} is taken; choose another`)
          const areaId = body.areaId === undefined ? (current ? current.area_id : user.areaId) : body.areaId
          await checkArea(client, user, areaId)
          await checkMembers(client, user, areaId, memberIds)
          await client.query(
            `INSERT INTO care_teams (id, org_id, area_id, name, lead_staff_id) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET area_id = EXCLUDED.area_id, name = EXCLUDED.name, lead_staff_id = EXCLUDED.lead_staff_id, updated_at = now()`,
            [params.teamId, user.orgId, areaId, body.name, body.leadStaffId ?? null])
          await client.query('DELETE FROM care_team_members WHERE team_id = $1', [params.teamId])
          await client.query('INSERT INTO care_team_members (team_id, staff_id) SELECT $1, unnest($2::text[])', [params.teamId, memberIds])
          const fields = Object.keys(body).sort()
          await auditIn(client, user, { action: current ? 'update_care_team' : 'create_care_team', detail: { teamId: params.teamId, fields, members: memberIds.length } }, now)
          await recordRegistryChange(client, user, { entity: 'care_team', entityId: params.teamId, action: current ? 'updated' : 'created', fields, residentIds: [] }, now)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, 'already_exists', `the care team id ${params.teamId} is taken; choose another`)
        throw error
      }
      return (await loadTeams(pool, user, params.teamId))[0]
    },
  })

  api.route({
    method: 'DELETE', url: '/api/care-teams/:teamId', tag: 'care-teams', summary: 'Disband a care team (its members stay on the staff)', permission: 'staff.write',
    params: deleteParams,
    handler: async ({ user, params }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const values: unknown[] = [params.teamId]
        const deleted = await client.query(`DELETE FROM care_teams WHERE id = $1 AND ${scopeSql(user, values, { org: 'org_id', area: 'area_id' })}`, values)
        if (!deleted.rowCount) throw notFound('care team')
        await auditIn(client, user, { action: 'delete_care_team', detail: { teamId: params.teamId } }, now)
        await recordRegistryChange(client, user, { entity: 'care_team', entityId: params.teamId, action: 'deleted', fields: [], residentIds: [] }, now)
      })
    },
  })
}
