import { z } from 'zod'

/** Response shapes shared by several routes, for the OpenAPI document (requests are validated where declared). */

export const personSchema = z.object({ kind: z.enum(['staff', 'contact', 'system']), id: z.string(), name: z.string().nullable() })

export const alarmSummarySchema = z.object({
  id: z.uuid(),
  type: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  priority: z.number().int(),
  state: z.string(),
  version: z.number().int(),
  alertStatus: z.enum(['open', 'cleared', 'cancelled']),
  occurrences: z.number().int(),
  residentId: z.string(),
  residentName: z.string(),
  areaId: z.string().nullable(),
  areaName: z.string().nullable(),
  deviceId: z.string().nullable(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: personSchema.nullable(),
  responder: personSchema.nullable(),
  dispatchedAt: z.string().nullable(),
  arrivedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  escalationLevel: z.number().int(),
  /** From a device in test mode: only in `GET /api/alarms?view=test`; nobody was notified. */
  test: z.boolean(),
})

export const taskSchema = z.object({
  taskId: z.uuid(),
  alarmId: z.uuid(),
  sequence: z.number().int(),
  state: z.string(),
  version: z.number().int(),
  responderId: z.string().nullable(),
  responderName: z.string().nullable(),
  offerExpiresAt: z.string().nullable(),
  arrivalDueAt: z.string().nullable(),
  overdueAt: z.string().nullable(),
  outcome: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() })
