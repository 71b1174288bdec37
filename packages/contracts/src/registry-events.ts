import { z } from 'zod'

export const REGISTRY_ENTITIES = ['resident', 'household', 'device', 'binding', 'staff', 'care_team', 'consent', 'doctor_contract'] as const
export const REGISTRY_ACTIONS = ['created', 'updated', 'deleted', 'bound', 'unbound', 'revoked', 'provisioned', 'imported'] as const

/**
 * A change in the care registry (topic anxin.registry.v1, keyed by the record's id): which record changed
 * and which fields, never the values (they are personal data; whoever needs them reads the registry).
 * Services refresh what they cache of that record.
 */
export const registryChangeSchema = z.object({
  eventId: z.uuid(),
  schemaVersion: z.literal(1),
  orgId: z.string(),
  entity: z.enum(REGISTRY_ENTITIES),
  entityId: z.string(),
  action: z.enum(REGISTRY_ACTIONS),
  /** Field names only. */
  fields: z.array(z.string()),
  /** Residents this change concerns (a household change concerns its members). */
  residentIds: z.array(z.string()),
  actor: z.object({ kind: z.enum(['staff', 'system']), id: z.string() }),
  at: z.iso.datetime(),
})

export type RegistryChange = z.infer<typeof registryChangeSchema>
