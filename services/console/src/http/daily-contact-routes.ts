import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { z } from 'zod'
import { auditConsole } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { dailyContactCsv, type DailyContactItem } from '../domain/daily-contact-csv.ts'
import { CONTACT_KINDS, DEFAULT_CUTOFF, REQUIRED_RESIDENT, cutoffInstant, localDateOf, type ContactKind } from '../domain/daily-contact-day.ts'
import { isResponder } from '../domain/roles.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { forbidden, notFound } from './api-error.ts'
import { invalid, refSchema } from './registry-kit.ts'
import type { ApiRouter } from './route-kit.ts'

/**
 * Daily contact (每天至少联系1次): logging an operator's call or a carer's visit, a resident's recent contacts,
 * the daily compliance report per area, and the organisation's settings (cut-off, whether device activity
 * counts). The verdicts themselves are the alert service's (its contact watch decides each day at the cut-off).
 */

const DAY_MS = 86_400_000
const MAX_BACKDATE_MS = 7 * DAY_MS
/** A logged time this far ahead of the server's clock is still "now" (a phone's clock drifts). */
const FUTURE_SKEW_MS = 60_000

const residentParams = z.object({ residentId: refSchema }).strict()
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').refine(d => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date')
const logBody = z.object({
  kind: z.enum(['call', 'visit']),
  at: z.iso.datetime({ offset: true }).optional(),
  notes: z.string().trim().max(2000).optional(),
}).strict()
const contactsQuery = z.object({ days: z.coerce.number().int().min(1).max(31).default(7) }).strict()
const reportQuery = z.object({ date: dateSchema.optional(), areaId: refSchema.optional() }).strict()
const csvQuery = reportQuery.extend({ lang: z.enum(['zh-CN', 'en']).default('zh-CN') }).strict()
const settingsBody = z.object({
  contactCutoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (local time)'),
  deviceActivityCounts: z.boolean(),
}).strict()

const signalSchema = z.object({ id: z.string(), kind: z.enum(CONTACT_KINDS), at: z.string(), localDate: z.string(), by: z.string().nullable() })
const contactsAnswer = z.object({
  items: z.array(signalSchema),
  days: z.array(z.object({ date: z.string(), status: z.enum(['contacted', 'missed']), alarmId: z.string().nullable() })),
})
const reportItem = z.object({
  residentId: z.string(), fullName: z.string(), areaId: z.string().nullable(), areaName: z.string().nullable(),
  status: z.enum(['contacted', 'missed', 'pending']),
  firstContact: z.object({ kind: z.string(), at: z.string(), by: z.string().nullable() }).nullable(),
  alarmId: z.string().nullable(),
})
const reportAnswer = z.object({
  date: z.string(), timeZone: z.string(), cutoff: z.string(),
  required: z.number().int(), contacted: z.number().int(), missed: z.number().int(), pending: z.number().int(),
  items: z.array(reportItem),
})
const settingsAnswer = z.object({ contactCutoff: z.string(), deviceActivityCounts: z.boolean(), timeZone: z.string() })

type Settings = { contactCutoff: string; deviceActivityCounts: boolean; timeZone: string }

async function loadSettings(db: pg.Pool | pg.ClientBase, orgId: string): Promise<Settings> {
  const { rows } = await db.query<{ timezone: string; cutoff: string | null; device_activity_counts: boolean | null }>(
    `SELECT o.timezone, to_char(s.contact_cutoff, 'HH24:MI') AS cutoff, s.device_activity_counts
     FROM organisations o LEFT JOIN care_duty_settings s ON s.org_id = o.id WHERE o.id = $1`,
    [orgId],
  )
  const r = rows[0]!
  return { contactCutoff: r.cutoff ?? DEFAULT_CUTOFF, deviceActivityCounts: r.device_activity_counts ?? false, timeZone: r.timezone }
}

/**
 * Records a signal of contact. `sourceId` makes it idempotent (a retried request with the same id records it
 * once). The local date is the organisation's.
 */
