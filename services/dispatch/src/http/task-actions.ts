import { z } from 'zod'
import { TASK_OUTCOMES, type TaskAction } from '../domain/visit-task.ts'
import type { DispatchContext } from '../adapters/dispatch-context.ts'
import { loadSettings } from '../adapters/dispatch-settings.ts'
import type { CallResult, EscalationCaller } from '../adapters/escalation-calls.ts'
import type { TaskDesk } from '../adapters/task-desk.ts'

export type TaskActionDeps = { context: DispatchContext; tasks: TaskDesk; caller: EscalationCaller }

export const TASK_STEPS = ['accept', 'decline', 'depart', 'arrive', 'complete'] as const

export const taskActionBody = z
  .object({
    action: z.enum(TASK_STEPS),
    /** The responder (staff id) acting; the caller has authenticated them. */
    by: z.string().min(1).max(64),
    outcome: z.enum(TASK_OUTCOMES).optional(),
    notes: z.string().max(2000).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  })
  .strict()

export type TaskStep = z.infer<typeof taskActionBody>
export type TaskStepResult = { ok: true } | { ok: false; code: string; message?: string } | 'pending'

/**
 * One step of a visit task by its responder, from the responder page or the console: the phone's position is
 * kept for the next match, the task moves, and any effect on the alarm (dispatched, arrived, resolved) is
 * delivered to escalation before answering ('pending' when escalation could not be reached yet: the outbox
 * keeps retrying).
 */
export async function actOnTask(deps: TaskActionDeps, taskId: string, step: TaskStep): Promise<TaskStepResult> {
  const { context } = deps
  const now = context.now().toISOString()
  if (step.lat !== undefined && step.lon !== undefined) {
    await context.pool.query('UPDATE responder_profiles SET lat = $2, lon = $3, position_at = now(), updated_at = now() WHERE staff_id = $1', [step.by, step.lat, step.lon])
  }
  if (step.action === 'complete' && !step.outcome) return { ok: false, code: 'outcome_required', message: 'complete needs an outcome' }
  const task = (await context.pool.query<{ org_id: string }>('SELECT org_id FROM visit_tasks WHERE task_id = $1', [taskId])).rows[0]
  if (!task) return { ok: false, code: 'not_found', message: 'no such task' }
  const by = step.by
  const notes = step.notes ? { notes: step.notes } : {}
  const build: Record<TaskStep['action'], () => Promise<TaskAction>> = {
    accept: async () => {
      const settings = await loadSettings(context.pool, task.org_id)
      return { kind: 'accept', by, at: now, arrivalDueAt: new Date(Date.parse(now) + settings.arrivalDeadlineSeconds * 1000).toISOString() }
    },
    decline: async () => ({ kind: 'decline', by, at: now, ...(step.notes ? { reason: step.notes } : {}) }),
    depart: async () => ({ kind: 'depart', by, at: now }),
    arrive: async () => ({ kind: 'arrive', by, at: now }),
    complete: async () => ({ kind: 'complete', by, at: now, outcome: step.outcome!, ...notes }),
  }
  const result = await deps.tasks.act(taskId, await build[step.action]())
  if (!result.ok) return { ok: false, code: result.code, message: result.message }
  if (!result.effect.escalation) return { ok: true }
  const call: CallResult | 'pending' = await deps.caller.deliverNow(`task:${result.next.taskId}:v${result.next.version}`)
  return call === 'pending' ? 'pending' : call.ok ? { ok: true } : { ok: false, code: call.code, message: call.message }
}
