import type pg from 'pg'
import { mosquittoPasswordHash, newDevicePassword } from '@anxin/credentials'
import type { SessionUser } from '../domain/session-user.ts'

/**
 * The registry side of a device's life: provisioning, new credentials, revocation, who wears it. Every
 * change to `devices` or `device_bindings` fires the `anxin_device_registry` notification (migration 0001's
 * triggers), which the broker credential sync, ingestion and the alert service act on at once.
 */

/** A device as a change sees it, locked for the rest of the transaction. */
export type LockedDevice = { id: string; status: 'active' | 'revoked'; residentId: string | null; residentAreaId: string | null; bindingId: string | null }

/**
 * The device, locked, if the user may change it: one of their organisation's, and for area staff one that is
 * worn by nobody or by a resident of their area (a device in the drawer belongs to no area yet).
 */
export async function lockDevice(client: pg.PoolClient, user: SessionUser, deviceId: string): Promise<LockedDevice | null> {
  const { rows } = await client.query<{ id: string; status: LockedDevice['status'] }>(
    'SELECT id, status FROM devices WHERE id = $1 AND org_id = $2 FOR UPDATE',
    [deviceId, user.orgId],
  )
  const device = rows[0]
  if (!device) return null
  const binding = await client.query<{ id: string; resident_id: string; area_id: string | null }>(
    `SELECT b.id, b.resident_id, r.area_id FROM device_bindings b JOIN residents r ON r.id = b.resident_id
      WHERE b.device_id = $1 AND b.unbound_at IS NULL FOR UPDATE OF b`,
    [deviceId],
  )
  const current = binding.rows[0]
  if (user.areaId && current && current.area_id !== user.areaId) return null
  return { id: device.id, status: device.status, residentId: current?.resident_id ?? null, residentAreaId: current?.area_id ?? null, bindingId: current?.id ?? null }
}

export type NewDevice = { id: string; type: string; model: string | null; firmware: string | null; supervisionIntervalS: number }

/**
 * Inserts the device with a fresh random password and answers that password: the only time it exists outside
 * the device. The registry keeps its Mosquitto hash, from which the broker's password file is rendered.
 * False when the id is taken (by any organisation: it is the device's broker username).
 */
export async function insertDevice(client: pg.PoolClient, user: SessionUser, device: NewDevice, at: Date): Promise<string | null> {
  const password = newDevicePassword()
  const { rowCount } = await client.query(
    `INSERT INTO devices (id, org_id, type, model, firmware, mqtt_password_hash, status, supervision_interval_s, provisioned_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [device.id, user.orgId, device.type, device.model, device.firmware, mosquittoPasswordHash(password), device.supervisionIntervalS, user.staffId, at],
  )
  return rowCount ? password : null
}

/**
 * Replaces the device's password (the old one stops working when the broker reloads) and makes a revoked
 * device active again: new credentials are how a device found after being written off comes back.
 */
export async function replaceCredentials(client: pg.PoolClient, deviceId: string): Promise<string> {
  const password = newDevicePassword()
  await client.query(`UPDATE devices SET mqtt_password_hash = $2, status = 'active', revoked_at = NULL WHERE id = $1`, [deviceId, mosquittoPasswordHash(password)])
  return password
}

export async function revokeDevice(client: pg.PoolClient, deviceId: string, at: Date): Promise<void> {
  await client.query(`UPDATE devices SET status = 'revoked', revoked_at = $2 WHERE id = $1`, [deviceId, at])
}

/** A resident the user may put a device on: their organisation's and, for area staff, their area's. */
export async function residentInScope(client: pg.PoolClient, user: SessionUser, residentId: string): Promise<boolean> {
  const values: unknown[] = [residentId, user.orgId]
  let area = ''
  if (user.areaId) {
    values.push(user.areaId)
    area = 'AND area_id = $3'
  }
  const { rowCount } = await client.query(`SELECT 1 FROM residents WHERE id = $1 AND org_id = $2 ${area} FOR SHARE`, values)
  return (rowCount ?? 0) > 0
}

export async function bindDevice(client: pg.PoolClient, user: SessionUser, deviceId: string, residentId: string, at: Date): Promise<void> {
  await client.query('INSERT INTO device_bindings (device_id, resident_id, bound_at, bound_by) VALUES ($1, $2, $3, $4)', [deviceId, residentId, at, user.staffId])
}

export async function unbindDevice(client: pg.PoolClient, user: SessionUser, bindingId: string, at: Date): Promise<void> {
  // GREATEST: a binding made moments ago on a server whose clock is behind still ends after it began.
  await client.query('UPDATE device_bindings SET unbound_at = GREATEST($2::timestamptz, bound_at), unbound_by = $3 WHERE id = $1', [bindingId, at, user.staffId])
}
