import { z } from 'zod'
import { auditConsole } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { loadAlarmSummaries } from '../adapters/alarm-read-model.ts'
import { loadTaskView, tasksOfResponder } from '../adapters/visit-tasks.ts'
import { PERSON_OUTCOMES } from './alarm-actions.ts'
import { ApiError, notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { taskSchema } from './schemas.ts'

const taskStep = z
  .object({
    action: z.enum(['accept', 'decline', 'depart', 'arrive', 'complete']),
    outcome: z.enum(PERSON_OUTCOMES).optional(),
    notes: z.string().max(2000).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  })
  .strict()
  .refine(b => b.action !== 'complete' || b.outcome !== undefined, { message: 'complete needs an outcome', path: ['outcome'] })

type ResidentCard = { id: string; fullName: string; age: number; address: string; lat: number | null; lon: number | null; phone: string | null; contacts: Array<{ position: number; fullName: string; relation: string; phone: string }> }

/** What a responder needs at the door, for the residents of their tasks only. */
async function residentCards(context: ConsoleContext, residentIds: string[]): Promise<Map<string, ResidentCard>> {
  const { rows } = await context.pool.query<{ id: string; full_name: string; age: number; address: string; lat: number | null; lon: number | null; phone: string | null; contacts: ResidentCard['contacts'] | null }>(
    `SELECT r.id, r.full_name, date_part('year', age(r.birth_date))::int AS age, r.address, r.lat, r.lon, r.phone,
            (SELECT json_agg(json_build_object('position', c.position, 'fullName', c.full_name, 'relation', c.relation, 'phone', c.phone) ORDER BY c.position)
               FROM emergency_contacts c WHERE c.resident_id = r.id) AS contacts
       FROM residents r WHERE r.id = ANY($1)`,
    [residentIds],
  )
  return new Map(rows.map(r => [r.id, { id: r.id, fullName: r.full_name, age: r.age, address: r.address, lat: r.lat, lon: r.lon, phone: r.phone, contacts: r.contacts ?? [] }]))
}

/**
 * The responder's phone view: their visit tasks with the alarm and the resident's address and contacts, and
 * each step of a task (accept, decline, on my way, arrived, outcome), carried out by dispatch as them.
 */
export function registerResponderRoutes(api: ApiRouter, context: ConsoleContext): void {
  api.route({
    method: 'GET', url: '/api/me/tasks', tag: 'responder', summary: 'My visit tasks (open first) with their alarms and residents', permission: 'responder',
    handler: async ({ user }) => {
      const tasks = await tasksOfResponder(context.pool, user.staffId, context.now())
      const alarms = await loadAlarmSummaries(context.pool, [...new Set(tasks.map(t => t.alarmId))])
      const residents = await residentCards(context, [...new Set([...alarms.values()].map(a => a.residentId))])
      const items = tasks.flatMap(task => {
        const alarm = alarms.get(task.alarmId)
        const resident = alarm ? residents.get(alarm.residentId) : undefined
        return alarm && resident ? [{ task, alarm, resident }] : []
      })
      if (items.length > 0) {
        await auditConsole(context.pool, user, { action: 'view_my_tasks', detail: { residents: [...residents.keys()] } }, context.now())
      }
      return { items }
    },
  })

  api.route({
    method: 'POST', url: '/api/tasks/:taskId/actions', tag: 'responder', summary: 'A step on my visit task: accept, decline, depart, arrive, complete', permission: 'responder',
    params: z.object({ taskId: z.uuid() }), body: taskStep, response: z.object({ task: taskSchema }),
    handler: async ({ user, params, body }) => {
      const task = await loadTaskView(context.pool, params.taskId)
      // Someone else's task is "not found": task ids are not to be probed.
      if (!task || task.responderId !== user.staffId) throw notFound('task')
      const answer = await context.dispatch.call<{ code?: string; message?: string }>('POST', `/tasks/${params.taskId}/actions`, { ...body, by: user.staffId })
      if (answer.status >= 400) throw new ApiError(answer.status === 404 ? 404 : 409, answer.body?.code ?? 'refused', answer.body?.message ?? 'the task could not take this step')
      return { task: (await loadTaskView(context.pool, params.taskId))! }
    },
  })
}
