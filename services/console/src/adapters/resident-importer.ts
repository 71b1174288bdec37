import type pg from 'pg'
import { withTransaction } from '@anxin/db'
import type { ImportedResident, Problem } from '../domain/resident-import.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { householdMembers } from './household-records.ts'
import { recordRegistryChange } from './registry-events.ts'
import { FLAG_COLUMN, RESIDENT_FLAGS, type Flag } from './resident-records.ts'

class RowRefused extends Error {
  readonly problems: Problem[]
  constructor(problems: Problem[]) {
    super(problems.map(p => p.message).join('; '))
    this.problems = problems
  }
}
const refuse = (code: string, message: string): RowRefused => new RowRefused([{ code, message }])

/** The household a row names, created from the row when there is none yet; its area and carer. */
async function household(client: pg.ClientBase, user: SessionUser, r: ImportedResident, areaId: string | null, now: Date): Promise<{ areaId: string | null; carerId: string | null }> {
  const id = r.householdId!
  const { rows } = await client.query<{ org_id: string; area_id: string | null; assigned_carer_id: string | null }>(
    'SELECT org_id, area_id, assigned_carer_id FROM households WHERE id = $1 FOR UPDATE', [id])
  const found = rows[0]
  if (!found) {
    await client.query('INSERT INTO households (id, org_id, area_id, address, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)', [id, user.orgId, areaId, r.address, r.lat, r.lon])
    await recordRegistryChange(client, user, { entity: 'household', entityId: id, action: 'imported', fields: ['areaId', 'address', 'lat', 'lon'], residentIds: [r.id] }, now)
    return { areaId, carerId: null }
  }
  if (found.org_id !== user.orgId || (user.areaId !== null && found.area_id !== user.areaId)) {
    throw refuse('householdId.taken', `户号 ${id} 已被其他机构或片区使用`)
  }
  if (areaId !== null && found.area_id !== null && areaId !== found.area_id) {
    throw refuse('householdId.other_area', `户号 ${id} 属于片区 ${found.area_id}，与本行片区 ${areaId} 不符`)
  }
  return { areaId: areaId ?? found.area_id, carerId: found.assigned_carer_id }
}

/**
 * Registers one imported resident in a transaction of its own, so a bad row never blocks a good one: the
 * household named (created when missing), the resident, their contacts and the change event commit
 * together or not at all. An id already registered is refused, never overwritten: importing only adds
 * people, so uploading a corrected file again changes nothing twice. Answers the problems that refused it.
 */
export async function importResident(pool: pg.Pool, user: SessionUser, r: ImportedResident, now: Date): Promise<Problem[]> {
  try {
    await withTransaction(pool, async client => {
      let areaId = r.areaId ?? user.areaId
      if (user.areaId !== null && areaId !== user.areaId) throw refuse('area.forbidden', `片区: 只能导入到您的片区 ${user.areaId}`)
      let carerId: string | null = null
      if (r.householdId !== null) ({ areaId, carerId } = await household(client, user, r, areaId, now))
      const flags = RESIDENT_FLAGS.map(f => r.flags.includes(f as Flag))
      const inserted = await client.query(
        `INSERT INTO residents (id, org_id, area_id, household_id, full_name, gender, birth_date, phone, address, lat, lon, living_situation, care_level,
                                conditions, assigned_carer_id, ${RESIDENT_FLAGS.map(f => FLAG_COLUMN[f]).join(', ')})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT (id) DO NOTHING`,
        [r.id, user.orgId, areaId, r.householdId, r.fullName, r.gender, r.birthDate, r.phone, r.address, r.lat, r.lon, r.livingSituation, r.careLevel,
          r.conditions, carerId, ...flags])
      if (!inserted.rowCount) throw refuse('id.exists', `编号 ${r.id} 已登记：导入只新增居民，修改请在居民档案中进行`)
      if (r.contacts.length > 0) {
        await client.query(
          `INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone)
           SELECT $1, c.position, c.full_name, c.relation, c.phone FROM unnest($2::smallint[], $3::text[], $4::text[], $5::text[]) AS c(position, full_name, relation, phone)`,
          [r.id, r.contacts.map((_, i) => i + 1), r.contacts.map(c => c.fullName), r.contacts.map(c => c.relation), r.contacts.map(c => c.phone)])
      }
      const fields = (Object.keys(r) as (keyof ImportedResident)[]).filter(k => {
        const v = r[k]
        return v !== null && !(Array.isArray(v) && v.length === 0)
      })
      // The household's other members are concerned too: whether they live alone follows who lives with them.
      const concerned = r.householdId === null ? [r.id] : await householdMembers(client, r.householdId)
      await recordRegistryChange(client, user, { entity: 'resident', entityId: r.id, action: 'imported', fields, residentIds: concerned }, now)
    })
    return []
  } catch (error) {
    if (error instanceof RowRefused) return error.problems
    if ((error as { code?: string }).code === '23505') return [{ code: 'id.exists', message: `编号 ${r.id} 或户号 ${r.householdId ?? ''} 刚被同时登记` }]
    throw error
  }
}
