import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { SKILLS } from '../domain/responder-matching.ts'
import { alarmTimeline } from '../adapters/alarm-timeline.ts'
import type { DispatchContext } from '../adapters/dispatch-context.ts'
import type { TaskDesk } from '../adapters/task-desk.ts'
import { loadTask, tasksOfAlarm } from '../adapters/task-store.ts'

const issues = (error: z.ZodError): string => error.issues.map(i => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')
const alarmParams = z.object({ alarmId: z.uuid() })
const staffParams = z.object({ staffId: z.string().min(1).max(64) })
const position = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
const profile = z.object({ skills: z.array(z.enum(SKILLS)).max(10).optional(), available: z.boolean().optional(), maxOpenTasks: z.number().int().min(1).max(20).optional() })

/**
 * The service's own API for the operator console (which authenticates and authorises in front of it): an
 * alarm's timeline and tasks, a visit requested by an operator, and responders' positions and availability.
 */
export function registerApiRoutes(app: FastifyInstance, deps: { context: DispatchContext; tasks: TaskDesk }): void {
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

  // An operator asks for a visit: a new task offered to the nearest suitable responder.
  app.post('/alarms/:alarmId/tasks', async (request, reply) => {
    const params = alarmParams.safeParse(request.params)
    if (!params.success) return reply.code(400).send({ code: 'invalid_alarm_id', message: issues(params.error) })
    const task = await withTransaction(context.pool, client => tasks.createVisit(client, params.data.alarmId))
    context.kick()
    if (!task) return reply.code(404).send({ code: 'not_found', message: 'no such alarm' })
    return reply.code(201).send({ task })
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
