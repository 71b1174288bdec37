import { z } from 'zod'

/**
 * What the alert service tells the rest of the platform about alarms (topic anxin.alarm.v1, keyed by
 * resident id so one resident's alarm events stay in order). `eventId` is deterministic (alarm id and
 * version), so a consumer that sees one twice can tell.
 */
export const ALARM_EVENT_KINDS = ['raised', 'updated', 'cleared', 'cancelled'] as const

export const alarmEventSchema = z.object({
  eventId: z.uuid(),
  schemaVersion: z.literal(1),
  kind: z.enum(ALARM_EVENT_KINDS),
  alarmId: z.uuid(),
  incidentId: z.uuid(),
  version: z.number().int().positive(),
  orgId: z.string(),
  residentId: z.string(),
  deviceId: z.string().nullable(),
  type: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  priority: z.number().int(),
  status: z.enum(['open', 'cleared', 'cancelled']),
  occurrences: z.number().int().positive(),
  /** When the condition began (device time). */
  startedAt: z.iso.datetime(),
  /** When this change was made by the alert service. */
  occurredAt: z.iso.datetime(),
  /** The device event that caused this change, if any (timers have none). */
  causeEventId: z.string().nullable(),
  reason: z.string().nullable(),
  /** Operational facts (thresholds, last known location); medical values stay in the alarm's evidence. */
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /**
   * A test alarm (added in issue 7; absent means false): raised by a device in test mode. It is recorded and
   * shown in the console's test view; nobody is notified.
   */
  test: z.boolean().optional(),
})

export type AlarmEvent = z.infer<typeof alarmEventSchema>
