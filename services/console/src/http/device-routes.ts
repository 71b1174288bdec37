import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { DEFAULT_SUPERVISION_S, DEVICE_STATES, DEVICE_TYPES, deviceSummaries, deviceSummarySchema } from '../adapters/device-status.ts'
import { bindDevice, insertDevice, lockDevice, replaceCredentials, residentInScope, revokeDevice, unbindDevice } from '../adapters/device-lifecycle.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { auditIn } from '../adapters/console-audit.ts'
import { recordRegistryChange } from '../adapters/registry-events.ts'
import { decodeCursor, invalid, isUniqueViolation, limitSchema, page, refSchema } from './registry-kit.ts'

const deviceParams = z.object({ deviceId: refSchema }).strict()
const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  status: z.enum(DEVICE_STATES).optional(),
  type: z.enum(DEVICE_TYPES).optional(),
  limit: limitSchema,
  cursor: z.string().max(500).optional(),
}).strict()
const model = z.string().trim().min(1).max(100)
const firmware = z.string().trim().min(1).max(100)
// Ten seconds to a day: shorter floods the alert service with offline alarms, longer leaves a dead watch unnoticed.
const supervisionIntervalS = z.number().int().min(10).max(86400)
const updateSchema = z.object({
  model: model.nullable(),
  firmware: firmware.nullable(),
  supervisionIntervalS,
  testMode: z.boolean(),
}).partial().strict().refine(body => Object.keys(body).length > 0, 'names no field to change')
const provisionSchema = z.object({
  // The devices.id CHECK: it is the device's broker username and the second level of its MQTT topics.
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, 'a letter or digit, then letters, digits, _ and -; 3 to 64 characters'),
  type: z.enum(DEVICE_TYPES),
  model: model.optional(),
  firmware: firmware.optional(),
  supervisionIntervalS: supervisionIntervalS.optional(),
}).strict()
const bindSchema = z.object({ residentId: refSchema }).strict()
/** Rotation and revocation take nothing; an empty object is accepted. */
const noBody = z.object({}).strict().optional()

const COLUMN = { model: 'model', firmware: 'firmware', supervisionIntervalS: 'supervision_interval_s', testMode: 'test_mode' } as const
const binding = z.object({
  residentId: z.string(), residentName: z.string().nullable(), boundAt: z.string(), unboundAt: z.string().nullable(), boundBy: z.string().nullable(), unboundBy: z.string().nullable(),
})
const deviceDetail = deviceSummarySchema.extend({ bindings: z.array(binding) })
/** Shown once, when made: the registry keeps only the hash, so nobody can look the password up later. */
const credentials = z.object({ username: z.string(), password: z.string(), mqttUrl: z.string() })
const withCredentials = z.object({ device: deviceDetail, credentials })

