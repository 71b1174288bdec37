import { z } from 'zod'
import { auditConsole } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { staffRefSchema, toStaffRef, type StaffRow } from '../adapters/resident-records.ts'
import { LEDGER_FLAGS, ledgerCsv, type LedgerFlag } from '../domain/ledger-csv.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { decodeCursor, limitSchema, page, refSchema } from './registry-kit.ts'
import type { ApiRouter } from './route-kit.ts'

/**
 * The priority ledger (台账): everyone in scope with at least one priority flag, each flag as the union of what
 * the data says and what was marked by hand, both shown apart so a reader sees why a person is on the list.
 * The flags are the `resident_ledger` view's, the same ones alarm priority is computed from.
 */

const filterQuery = z.object({ flag: z.enum(LEDGER_FLAGS).optional(), areaId: refSchema.optional() })
const listQuery = filterQuery.extend({ limit: limitSchema, cursor: z.string().max(500).optional() }).strict()
const csvQuery = filterQuery.extend({ lang: z.enum(['zh-CN', 'en']).default('zh-CN') }).strict()
const nameKey = z.tuple([z.string(), z.string()])

const flagList = z.array(z.enum(LEDGER_FLAGS))
const ledgerItem = z.object({
  residentId: z.string(), fullName: z.string(), age: z.number(), areaId: z.string().nullable(), areaName: z.string().nullable(), address: z.string(),
  flags: flagList, derived: flagList, manual: flagList, assignedCarer: staffRefSchema.nullable(),
})
const ledgerAnswer = z.object({
  items: z.array(ledgerItem), nextCursor: z.string().nullable(),
  counts: z.object(Object.fromEntries(LEDGER_FLAGS.map(f => [f, z.number().int()])) as Record<LedgerFlag, z.ZodNumber>),
})
type LedgerItem = z.infer<typeof ledgerItem>

type FlagColumns<P extends string> = { [F in LedgerFlag as `${P}${F}`]: boolean }
type LedgerRow = {
  id: string; full_name: string; age: number; area_id: string | null; area_name: string | null; address: string
  carer_id: string | null; carer_full_name: string | null; carer_role: string | null; carer_area_id: string | null
  carer_phone: string | null; carer_email: string | null; carer_active: boolean | null
} & FlagColumns<'l_'> & FlagColumns<'d_'> & FlagColumns<'m_'>

// l_: the ledger view (the union); d_: what the data gives, the view's expressions without the manual flag
// (packages/db/migrations/0008_care_registry.sql: keep the two in step); m_: the manual flags.
const ROWS = `
SELECT r.id, r.full_name, r.area_id, ar.name AS area_name, r.address,
       date_part('year', age((now() AT TIME ZONE o.timezone)::date, r.birth_date))::int AS age,
       l.disabled AS l_disabled, l.dementia AS l_dementia, l.very_old AS l_very_old, l.living_alone AS l_living_alone, l.empty_nest AS l_empty_nest,
       (r.care_level = 'dependent') AS d_disabled,
       ('dementia' = ANY (r.conditions)) AS d_dementia,
       (date_part('year', age((now() AT TIME ZONE o.timezone)::date, r.birth_date)) >= o.very_old_age) AS d_very_old,
       (r.living_situation = 'alone'
         OR (r.household_id IS NOT NULL AND (SELECT count(*) FROM residents m WHERE m.household_id = r.household_id) = 1)) AS d_living_alone,
       (r.living_situation IN ('alone', 'with_spouse')) AS d_empty_nest,
       r.flag_disabled AS m_disabled, r.flag_dementia AS m_dementia, r.flag_very_old AS m_very_old,
       r.flag_living_alone AS m_living_alone, r.flag_empty_nest AS m_empty_nest,
       c.id AS carer_id, c.full_name AS carer_full_name, c.role AS carer_role, c.area_id AS carer_area_id,
       c.phone AS carer_phone, c.email AS carer_email, c.active AS carer_active
  FROM residents r
  JOIN resident_ledger l ON l.resident_id = r.id
  JOIN organisations o ON o.id = r.org_id
  LEFT JOIN areas ar ON ar.id = r.area_id
  LEFT JOIN households h ON h.id = r.household_id
  -- 定人包户: the household's carer answers for its members; a resident's own carer where there is none.
  LEFT JOIN staff c ON c.id = COALESCE(h.assigned_carer_id, r.assigned_carer_id)`

