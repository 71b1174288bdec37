import type pg from 'pg'
import { z } from 'zod'
import type { SessionUser } from '../domain/session-user.ts'
import { scopeSql } from './console-context.ts'
import { STAFF_COLUMNS, staffRefSchema, toStaffRef, type StaffRow } from './resident-records.ts'

/** Households (定人包户: each with the carer who answers for it) as the console shows them. */

export const householdSchema = z.object({
  id: z.string(), areaId: z.string().nullable(), areaName: z.string().nullable(), address: z.string(), lat: z.number().nullable(), lon: z.number().nullable(),
  assignedCarer: staffRefSchema.nullable(), members: z.array(z.object({ id: z.string(), fullName: z.string(), age: z.number() })),
})
export type Household = z.infer<typeof householdSchema>

export type HouseholdRow = {
  id: string; area_id: string | null; area_name: string | null; address: string; lat: number | null; lon: number | null; assigned_carer_id: string | null
}

export const HOUSEHOLD_SELECT = `
SELECT h.id, h.area_id, ar.name AS area_name, h.address, h.lat, h.lon, h.assigned_carer_id
  FROM households h LEFT JOIN areas ar ON ar.id = h.area_id`

/** The households of `rows` with their carers and members (ages in the organisation's today). */
export async function toHouseholds(db: pg.Pool | pg.ClientBase, user: SessionUser, rows: HouseholdRow[], now: Date): Promise<Household[]> {
  if (rows.length === 0) return []
  const ids = rows.map(r => r.id)
  const [members, carers] = await Promise.all([
    db.query<{ household_id: string; id: string; full_name: string; age: number }>(
      `SELECT r.household_id, r.id, r.full_name, date_part('year', age(($2::timestamptz AT TIME ZONE o.timezone)::date, r.birth_date))::int AS age
         FROM residents r JOIN organisations o ON o.id = r.org_id
        WHERE r.household_id = ANY($1::text[]) ORDER BY r.full_name, r.id`, [ids, now]),
    db.query<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = ANY($1::text[]) AND org_id = $2`,
      [rows.flatMap(r => (r.assigned_carer_id ? [r.assigned_carer_id] : [])), user.orgId]),
  ])
  const carerById = new Map(carers.rows.map(s => [s.id, toStaffRef(s)]))
  return rows.map(r => ({
    id: r.id, areaId: r.area_id, areaName: r.area_name, address: r.address, lat: r.lat, lon: r.lon,
    assignedCarer: (r.assigned_carer_id && carerById.get(r.assigned_carer_id)) || null,
    members: members.rows.filter(m => m.household_id === r.id).map(m => ({ id: m.id, fullName: m.full_name, age: m.age })),
  }))
}

/** A household in the user's scope (locked for a change when `lock`), or null: another org's id is never confirmed. */
export async function findHousehold(db: pg.Pool | pg.ClientBase, user: SessionUser, id: string, lock = false): Promise<HouseholdRow | null> {
  const values: unknown[] = [id]
  const { rows } = await db.query<HouseholdRow>(
    `${HOUSEHOLD_SELECT} WHERE h.id = $1 AND ${scopeSql(user, values, { org: 'h.org_id', area: 'h.area_id' })}${lock ? ' FOR UPDATE OF h' : ''}`, values)
  return rows[0] ?? null
}

export async function householdMembers(db: pg.ClientBase, householdId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM residents WHERE household_id = $1 ORDER BY id', [householdId])
  return rows.map(r => r.id)
}