export function registerDeviceRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context
  /** Whom a change to the device concerns: its wearer, if any. */
  const residentsOf = (device: { residentId: string | null }): string[] => (device.residentId ? [device.residentId] : [])

  /**
   * One device with who wore it when, newest first; null outside the user's scope. After a change the caller
   * has checked the scope itself (`checked`): an area administrator's device in the drawer is in no area.
   */
  async function detail(user: SessionUser, deviceId: string, checked = false) {
    const [device] = await deviceSummaries(pool, checked ? { ...user, areaId: null } : user, { ids: [deviceId] }, context.now())
    if (!device) return null
    // Residents of other areas may have worn it before: their names are shown only within the user's scope.
    const values: unknown[] = [deviceId]
    let area = ''
    if (user.areaId) {
      values.push(user.areaId)
      area = `AND r.area_id = $${values.length}`
    }
    const { rows } = await pool.query<{ resident_id: string; resident_name: string | null; bound_at: Date; unbound_at: Date | null; bound_by: string | null; unbound_by: string | null }>(
      `SELECT b.resident_id, r.full_name AS resident_name, b.bound_at, b.unbound_at, b.bound_by, b.unbound_by
         FROM device_bindings b LEFT JOIN residents r ON r.id = b.resident_id ${area}
        WHERE b.device_id = $1 ORDER BY b.bound_at DESC, b.id DESC`,
      values,
    )
    const bindings = rows.map(b => ({
      residentId: b.resident_id, residentName: b.resident_name, boundAt: b.bound_at.toISOString(), unboundAt: b.unbound_at?.toISOString() ?? null,
      boundBy: b.bound_by, unboundBy: b.unbound_by,
    }))
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
    method: 'PATCH', url: '/api/devices/:deviceId', tag: 'devices', summary: "Change a device's model, firmware, supervision interval or test mode",
    permission: 'devices.write', params: deviceParams, body: updateSchema, response: deviceDetail,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const device = await lockDevice(client, user, params.deviceId)
        if (!device) throw notFound('device')
        const values: unknown[] = [params.deviceId]
        const sets = (Object.keys(COLUMN) as (keyof typeof COLUMN)[]).flatMap(field => {
          if (body[field] === undefined) return []
          values.push(body[field])
          return [`${COLUMN[field]} = $${values.length}`]
        })
        // The devices_changed trigger tells the services caching the registry (ingestion, alert) at once.
        await client.query(`UPDATE devices SET ${sets.join(', ')} WHERE id = $1`, values)
        // Test mode is recorded with its value: it decides whether anyone is called out for this device's alarms.
        const testMode = body.testMode === undefined ? {} : { testMode: body.testMode }
        await auditIn(client, user, { action: 'update_device', residentId: device.residentId, detail: { deviceId: params.deviceId, fields: Object.keys(body).sort(), ...testMode } }, now)
        await recordRegistryChange(client, user, { entity: 'device', entityId: device.id, action: 'updated', fields: Object.keys(body), residentIds: residentsOf(device) }, now)
      })
      return detail(user, params.deviceId, true)
    },
  })

  /** A device the user may change, locked in `client`'s transaction, or 404. */
  async function changing(client: pg.PoolClient, user: SessionUser, deviceId: string) {
    const device = await lockDevice(client, user, deviceId)
    if (!device) throw notFound('device')
    return device
  }

  const credentialsOf = (deviceId: string, password: string) => ({ username: deviceId, password, mqttUrl: context.deviceMqttUrl })

  api.route({
    method: 'POST', url: '/api/devices', tag: 'devices', summary: 'Provision a device: its record and its broker credentials (the password is shown once)',
    permission: 'devices.write', body: provisionSchema, response: withCredentials, successStatus: 201,
    handler: async ({ user, body }) => {
      const now = context.now()
      const device = { id: body.id, type: body.type, model: body.model ?? null, firmware: body.firmware ?? null, supervisionIntervalS: body.supervisionIntervalS ?? DEFAULT_SUPERVISION_S[body.type] }
      let password: string | null
      try {
        password = await withTransaction(pool, async client => {
          const made = await insertDevice(client, user, device, now)
          if (made) {
            await auditIn(client, user, { action: 'provision_device', detail: { deviceId: device.id, type: device.type } }, now)
            await recordRegistryChange(client, user, { entity: 'device', entityId: device.id, action: 'provisioned', fields: Object.keys(body), residentIds: [] }, now)
          }
          return made
        })
      } catch (error) {
        if (isUniqueViolation(error)) password = null
        else throw error
      }
      if (password === null) throw new ApiError(409, 'already_exists', `a device with id ${device.id} already exists; give new credentials to it instead (POST /api/devices/${device.id}/credentials)`)
      return { device: await detail(user, device.id, true), credentials: credentialsOf(device.id, password) }
    },
  })

  api.route({
    method: 'POST', url: '/api/devices/:deviceId/credentials', tag: 'devices',
    summary: 'New broker credentials for a device (shown once); the old password stops working at once, and a revoked device becomes active again',
    permission: 'devices.write', params: deviceParams, body: noBody, response: withCredentials,
    handler: async ({ user, params }) => {
      const now = context.now()
      const password = await withTransaction(pool, async client => {
        const device = await changing(client, user, params.deviceId)
        const made = await replaceCredentials(client, device.id)
        await auditIn(client, user, { action: 'rotate_device_credentials', residentId: device.residentId, detail: { deviceId: device.id, reactivated: device.status === 'revoked' } }, now)
        const fields = device.status === 'revoked' ? ['credentials', 'status'] : ['credentials']
        await recordRegistryChange(client, user, { entity: 'device', entityId: device.id, action: 'updated', fields, residentIds: residentsOf(device) }, now)
        return made
      })
      return { device: await detail(user, params.deviceId, true), credentials: credentialsOf(params.deviceId, password) }
    },
  })

  api.route({
    method: 'POST', url: '/api/devices/:deviceId/revoke', tag: 'devices', summary: "Revoke a device's credentials: the broker disconnects and refuses it at once, the platform ignores it",
    permission: 'devices.write', params: deviceParams, body: noBody, response: deviceDetail,
    handler: async ({ user, params }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const device = await changing(client, user, params.deviceId)
        if (device.status === 'revoked') throw new ApiError(409, 'already_revoked', `device ${device.id} is already revoked; new credentials (POST /api/devices/${device.id}/credentials) would make it active again`)
        await revokeDevice(client, device.id, now)
        await auditIn(client, user, { action: 'revoke_device', residentId: device.residentId, detail: { deviceId: device.id } }, now)
        await recordRegistryChange(client, user, { entity: 'device', entityId: device.id, action: 'revoked', fields: ['status'], residentIds: residentsOf(device) }, now)
      })
      return detail(user, params.deviceId, true)
    },
  })

  api.route({
    method: 'POST', url: '/api/devices/:deviceId/binding', tag: 'devices', summary: 'Give a device to a resident (one wearer at a time; who wore it when is kept)',
    permission: 'devices.write', params: deviceParams, body: bindSchema, response: deviceDetail,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      try {
        await withTransaction(pool, async client => {
          const device = await changing(client, user, params.deviceId)
          if (device.status === 'revoked') throw new ApiError(409, 'device_revoked', `device ${device.id} is revoked; give it new credentials before it is worn again`)
          if (device.residentId === body.residentId) throw new ApiError(409, 'already_bound', `device ${device.id} is already worn by resident ${body.residentId}`)
          if (device.residentId) throw new ApiError(409, 'already_bound', `device ${device.id} is worn by another resident; unbind it first (DELETE /api/devices/${device.id}/binding)`)
          if (!(await residentInScope(client, user, body.residentId))) throw invalid('residentId', `no resident ${body.residentId} in your ${user.areaId ? 'area' : 'organisation'}`)
          await bindDevice(client, user, device.id, body.residentId, now)
          await auditIn(client, user, { action: 'bind_device', residentId: body.residentId, detail: { deviceId: device.id } }, now)
          await recordRegistryChange(client, user, { entity: 'binding', entityId: device.id, action: 'bound', fields: ['residentId'], residentIds: [body.residentId] }, now)
        })
      } catch (error) {
        // Two binds at once: the one-current-binding index lets one through.
        if (isUniqueViolation(error)) throw new ApiError(409, 'already_bound', `device ${params.deviceId} was bound by someone else just now; look again`)
        throw error
      }
      return detail(user, params.deviceId, true)
    },
  })

  api.route({
    method: 'DELETE', url: '/api/devices/:deviceId/binding', tag: 'devices', summary: 'Take a device back from its wearer (the binding stays in its history)',
    permission: 'devices.write', params: deviceParams, response: deviceDetail,
    handler: async ({ user, params }) => {
      const now = context.now()
      await withTransaction(pool, async client => {
        const device = await changing(client, user, params.deviceId)
        if (!device.bindingId) throw new ApiError(409, 'not_bound', `device ${device.id} is worn by nobody`)
        await unbindDevice(client, user, device.bindingId, now)
        await auditIn(client, user, { action: 'unbind_device', residentId: device.residentId, detail: { deviceId: device.id } }, now)
        await recordRegistryChange(client, user, { entity: 'binding', entityId: device.id, action: 'unbound', fields: ['residentId'], residentIds: residentsOf(device) }, now)
      })
      return detail(user, params.deviceId, true)
    },
  })
}
