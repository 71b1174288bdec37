import { z } from 'zod'

const actorSchema = z.object({ kind: z.enum(['staff', 'contact', 'system']), id: z.string() })

/** A change in an alarm's lifecycle (topic anxin.alarm.lifecycle.v1, keyed by alarm id). */
export const alarmLifecycleEventSchema = z.object({
  eventId: z.uuid(),
  schemaVersion: z.literal(1),
  alarmId: z.uuid(),
  orgId: z.string(),
  residentId: z.string(),
  alarmType: z.string(),
  action: z.string(),
  state: z.string(),
  version: z.number().int().positive(),
  escalationLevel: z.number().int(),
  actor: actorSchema,
  channel: z.string(),
  at: z.iso.datetime(),
  note: z.string().nullable(),
  outcome: z.string().nullable(),
})

/** Escalation asks dispatch to notify someone (topic anxin.dispatch.command.v1, keyed by alarm id). */
export const notifyCommandSchema = z.object({
  /** Deterministic (timer key and target): a retried command is recognised and never notifies twice. */
  commandId: z.string(),
  schemaVersion: z.literal(1),
  alarmId: z.uuid(),
  orgId: z.string(),
  residentId: z.string(),
  alarmType: z.string(),
  priority: z.number().int(),
  level: z.number().int(),
  reason: z.enum(['escalation', 'handling_overdue', 'arrival_overdue', 'repeat']),
  recipient: z.object({
    kind: z.enum(['staff', 'contact', 'recommendation']),
    id: z.string(),
    role: z.string().nullable(),
    /** Contact details are for dispatch to reach the person; they never go to logs. */
    name: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
  }),
  channels: z.array(z.string()).min(1),
  at: z.iso.datetime(),
})

export type AlarmLifecycleEvent = z.infer<typeof alarmLifecycleEventSchema>
export type NotifyCommandMessage = z.infer<typeof notifyCommandSchema>
