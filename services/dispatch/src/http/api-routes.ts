import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { PLATFORM_ALARM_TYPES } from '@anxin/contracts'
import { DELIVERY_CHANNELS } from '../channels/channel.ts'
import { SKILLS } from '../domain/responder-matching.ts'
import { alarmTimeline } from '../adapters/alarm-timeline.ts'
import { checkEndpoint } from '../adapters/endpoint-check.ts'
import { loadSettings } from '../adapters/dispatch-settings.ts'
import { loadPreferences } from '../adapters/recipient-reach.ts'
import { actOnTask, taskActionBody, type TaskActionDeps } from './task-actions.ts'
import { loadTask, tasksOfAlarm } from '../adapters/task-store.ts'

const issues = (error: z.ZodError): string => error.issues.map(i => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')
const alarmParams = z.object({ alarmId: z.uuid() })
const staffParams = z.object({ staffId: z.string().min(1).max(64) })
const position = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24-hour)')
const timeZone = z.string().refine(zone => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}, 'an IANA time zone such as Asia/Shanghai')
const preferences = z
  .object({
    channels: z.array(z.enum(DELIVERY_CHANNELS)).min(1).max(5).nullable(),
    quietHours: z.object({ start: clock, end: clock, timezone: timeZone }).nullable(),
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  })
  .strict()
const settings = z
  .object({
    arrivalDeadlineSeconds: z.number().int().min(60).max(24 * 3600),
    offerTimeoutSeconds: z.number().int().min(10).max(3600),
    autoTaskAlarmTypes: z.array(z.enum(PLATFORM_ALARM_TYPES)),
    familyUpdateAlarmTypes: z.array(z.enum(PLATFORM_ALARM_TYPES)),
    linkTtlSeconds: z.number().int().min(60).max(7 * 86400),
    webhook: z.object({ url: z.url().max(2000), secret: z.string().min(16).max(200) }).nullable(),
  })
  .strict()
const profile = z.object({ skills: z.array(z.enum(SKILLS)).max(10).optional(), available: z.boolean().optional(), maxOpenTasks: z.number().int().min(1).max(20).optional() })

/**
 * The service's own API for the operator console (which authenticates and authorises in front of it): an
 * alarm's timeline and tasks, a visit requested by an operator, and responders' positions and availability.
 */