const ANY_FLAG = `(${LEDGER_FLAGS.map(f => `l.${f}`).join(' OR ')})`

/** The WHERE of the user's scope and the filters (flag names come from the enum, never from the request text). */
function conditions(user: SessionUser, query: { flag?: LedgerFlag | undefined; areaId?: string | undefined }, values: unknown[], withFlag: boolean): string[] {
  const where = [scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })]
  if (query.areaId) where.push(`r.area_id = $${values.push(query.areaId)}`)
  where.push(withFlag && query.flag ? `l.${query.flag}` : ANY_FLAG)
  return where
}

const flagsOf = (r: LedgerRow, prefix: 'l_' | 'd_' | 'm_'): LedgerFlag[] => LEDGER_FLAGS.filter(f => r[`${prefix}${f}`])

function toItem(r: LedgerRow): LedgerItem {
  const carer: StaffRow | null = r.carer_id === null ? null : {
    id: r.carer_id, full_name: r.carer_full_name!, role: r.carer_role!, area_id: r.carer_area_id, phone: r.carer_phone, email: r.carer_email, active: r.carer_active!,
  }
  return {
    residentId: r.id, fullName: r.full_name, age: r.age, areaId: r.area_id, areaName: r.area_name, address: r.address,
    flags: flagsOf(r, 'l_'), derived: flagsOf(r, 'd_'), manual: flagsOf(r, 'm_'), assignedCarer: carer && toStaffRef(carer),
  }
}

export function registerLedgerRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/ledger', tag: 'residents', summary: 'The priority ledger (台账): people with a priority flag, derived and manual (audited)',
    permission: 'residents.read', query: listQuery, response: ledgerAnswer,
    handler: async ({ user, query }) => {
      const after = decodeCursor(query.cursor, nameKey)
      const values: unknown[] = []
      const where = conditions(user, query, values, true)
      if (after) where.push(`(r.full_name, r.id) > ($${values.push(after[0])}, $${values.push(after[1])})`)
      values.push(query.limit + 1)
      const countValues: unknown[] = []
      const countWhere = conditions(user, query, countValues, false)
      const [rows, counts] = await Promise.all([
        pool.query<LedgerRow>(`${ROWS} WHERE ${where.join(' AND ')} ORDER BY r.full_name, r.id LIMIT $${values.length}`, values),
        // The chips' numbers: each flag within the scope and area, whichever flag is being looked at.
        pool.query<Record<LedgerFlag, number>>(
          `SELECT ${LEDGER_FLAGS.map(f => `count(*) FILTER (WHERE l.${f})::int AS ${f}`).join(', ')}
             FROM residents r JOIN resident_ledger l ON l.resident_id = r.id WHERE ${countWhere.join(' AND ')}`,
          countValues,
        ),
      ])
      const now = context.now()
      const { cursor: _cursor, ...filter } = query
      await auditConsole(pool, user, { action: 'view_ledger', detail: { filter, page: after ? 'next' : 'first', count: Math.min(rows.rows.length, query.limit) } }, now)
      return { ...page(rows.rows, query.limit, toItem, r => [r.full_name, r.id]), counts: counts.rows[0]! }
    },
  })

  api.route({
    method: 'GET', url: '/api/ledger.csv', tag: 'residents', summary: 'The priority ledger as CSV (UTF-8 with BOM, opens in Excel; audited)',
    permission: 'residents.read', query: csvQuery, produces: 'text/csv',
    handler: async ({ user, query, reply }) => {
      const values: unknown[] = []
      const where = conditions(user, query, values, true)
      const { rows } = await pool.query<LedgerRow>(`${ROWS} WHERE ${where.join(' AND ')} ORDER BY r.full_name, r.id`, values)
      const now = context.now()
      const { lang, ...filter } = query
      await auditConsole(pool, user, { action: 'export_ledger', detail: { filter, lang, count: rows.length } }, now)
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: user.timezone }).format(now)
      return reply
        .header('content-disposition', `attachment; filename="ledger-${day}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(ledgerCsv(rows.map(toItem), lang))
    },
  })
}
