import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { hashPassword } from '@anxin/credentials'
import { upsertAccount } from '@anxin/console'
import { PASSWORD, type ConsoleApp } from './console-app.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type Requester = (method: Method, url: string, body?: unknown) => Promise<LightMyRequestResponse>

/**
 * Someone the shared fixture does not sign in (an area supervisor, an area administrator): a staff row and an
 * account, signed in through the real session route.
 */
export async function extraUser(app: ConsoleApp, staff: { id: string; role: string; org?: string; area: string | null }): Promise<Requester> {
  await app.db.pool.query('INSERT INTO staff (id, org_id, area_id, full_name, role) VALUES ($1, $2, $3, $4, $5)', [
    staff.id, staff.org ?? 'org-a', staff.area, `${staff.role} ${staff.id}`, staff.role,
  ])
  await upsertAccount(app.db.pool, staff.id, staff.id, await hashPassword(PASSWORD))
  return signedIn(app, staff.id, PASSWORD)
}

/** Signs in with a username and password and answers a requester for that session. */
export async function signedIn(app: ConsoleApp, username: string, password: string): Promise<Requester & { cookie: string }> {
  const response = await app.app.inject({ method: 'POST', url: '/api/session', payload: { username, password } })
  if (response.statusCode !== 200) throw new Error(`sign-in as ${username} failed: ${response.statusCode} ${response.body}`)
  const cookie = String(response.headers['set-cookie']).split(';')[0] as string
  const csrf = response.json().csrfToken as string
  const request = (method: Method, url: string, body?: unknown) =>
    app.app.inject({ method, url, headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) }, ...(body === undefined ? {} : { payload: body as object }) })
  return Object.assign(request, { cookie })
}

export type AuditRow = { action: string; actor_id: string; resident_id: string | null; detail: Record<string, unknown> }

export async function auditRows(app: ConsoleApp, action: string): Promise<AuditRow[]> {
  const { rows } = await app.db.pool.query<AuditRow>('SELECT action, actor_id, resident_id, detail FROM audit_log WHERE action = $1 ORDER BY seq', [action])
  return rows
}

/** A device of organisation A, optionally worn by a resident and last heard from `seenAt`. */
export async function addDevice(app: ConsoleApp, device: { id: string; residentId?: string; seenAt?: Date; battery?: number; org?: string; type?: string }): Promise<void> {
  const db = app.db.pool
  await db.query(`INSERT INTO devices (id, org_id, type, model, mqtt_password_hash, supervision_interval_s) VALUES ($1, $2, $3, 'W1', '$7$test', 600)`, [
    device.id, device.org ?? 'org-a', device.type ?? 'watch',
  ])
  if (device.residentId) await db.query('INSERT INTO device_bindings (device_id, resident_id) VALUES ($1, $2)', [device.id, device.residentId])
  if (device.seenAt) {
    await db.query('INSERT INTO device_status (time, device_id, event_id, battery, worn, received_at) VALUES ($1, $2, $3, $4, true, $1)', [
      device.seenAt, device.id, randomUUID(), device.battery ?? null,
    ])
  }
}