export function registerApiRoutes(app: FastifyInstance, deps: TaskActionDeps): void {
  const { context, tasks } = deps

  app.get('/alarms/:alarmId/timeline', async (request, reply) => {
    const params = alarmParams.safeParse(request.params)
    if (!params.success) return reply.code(400).send({ code: 'invalid_alarm_id', message: issues(params.error) })
    return reply.send({ alarmId: params.data.alarmId, timeline: await alarmTimeline(context.pool, params.data.alarmId) })
  })

  app.get('/alarms/:alarmId/tasks', async (request, reply) => {
    const params = alarmParams.safeParse(request.params)
    if (!params.success) return reply.code(400).send({ code: 'invalid_alarm_id', message: issues(params.error) })
    return reply.send({ tasks: await tasksOfAlarm(context.pool, params.data.alarmId) })
  })

  // An operator asks for a visit: a new task offered to the responder they chose, or else the nearest suitable one.
  app.post('/alarms/:alarmId/tasks', async (request, reply) => {
    const params = alarmParams.safeParse(request.params)
    if (!params.success) return reply.code(400).send({ code: 'invalid_alarm_id', message: issues(params.error) })
    const body = z.object({ responderId: z.string().min(1).max(64).optional() }).strict().safeParse(request.body ?? {})
    if (!body.success) return reply.code(400).send({ code: 'invalid_request', message: issues(body.error) })
    const responderId = body.data.responderId
    if (responderId) {
      const staff = await context.pool.query(`SELECT 1 FROM staff s JOIN alarms a ON a.org_id = s.org_id WHERE s.id = $1 AND a.id = $2 AND s.role IN ('carer', 'doctor') AND s.active`, [
        responderId, params.data.alarmId,
      ])
      if (!staff.rowCount) return reply.code(400).send({ code: 'invalid_responder', message: 'responderId is not an active carer or doctor of the alarm\'s organisation' })
    }
    const task = await withTransaction(context.pool, client => tasks.createVisit(client, params.data.alarmId, responderId ? { offerTo: responderId } : {}))
    context.kick()
    if (!task) return reply.code(404).send({ code: 'not_found', message: 'no such alarm' })
    return reply.code(201).send({ task })
  })

  // A responder's step on their task, made in the console (which has authenticated them): the same rules as the
  // responder page, and the escalation call delivered before answering so the console shows the new state.
  app.post('/tasks/:taskId/actions', async (request, reply) => {
    const params = z.object({ taskId: z.uuid() }).safeParse(request.params)
    const body = taskActionBody.safeParse(request.body)
    if (!params.success || !body.success) return reply.code(400).send({ code: 'invalid_request', message: issues((params.error ?? body.error)!) })
    const result = await actOnTask(deps, params.data.taskId, body.data)
    if (result !== 'pending' && !result.ok) return reply.code(result.code === 'not_found' ? 404 : 409).send({ code: result.code, message: result.message ?? result.code })
    const client = await context.pool.connect()
    try {
      // pending: the task moved; escalation has not confirmed yet (the outbox keeps trying).
      return reply.code(result === 'pending' ? 202 : 200).send({ task: await loadTask(client, params.data.taskId, { forUpdate: false }), escalation: result === 'pending' ? 'pending' : 'done' })
    } finally {
      client.release()
    }
  })

  app.get('/tasks/:taskId', async (request, reply) => {
    const params = z.object({ taskId: z.uuid() }).safeParse(request.params)
    if (!params.success) return reply.code(400).send({ code: 'invalid_task_id', message: issues(params.error) })
    const client = await context.pool.connect()
    try {
      const task = await loadTask(client, params.data.taskId, { forUpdate: false })
      return task ? reply.send({ task }) : reply.code(404).send({ code: 'not_found', message: 'no such task' })
    } finally {
      client.release()
    }
  })

  app.put('/responders/:staffId/position', async (request, reply) => {
    const params = staffParams.safeParse(request.params)
    const body = position.safeParse(request.body)
    if (!params.success || !body.success) return reply.code(400).send({ code: 'invalid_request', message: issues((params.error ?? body.error)!) })
    const { rowCount } = await context.pool.query('UPDATE responder_profiles SET lat = $2, lon = $3, position_at = now(), updated_at = now() WHERE staff_id = $1', [
      params.data.staffId, body.data.lat, body.data.lon,
    ])
    return rowCount ? reply.code(204).send() : reply.code(404).send({ code: 'not_found', message: 'no responder profile for this staff member' })
  })

  // How a person wants to be reached: channels in order, quiet hours (never applied to critical alarms), language.
  app.put('/people/:kind/:personId/preferences', async (request, reply) => {
    const params = z.object({ kind: z.enum(['staff', 'contact']), personId: z.string().min(1).max(100) }).safeParse(request.params)
    const body = preferences.safeParse(request.body)
    if (!params.success || !body.success) return reply.code(400).send({ code: 'invalid_request', message: issues((params.error ?? body.error)!) })
    const p = body.data
    await context.pool.query(
      `INSERT INTO notification_preferences (person_kind, person_id, channels, quiet_start, quiet_end, timezone, locale) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (person_kind, person_id) DO UPDATE SET channels = EXCLUDED.channels, quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
         timezone = EXCLUDED.timezone, locale = EXCLUDED.locale, updated_at = now()`,
      [params.data.kind, params.data.personId, p.channels, p.quietHours?.start ?? null, p.quietHours?.end ?? null, p.quietHours?.timezone ?? 'Asia/Shanghai', p.locale],
    )
    return reply.code(204).send()
  })

  app.get('/people/:kind/:personId/preferences', async (request, reply) => {
    const { kind, personId } = request.params as { kind: string; personId: string }
    return reply.send(await loadPreferences(context.pool, kind, personId))
  })

  // The webhook secret is write-only: it is never sent back.
  app.get('/orgs/:orgId/dispatch-settings', async (request, reply) => {
    const current = await loadSettings(context.pool, (request.params as { orgId: string }).orgId)
    return reply.send({ ...current, webhook: current.webhook ? { url: current.webhook.url, secretSet: true } : null })
  })

  app.put('/orgs/:orgId/dispatch-settings', async (request, reply) => {
    const params = z.object({ orgId: z.string().min(1).max(100) }).safeParse(request.params)
    const body = settings.safeParse(request.body)
    if (!params.success || !body.success) return reply.code(400).send({ code: 'invalid_request', message: issues((params.error ?? body.error)!) })
    const endpoint = body.data.webhook ? await checkEndpoint(body.data.webhook.url, { allowLocal: context.allowLocalEndpoints }) : { ok: true as const }
    if (!endpoint.ok) return reply.code(400).send({ code: 'invalid_endpoint', message: `webhook.url ${endpoint.reason}` })
    const org = await context.pool.query('SELECT 1 FROM organisations WHERE id = $1', [params.data.orgId])
    if (!org.rowCount) return reply.code(404).send({ code: 'not_found', message: 'no such organisation' })
    const b = body.data
    await context.pool.query(
      `INSERT INTO dispatch_settings (org_id, arrival_deadline_seconds, offer_timeout_seconds, auto_task_alarm_types, family_update_alarm_types, link_ttl_seconds, webhook_url, webhook_secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (org_id) DO UPDATE SET arrival_deadline_seconds = $2, offer_timeout_seconds = $3, auto_task_alarm_types = $4, family_update_alarm_types = $5,
         link_ttl_seconds = $6, webhook_url = $7, webhook_secret = $8, updated_at = now()`,
      [params.data.orgId, b.arrivalDeadlineSeconds, b.offerTimeoutSeconds, b.autoTaskAlarmTypes, b.familyUpdateAlarmTypes, b.linkTtlSeconds, b.webhook?.url ?? null, b.webhook?.secret ?? null],
    )
    return reply.code(204).send()
  })

  app.put('/responders/:staffId/profile', async (request, reply) => {
    const params = staffParams.safeParse(request.params)
    const body = profile.safeParse(request.body)
    if (!params.success || !body.success) return reply.code(400).send({ code: 'invalid_request', message: issues((params.error ?? body.error)!) })
    const staff = await context.pool.query(`SELECT 1 FROM staff WHERE id = $1 AND role IN ('carer', 'doctor')`, [params.data.staffId])
    if (!staff.rowCount) return reply.code(404).send({ code: 'not_found', message: 'no carer or doctor with this id' })
    await context.pool.query(
      `INSERT INTO responder_profiles (staff_id, skills, available, max_open_tasks) VALUES ($1, COALESCE($2, '{}'), COALESCE($3, true), COALESCE($4, 2))
       ON CONFLICT (staff_id) DO UPDATE SET skills = COALESCE($2, responder_profiles.skills), available = COALESCE($3, responder_profiles.available),
         max_open_tasks = COALESCE($4, responder_profiles.max_open_tasks), updated_at = now()`,
      [params.data.staffId, body.data.skills ?? null, body.data.available ?? null, body.data.maxOpenTasks ?? null],
    )
    return reply.code(204).send()
  })
}
