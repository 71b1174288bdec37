import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { CHANNELS, OUTCOMES } from '../domain/lifecycle-types.ts'
import type { LifecycleAction } from '../domain/lifecycle.ts'
import type { EscalationEngine } from '../adapters/escalation-engine.ts'
import type pg from 'pg'
import { auditTrail } from '@anxin/audit'
import { loadRecord } from '../adapters/lifecycle-store.ts'
import { loadOnCall } from '../adapters/oncall-store.ts'
import { whoIsOnDuty } from '../domain/schedule.ts'

const actorSchema = z.object({ kind: z.enum(['staff', 'contact']), id: z.string().min(1) })
const actionSchema = z.object({
  kind: z.enum(['acknowledge', 'dispatch', 'arrive', 'resolve', 'close', 'reopen', 'note', 'escalate']),
  actor: actorSchema,
  channel: z.enum(CHANNELS),
  expectedVersion: z.number().int().positive().optional(),
  note: z.string().max(2000).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  reason: z.string().max(500).optional(),
  text: z.string().max(2000).optional(),
  responder: actorSchema.optional(),
  /** Set by services that deliver actions at least once: a repeat is answered `duplicate: true`, not applied. */
  requestId: z.string().min(1).max(200).optional(),
  /** On dispatch: the arrival deadline the responder was given, replacing the policy's. */
  arrivalDeadlineSeconds: z.number().int().positive().max(7 * 86400).optional(),
})

// Refusals a caller can act on (someone else was faster; the alarm moved on) are conflicts; the rest are
// requests that can never succeed as sent.
const CONFLICTS = new Set(['version_conflict', 'already_acknowledged', 'already_resolved', 'already_closed'])

/**
 * The lifecycle API other services (console, responder links) call. Authentication and authorisation sit in
 * front of it, in the console API; this service trusts its callers' actor ids.
 */
export function registerLifecycleRoutes(app: FastifyInstance, engine: EscalationEngine, pool: pg.Pool): void {
  app.post<{ Params: { alarmId: string } }>('/alarms/:alarmId/actions', async (request, reply) => {
    const parsed = actionSchema.safeParse(request.body)
    if (!parsed.success) return reply.code(400).send({ code: 'invalid_request', message: parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ') })
    if (!z.uuid().safeParse(request.params.alarmId).success) return reply.code(400).send({ code: 'invalid_alarm_id', message: 'alarm id must be a uuid' })
    const { requestId, arrivalDeadlineSeconds, ...body } = parsed.data
    const action = { ...body, at: new Date().toISOString() } as unknown as LifecycleAction
    const result = await engine.applyAction(request.params.alarmId, action, { requestId, arrivalDeadlineSeconds })
    if (!result) return reply.code(404).send({ code: 'not_found', message: 'no such alarm' })
    if (!result.ok) return reply.code(CONFLICTS.has(result.code) ? 409 : 422).send({ code: result.code, message: result.message })
    if ('duplicate' in result) return reply.send({ lifecycle: result.next, duplicate: true })
    return reply.send({ lifecycle: result.next, escalation: result.effect.escalation })
  })

  app.get<{ Params: { alarmId: string } }>('/alarms/:alarmId', async (request, reply) => {
    if (!z.uuid().safeParse(request.params.alarmId).success) return reply.code(400).send({ code: 'invalid_alarm_id', message: 'alarm id must be a uuid' })
    const client = await pool.connect()
    try {
      const record = await loadRecord(client, request.params.alarmId, { forUpdate: false })
      if (!record) return reply.code(404).send({ code: 'not_found', message: 'no such alarm' })
      return reply.send({ ...record, audit: await auditTrail(pool, { alarmId: request.params.alarmId }) })
    } finally {
      client.release()
    }
  })

  const onDutyQuery = z.object({ role: z.enum(['operator', 'carer', 'doctor', 'supervisor']), areaId: z.string().min(1).optional(), at: z.iso.datetime({ offset: true }).optional() })

  // "Who is on duty now?" (or at `at`), for a role in an area, from the rotations, overrides and holidays.
  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/on-duty', async (request, reply) => {
    const query = onDutyQuery.safeParse(request.query)
    if (!query.success) return reply.code(400).send({ code: 'invalid_request', message: query.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ') })
    const onCall = await loadOnCall(pool, request.params.orgId)
    const at = query.data.at ?? new Date().toISOString()
    return reply.send({ at, onDuty: whoIsOnDuty({ ...onCall, role: query.data.role, areaId: query.data.areaId ?? null, at }) })
  })
}
