import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { registryChangeSchema, type RegistryChange } from '@anxin/contracts'
import type { SessionUser } from '../domain/session-user.ts'

export type RegistryChangeInput = Omit<RegistryChange, 'eventId' | 'schemaVersion' | 'orgId' | 'actor' | 'at' | 'fields' | 'residentIds'> & {
  /** Names of the changed fields, never their values. */
  fields: readonly string[]
  residentIds: readonly string[]
}

/**
 * Announces a registry change to the other services (topic anxin.registry.v1, keyed by the record's id) by
 * writing the registry outbox in the transaction of the change: the event goes out if and only if the change
 * commits. The outbox row is written once per change, so a random event id is stable across the relay's
 * retries, which is all consumers deduplicate on.
 */
export async function recordRegistryChange(client: pg.ClientBase, user: SessionUser, change: RegistryChangeInput, at: Date): Promise<void> {
  const event: RegistryChange = registryChangeSchema.parse({
    ...change,
    eventId: randomUUID(),
    schemaVersion: 1,
    orgId: user.orgId,
    fields: [...new Set(change.fields)].sort(),
    residentIds: [...new Set(change.residentIds)].sort(),
    actor: { kind: 'staff', id: user.staffId },
    at: at.toISOString(),
  })
  await client.query('INSERT INTO registry_outbox (event_id, key, payload) VALUES ($1, $2, $3)', [event.eventId, event.entityId, event])
}

/** The residents whose assigned carer or family doctor a staff member is: a change to them concerns those residents. */
export async function residentsServedBy(client: pg.ClientBase, staffId: string): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    'SELECT id FROM residents WHERE assigned_carer_id = $1 OR family_doctor_id = $1 ORDER BY id', [staffId])
  return rows.map(r => r.id)
}
