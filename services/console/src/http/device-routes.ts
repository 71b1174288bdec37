import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { DEVICE_STATES, DEVICE_TYPES, deviceSummaries, deviceSummarySchema } from '../adapters/device-status.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { auditIn } from '../adapters/console-audit.ts'
import { decodeCursor, limitSchema, page, refSchema } from './registry-kit.ts'

const deviceParams = z.object({ deviceId: refSchema }).strict()
const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  status: z.enum(DEVICE_STATES).optional(),
  type: z.enum(DEVICE_TYPES).optional(),
  limit: limitSchema,
  cursor: z.string().max(500).optional(),
}).strict()
const updateSchema = z.object({
  model: z.string().trim().min(1).max(100).nullable(),
  firmware: z.string().trim().min(1).max(100).nullable(),
  // Ten seconds to a day: shorter floods the alert service with offline alarms, longer leaves a dead watch unnoticed.
  supervisionIntervalS: z.number().int().min(10).max(86400),
}).partial().strict().refine(body => Object.keys(body).length > 0, 'names no field to change')

const COLUMN = { model: 'model', firmware: 'firmware', supervisionIntervalS: 'supervision_interval_s' } as const
const binding = z.object({ residentId: z.string(), residentName: z.string().nullable(), boundAt: z.string(), unboundAt: z.string().nullable() })
const deviceDetail = deviceSummarySchema.extend({ bindings: z.array(binding) })

export function registerDeviceRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  /** One device with who wore it when, newest first; null outside the user's scope. */
  async function detail(user: SessionUser, deviceId: string) {
    const [device] = await deviceSummaries(pool, user, { ids: [deviceId] }, context.now())
    if (!device) return null
    // Residents of other areas may have worn it before: their names are shown only within the user's scope.
    const values: unknown[] = [deviceId]
    let area = ''
    if (user.areaId) {
      values.push(user.areaId)
      area = `AND r.area_id = $${values.length}`
    }
    const { rows } = await pool.query<{ resident_id: string; resident_name: string | null; bound_at: Date; unbound_at: Date | null }>(
      `SELECT b.resident_id, r.full_name AS resident_name, b.bound_at, b.unbound_at
         FROM device_bindings b LEFT JOIN residents r ON r.id = b.resident_id ${area}
        WHERE b.device_id = $1 ORDER BY b.bound_at DESC, b.id DESC`,
      values,
    )
    const bindings = rows.map(b => ({ residentId: b.resident_id, residentName: b.resident_name, boundAt: b.bound_at.toISOString(), unboundAt: b.unbound_at?.toISOString() ?? null }))
    return { ...device, bindings }
  }

  api.route({
    method: 'GET', url: '/api/devices', tag: 'devices', summary: 'Devices in your scope with their state, by id', permission: 'devices.read',
    query: listQuery, response: z.object({ items: z.array(deviceSummarySchema), nextCursor: z.string().nullable() }),
    handler: async ({ user, query }) => {
      const afterId = decodeCursor(query.cursor, z.string())
      const rows = await deviceSummaries(pool, user, { q: query.q, status: query.status, type: query.type, afterId, limit: query.limit }, context.now())
      return page(rows, query.limit, d => d, d => d.id)
    },
  })

  api.route({
    method: 'GET', url: '/api/devices/:deviceId', tag: 'devices', summary: 'A device with its state and who wore it when', permission: 'devices.read',
    params: deviceParams, response: deviceDetail,
    handler: async ({ user, params }) => {
      const answer = await detail(user, params.deviceId)
      if (!answer) throw notFound('device')
      return answer
    },
  })

  api.route({
    method: 'PATCH', url: '/api/devices/:deviceId', tag: 'devices', summary: "Change a device's model, firmware or supervision interval",
    permission: 'devices.write', params: deviceParams, body: updateSchema, response: deviceDetail,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const [device] = await deviceSummaries(client, user, { ids: [params.deviceId] }, now)
        if (!device) throw notFound('device')
        const values: unknown[] = [params.deviceId]
        const sets = (Object.keys(COLUMN) as (keyof typeof COLUMN)[]).flatMap(field => {
          if (body[field] === undefined) return []
          values.push(body[field])
          return [`${COLUMN[field]} = $${values.length}`]
        })
        // The devices_changed trigger tells the services caching the registry (ingestion, alert) at once.
        await client.query(`UPDATE devices SET ${sets.join(', ')} WHERE id = $1`, values)
        await auditIn(client, user, { action: 'update_device', residentId: device.residentId, detail: { deviceId: params.deviceId, fields: Object.keys(body).sort() } }, now)
      })
      return detail(user, params.deviceId)
    },
  })
}
