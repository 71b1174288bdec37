import { z } from 'zod'
import { auditConsole } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { maintenanceList } from '../adapters/device-maintenance.ts'
import { maintenanceCsv } from '../domain/maintenance-csv.ts'
import { decodeCursor, limitSchema, page } from './registry-kit.ts'
import type { ApiRouter } from './route-kit.ts'

/**
 * The weekly device test's maintenance list: buttons and wearables that missed their test (due) or their
 * grace period too (overdue, with the device-fault alarm when the device is bound). Static paths, so fastify
 * matches them before `/api/devices/:deviceId`.
 */

const status = z.enum(['due', 'overdue']).optional()
const listQuery = z.object({ status, limit: limitSchema, cursor: z.string().max(500).optional() }).strict()
const csvQuery = z.object({ status, lang: z.enum(['zh-CN', 'en']).default('zh-CN') }).strict()
const position = z.tuple([z.string().datetime(), z.string()])

const item = z.object({
  deviceId: z.string(), type: z.string(), model: z.string().nullable(), residentId: z.string().nullable(), residentName: z.string().nullable(),
  areaId: z.string().nullable(), lastTestAt: z.string().nullable(), dueAt: z.string(), status: z.enum(['due', 'overdue']),
  alarmId: z.string().nullable(), offline: z.boolean(), battery: z.number().nullable(),
})

export function registerMaintenanceRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/devices/maintenance', tag: 'devices', summary: 'Buttons and wearables that missed their weekly test, most overdue first',
    permission: 'devices.read', query: listQuery, response: z.object({ items: z.array(item), nextCursor: z.string().nullable() }),
    handler: async ({ user, query }) => {
      const after = decodeCursor(query.cursor, position)
      const rows = await maintenanceList(pool, user, { status: query.status, after, limit: query.limit }, context.now())
      return page(rows, query.limit, r => r, r => [r.dueAt, r.deviceId])
    },
  })

  api.route({
    method: 'GET', url: '/api/devices/maintenance.csv', tag: 'devices', summary: 'The maintenance list as CSV (UTF-8 with BOM, opens in Excel; audited)',
    permission: 'devices.read', query: csvQuery, produces: 'text/csv',
    handler: async ({ user, query, reply }) => {
      const now = context.now()
      const rows = await maintenanceList(pool, user, { status: query.status }, now)
      await auditConsole(pool, user, { action: 'export_device_maintenance', detail: { status: query.status ?? null, lang: query.lang, count: rows.length } }, now)
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: user.timezone }).format(now)
      return reply
        .header('content-disposition', `attachment; filename="device-maintenance-${day}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(maintenanceCsv(rows, query.lang, user.timezone))
    },
  })
}
