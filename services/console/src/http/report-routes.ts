import { z } from 'zod'
import { verifyAuditChain } from '@anxin/audit'
import { auditConsole } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { loadServiceFigures } from '../adapters/service-figures-store.ts'
import { serviceFiguresCsv } from '../domain/service-figures-csv.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'

const DAY_MS = 86400000
const window = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
  })
  .refine(w => !w.from || !w.to || Date.parse(w.from) < Date.parse(w.to), { message: 'from must be before to', path: ['from'] })
  .refine(w => !w.from || !w.to || Date.parse(w.to) - Date.parse(w.from) <= 366 * DAY_MS, { message: 'at most a year at a time', path: ['to'] })

const percentiles = z.object({ median: z.number().nullable(), p90: z.number().nullable() })
const figures = z.object({
  from: z.string(), to: z.string(), now: z.string(), timeZone: z.string(), alarms: z.number().int(),
  acknowledgedWithin60s: z.number().nullable(), acknowledgedWithin180s: z.number().nullable(), ackSeconds: percentiles, arrivalSeconds: percentiles,
  byType: z.array(z.object({ type: z.string(), count: z.number().int() })), byHour: z.array(z.object({ hour: z.number().int(), count: z.number().int() })),
  openTasks: z.number().int(), offlineDevices: z.number().int(),
})

const auditQuery = z.object({
  alarmId: z.uuid().optional(),
  residentId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,19}$/).optional(),
})

/** Service-level figures (default: the last 7 days) straight from the event log, as JSON or CSV, and the audit trail. */
export function registerReportRoutes(api: ApiRouter, context: ConsoleContext): void {
  const compute = async (user: SessionUser, query: z.infer<typeof window>) => {
    const now = context.now()
    const to = query.to ?? now.toISOString()
    const from = query.from ?? new Date(Date.parse(to) - 7 * DAY_MS).toISOString()
    return loadServiceFigures(context.pool, { orgId: user.orgId, areaId: user.areaId, from, to, now: now.toISOString() })
  }

  api.route({
    method: 'GET', url: '/api/reports/service-levels', tag: 'reports', summary: 'Answer times against the 60 s / 180 s targets, arrival times, alarms by type and hour',
    permission: 'reports.read', query: window, response: figures,
    handler: async ({ user, query }) => compute(user, query),
  })

  api.route({
    method: 'GET', url: '/api/reports/service-levels.csv', tag: 'reports', summary: 'The same figures as CSV (UTF-8 with BOM, opens in Excel)',
    permission: 'reports.read', query: window, produces: 'text/csv',
    handler: async ({ user, query, reply }) => {
      const result = await compute(user, query)
      await auditConsole(context.pool, user, { action: 'export_report', detail: { report: 'service-levels', from: result.from, to: result.to } }, context.now())
      return reply
        .header('content-disposition', `attachment; filename="service-levels-${result.from.slice(0, 10)}-${result.to.slice(0, 10)}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(serviceFiguresCsv(result, query.lang))
    },
  })

  api.route({
    method: 'GET', url: '/api/audit', tag: 'audit', summary: 'The audit trail (newest first), for an alarm or a resident or the organisation', permission: 'audit.read',
    query: auditQuery,
    handler: async ({ user, query }) => {
      const values: unknown[] = [user.orgId]
      const where = ['l.org_id = $1']
      if (user.areaId) {
        values.push(user.areaId)
        where.push(`EXISTS (SELECT 1 FROM residents r WHERE r.id = l.resident_id AND r.area_id = $${values.length})`)
      }
      if (query.alarmId) where.push(`l.alarm_id = $${values.push(query.alarmId)}`)
      if (query.residentId) where.push(`l.resident_id = $${values.push(query.residentId)}`)
      if (query.cursor) where.push(`l.seq < $${values.push(query.cursor)}`)
      values.push(query.limit + 1)
      const { rows } = await context.pool.query<{ seq: string; at: Date; actor_kind: string; actor_id: string; name: string | null; action: string; channel: string; alarm_id: string | null; resident_id: string | null; detail: unknown }>(
        `SELECT l.seq, l.at, l.actor_kind, l.actor_id, s.full_name AS name, l.action, l.channel, l.alarm_id, l.resident_id, l.detail
           FROM audit_log l LEFT JOIN staff s ON l.actor_kind = 'staff' AND s.id = l.actor_id
          WHERE ${where.join(' AND ')} ORDER BY l.seq DESC LIMIT $${values.length}`,
        values,
      )
      const page = rows.slice(0, query.limit)
      return {
        items: page.map(r => ({
          seq: r.seq, at: r.at.toISOString(), actor: { kind: r.actor_kind, id: r.actor_id, name: r.name }, action: r.action, channel: r.channel,
          alarmId: r.alarm_id, residentId: r.resident_id, detail: r.detail,
        })),
        nextCursor: rows.length > query.limit ? page.at(-1)!.seq : null,
      }
    },
  })

  api.route({
    method: 'GET', url: '/api/audit/verify', tag: 'audit', summary: "Recompute the organisation's audit hash chain", permission: 'audit.read',
    response: z.object({ ok: z.boolean(), brokenAt: z.string().nullable(), reason: z.string().nullable() }),
    handler: async ({ user }) => {
      if (user.areaId) throw new ApiError(403, 'forbidden', 'the chain covers the whole organisation; ask organisation-wide staff')
      const broken = await verifyAuditChain(context.pool, user.orgId)
      return { ok: broken === null, brokenAt: broken?.seq ?? null, reason: broken?.reason ?? null }
    },
  })
}