export async function recordContact(
  db: pg.Pool | pg.ClientBase,
  signal: { residentId: string; kind: ContactKind; at: Date; sourceId: string; staffId: string },
): Promise<{ id: string; localDate: string } | null> {
  const { rows } = await db.query<{ org_id: string; timezone: string }>(
    'SELECT r.org_id, o.timezone FROM residents r JOIN organisations o ON o.id = r.org_id WHERE r.id = $1', [signal.residentId])
  const r = rows[0]
  if (!r) return null
  const localDate = localDateOf(signal.at.getTime(), r.timezone)
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO contact_signals (org_id, resident_id, kind, at, local_date, source_id, actor_kind, actor_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'staff', $7) ON CONFLICT (source_id) DO NOTHING RETURNING id::text`,
    [r.org_id, signal.residentId, signal.kind, signal.at, localDate, signal.sourceId, signal.staffId],
  )
  return inserted.rows[0] ? { id: inserted.rows[0].id, localDate } : null
}

/** The resident in the user's scope, with who answers for them (定人包户); 404 otherwise. */
async function residentFor(pool: pg.Pool, user: SessionUser, residentId: string): Promise<{ carerId: string | null }> {
  const values: unknown[] = [residentId]
  // A responder is not scoped by area: they may log a visit to a resident they answer for (checked by the caller).
  const scope = isResponder(user.role) ? `r.org_id = $${values.push(user.orgId)}` : scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })
  const { rows } = await pool.query<{ carer_id: string | null; own_carer_id: string | null }>(
    `SELECT h.assigned_carer_id AS carer_id, r.assigned_carer_id AS own_carer_id FROM residents r
     LEFT JOIN households h ON h.id = r.household_id WHERE r.id = $1 AND ${scope}`,
    values,
  )
  const r = rows[0]
  if (!r) throw notFound('resident')
  return { carerId: r.carer_id ?? r.own_carer_id }
}

type ReportRow = {
  id: string; full_name: string; area_id: string | null; area_name: string | null
  status: 'contacted' | 'missed' | null; alarm_id: string | null
  first_kind: string | null; first_at: Date | null; first_by: string | null
}

async function buildReport(pool: pg.Pool, user: SessionUser, query: { date?: string | undefined; areaId?: string | undefined }, now: Date) {
  const settings = await loadSettings(pool, user.orgId)
  const date = query.date ?? localDateOf(now.getTime(), settings.timeZone)
  const cutoffAt = new Date(cutoffInstant(date, settings.contactCutoff, settings.timeZone))
  const values: unknown[] = [date, cutoffAt, settings.deviceActivityCounts]
  const where = [scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })]
  if (query.areaId) where.push(`r.area_id = $${values.push(query.areaId)}`)
  // Those decided for the day (whatever the rule says now), and those required now who were registered before
  // the cut-off. The first contact is the earliest signal of the day that counts under the settings.
  const { rows } = await pool.query<ReportRow>(
    `SELECT r.id, r.full_name, r.area_id, ar.name AS area_name, d.status, d.alarm_id::text AS alarm_id,
            f.kind AS first_kind, f.at AS first_at, f.by AS first_by
     FROM residents r
     JOIN resident_ledger l ON l.resident_id = r.id
     LEFT JOIN contact_requirements q ON q.resident_id = r.id
     LEFT JOIN areas ar ON ar.id = r.area_id
     LEFT JOIN contact_days d ON d.resident_id = r.id AND d.local_date = $1
     LEFT JOIN LATERAL (
       SELECT c.kind, c.at, s.full_name AS by FROM contact_signals c
       LEFT JOIN staff s ON c.actor_kind = 'staff' AND s.id = c.actor_id
       WHERE c.resident_id = r.id AND c.local_date = $1 AND (c.kind <> 'device_activity' OR $3)
       ORDER BY c.at LIMIT 1
     ) f ON true
     WHERE ${where.join(' AND ')} AND (d.status IS NOT NULL OR (${REQUIRED_RESIDENT} AND r.created_at < $2))
     ORDER BY r.area_id NULLS LAST, r.full_name, r.id`,
    values,
  )
  const items: DailyContactItem[] = rows.map(r => ({
    residentId: r.id, fullName: r.full_name, areaId: r.area_id, areaName: r.area_name,
    status: r.status ?? 'pending',
    firstContact: r.first_kind && r.first_at ? { kind: r.first_kind, at: r.first_at.toISOString(), by: r.first_by } : null,
    alarmId: r.alarm_id,
  }))
  const count = (s: DailyContactItem['status']) => items.filter(i => i.status === s).length
  return {
    date, timeZone: settings.timeZone, cutoff: cutoffAt.toISOString(),
    required: items.length, contacted: count('contacted'), missed: count('missed'), pending: count('pending'), items,
  }
}

export function registerDailyContactRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'POST', url: '/api/residents/:residentId/contacts', tag: 'residents',
    summary: "Log an operator's call or a carer's visit as the day's contact (a responder: a visit to a resident they answer for; audited)",
    permission: ['alarms.act', 'responder'], params: residentParams, body: logBody, response: signalSchema, successStatus: 201,
    handler: async ({ user, params, body }) => {
      const resident = await residentFor(pool, user, params.residentId)
      if (isResponder(user.role)) {
        if (body.kind !== 'visit') throw forbidden('a responder logs visits; calls are logged at the desk')
        if (resident.carerId !== user.staffId) throw forbidden('you may log visits only to residents you are the assigned carer of')
      }
      const now = context.now()
      const at = body.at ? new Date(body.at) : now
      if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) throw invalid('at', 'is in the future')
      if (at.getTime() < now.getTime() - MAX_BACKDATE_MS) throw invalid('at', 'is more than 7 days ago')
      const recorded = await recordContact(pool, { residentId: params.residentId, kind: body.kind, at, sourceId: `console:${randomUUID()}`, staffId: user.staffId })
      if (!recorded) throw notFound('resident')
      // contact_signals has no notes column: the notes are kept with the audit entry.
      await auditConsole(pool, user, {
        action: 'log_contact', residentId: params.residentId,
        detail: { signalId: recorded.id, kind: body.kind, at: at.toISOString(), localDate: recorded.localDate, ...(body.notes ? { notes: body.notes } : {}) },
      }, now)
      return { id: recorded.id, kind: body.kind, at: at.toISOString(), localDate: recorded.localDate, by: user.fullName }
    },
  })

  api.route({
    method: 'GET', url: '/api/residents/:residentId/contacts', tag: 'residents', summary: "A resident's contacts and daily verdicts over the last days (audited)",
    permission: 'residents.read', params: residentParams, query: contactsQuery, response: contactsAnswer,
    handler: async ({ user, params, query }) => {
      await residentFor(pool, user, params.residentId)
      const settings = await loadSettings(pool, user.orgId)
      const now = context.now()
      const since = localDateOf(now.getTime() - (query.days - 1) * DAY_MS, settings.timeZone)
      const [signals, days] = await Promise.all([
        pool.query<{ id: string; kind: ContactKind; at: Date; local_date: string; by: string | null }>(
          `SELECT c.id::text, c.kind, c.at, to_char(c.local_date, 'YYYY-MM-DD') AS local_date, s.full_name AS by FROM contact_signals c
           LEFT JOIN staff s ON c.actor_kind = 'staff' AND s.id = c.actor_id
           WHERE c.resident_id = $1 AND c.local_date >= $2 ORDER BY c.at DESC LIMIT 500`,
          [params.residentId, since],
        ),
        pool.query<{ date: string; status: 'contacted' | 'missed'; alarm_id: string | null }>(
          `SELECT to_char(local_date, 'YYYY-MM-DD') AS date, status, alarm_id::text FROM contact_days
           WHERE resident_id = $1 AND local_date >= $2 ORDER BY local_date DESC`,
          [params.residentId, since],
        ),
      ])
      await auditConsole(pool, user, { action: 'view_contacts', residentId: params.residentId, detail: { days: query.days } }, now)
      return {
        items: signals.rows.map(s => ({ id: s.id, kind: s.kind, at: s.at.toISOString(), localDate: s.local_date, by: s.by })),
        days: days.rows.map(d => ({ date: d.date, status: d.status, alarmId: d.alarm_id })),
      }
    },
  })

  api.route({
    method: 'GET', url: '/api/reports/daily-contact', tag: 'reports',
    summary: 'Daily contact compliance (每天至少联系1次) for one local day: who was contacted, how, and who was missed (audited)',
    permission: 'reports.read', query: reportQuery, response: reportAnswer,
    handler: async ({ user, query }) => {
      const now = context.now()
      const report = await buildReport(pool, user, query, now)
      await auditConsole(pool, user, { action: 'view_daily_contact', detail: { date: report.date, areaId: query.areaId ?? null, count: report.required } }, now)
      return report
    },
  })

  api.route({
    method: 'GET', url: '/api/reports/daily-contact.csv', tag: 'reports', summary: 'Daily contact compliance as CSV (UTF-8 with BOM, opens in Excel; audited)',
    permission: 'reports.read', query: csvQuery, produces: 'text/csv',
    handler: async ({ user, query, reply }) => {
      const now = context.now()
      const { lang, ...filter } = query
      const report = await buildReport(pool, user, filter, now)
      await auditConsole(pool, user, { action: 'export_daily_contact', detail: { date: report.date, areaId: query.areaId ?? null, lang, count: report.required } }, now)
      return reply
        .header('content-disposition', `attachment; filename="daily-contact-${report.date}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(dailyContactCsv(report.date, report.items, lang))
    },
  })

  api.route({
    method: 'GET', url: '/api/orgs/care-duty-settings', tag: 'policies', summary: "The organisation's daily-contact settings (cut-off, whether device activity counts)",
    permission: 'reports.read', response: settingsAnswer,
    handler: async ({ user }) => loadSettings(pool, user.orgId),
  })

  api.route({
    method: 'PUT', url: '/api/orgs/care-duty-settings', tag: 'policies', summary: "Change the organisation's daily-contact settings (audited; takes effect at the next check)",
    permission: 'policies.write', body: settingsBody, response: settingsAnswer,
    handler: async ({ user, body }) => {
      const now = context.now()
      await pool.query(
        `INSERT INTO care_duty_settings (org_id, contact_cutoff, device_activity_counts, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET contact_cutoff = EXCLUDED.contact_cutoff, device_activity_counts = EXCLUDED.device_activity_counts, updated_at = EXCLUDED.updated_at`,
        [user.orgId, body.contactCutoff, body.deviceActivityCounts, now],
      )
      await auditConsole(pool, user, { action: 'change_care_duty_settings', detail: body }, now)
      return loadSettings(pool, user.orgId)
    },
  })
}
