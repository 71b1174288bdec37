import type pg from 'pg'
import { appendAudit } from '@anxin/audit'
import { nameBasedUuid } from '@anxin/contracts'
import { withTransaction } from '@anxin/db'
import { rankResponders } from '../domain/responder-matching.ts'
import { newTask, transitionTask, type TaskAction, type TaskTransitionResult, type VisitTask } from '../domain/visit-task.ts'
import { loadAlarmFacts, type AlarmFacts } from './alarm-facts.ts'
import { intakeContext, type DispatchContext } from './dispatch-context.ts'
import { loadSettings } from './dispatch-settings.ts'
import { queueEscalationCall, type EscalationAction } from './escalation-calls.ts'
import { acceptNotification } from './notification-intake.ts'
import type { Recipient } from './recipient-reach.ts'
import { dueTaskIds, insertTask, loadCandidates, loadTask, lockOpenTasks, nextSequence, saveTask } from './task-store.ts'

export type TaskActResult = TaskTransitionResult | { ok: false; code: 'not_found'; message: string }

/**
 * Home-visit tasks (派单): created for an alarm, offered to the nearest suitable responder, answered, and
 * followed to the door. Each change, its audit row, the offer or stand-down message it causes and the action
 * it owes escalation commit in one transaction.
 */
export class TaskDesk {
  private readonly context: DispatchContext

  constructor(context: DispatchContext) {
    this.context = context
  }

  /**
   * A visit for an alarm: the first (sequence 1, from the alarm being raised or an operator), or a backup when
   * the first responder is late. Redelivery of the same trigger finds the task already there. `offerTo`: an
   * operator chose the responder (typically after phoning them); if they decline, the usual ranking takes over.
   */
  async createVisit(client: pg.ClientBase, alarmId: string, options: { sequence?: number; exclude?: string[]; facts?: AlarmFacts; offerTo?: string } = {}): Promise<VisitTask | null> {
    const facts = options.facts ?? (await loadAlarmFacts(client, alarmId))
    if (!facts || facts.test) return null
    const sequence = options.sequence ?? (await nextSequence(client, alarmId))
    const task = newTask({ taskId: nameBasedUuid(`visit-task\n${alarmId}\n${sequence}`), alarmId, orgId: facts.orgId, at: this.nowIso() })
    if (!(await insertTask(client, task, sequence, facts.residentId))) return null
    await appendAudit(client as pg.PoolClient, {
      orgId: facts.orgId, alarmId, residentId: facts.residentId, actorKind: 'system', actorId: 'dispatch', action: 'task_created',
      channel: 'system', at: task.createdAt, detail: { taskId: task.taskId, sequence },
    })
    return this.offerNext(client, task, facts, options.exclude ?? [], options.offerTo)
  }

  /** A responder's (or the sweeper's) action on a task. */
  async act(taskId: string, action: TaskAction): Promise<TaskActResult> {
    const result = await withTransaction(this.context.pool, async client => {
      const task = await loadTask(client, taskId, { forUpdate: true })
      if (!task) return { ok: false as const, code: 'not_found' as const, message: 'no such task' }
      return this.apply(client, task, action)
    })
    this.context.kick()
    return result
  }

  /**
   * The alarm is over (or, with `except`, someone else is at the door): the open tasks are cancelled and
   * anyone on the way is told not to come.
   */
  async cancelForAlarm(client: pg.ClientBase, alarmId: string, reason: string, except?: string): Promise<number> {
    const open = await lockOpenTasks(client, alarmId, except ?? null)
    for (const task of open) await this.apply(client, task, { kind: 'cancel', at: this.nowIso(), reason })
    return open.length
  }

  /** Offers that lapsed go to the next candidate; a responder past the arrival deadline gets a backup. */
  async sweep(): Promise<number> {
    const now = this.nowIso()
    const due = await dueTaskIds(this.context.pool, now)
    for (const taskId of due.expiredOffers) await this.act(taskId, { kind: 'offer_expired', at: now })
    for (const taskId of due.overdueArrivals) await this.act(taskId, { kind: 'arrival_overdue', at: now })
    return due.expiredOffers.length + due.overdueArrivals.length
  }

  private async apply(client: pg.ClientBase, task: VisitTask & { residentId: string }, action: TaskAction): Promise<TaskTransitionResult> {
    const result = transitionTask(task, action)
    if (!result.ok) return result
    const { next, effect } = result
    await saveTask(client, next, effect.event)
    await appendAudit(client as pg.PoolClient, {
      orgId: next.orgId, alarmId: next.alarmId, residentId: task.residentId, actorKind: effect.event.by ? 'staff' : 'system',
      actorId: effect.event.by ?? 'dispatch', action: `task_${effect.event.kind}`, channel: effect.event.by ? 'responder_app' : 'system', at: effect.event.at,
      detail: { taskId: next.taskId, version: next.version, from: effect.event.from, to: effect.event.to, ...effect.event.detail },
    })
    if (effect.escalation) {
      const settings = await loadSettings(client, next.orgId)
      await queueEscalationCall(client, `task:${next.taskId}:v${next.version}`, next.alarmId, toEscalation(effect.escalation, effect.event.by, settings.arrivalDeadlineSeconds))
    }
    if (action.kind === 'arrive') await this.cancelForAlarm(client, next.alarmId, 'another responder has arrived', next.taskId)
    if (action.kind === 'arrival_overdue' && effect.offerNext) {
      // The first responder keeps going; a second visit is offered to someone else in case they do not arrive.
      await this.createVisit(client, next.alarmId, { exclude: next.responderId ? [next.responderId] : [] })
    } else if (effect.standDown || effect.offerNext) {
      const facts = await loadAlarmFacts(client, next.alarmId)
      if (!facts) return result
      if (effect.standDown) await this.notifyStaff(client, facts, effect.standDown, { purpose: 'stand_down', commandId: `task:${next.taskId}:stand-down:${effect.standDown}`, taskId: next.taskId })
      if (effect.offerNext) await this.offerNext(client, next, facts, [])
    }
    return result
  }

  private async offerNext(client: pg.ClientBase, task: VisitTask, facts: AlarmFacts, exclude: readonly string[], chosen?: string): Promise<VisitTask> {
    const now = this.nowIso()
    const best = chosen
      ? { staffId: chosen }
      : rankResponders(
          { alarmType: facts.alarmType, residentLocation: facts.residentLocation, residentAreaId: facts.areaId, excluded: [...exclude, ...task.declinedBy, ...task.offeredTo], now },
          await loadCandidates(client, facts.orgId),
        )[0]
    if (!best) {
      this.context.logger.warn({ alarmId: task.alarmId, taskId: task.taskId }, 'no suitable responder is available for a visit; the task waits for an operator')
      return task
    }
    const settings = await loadSettings(client, facts.orgId)
    const expiresAt = new Date(Date.parse(now) + settings.offerTimeoutSeconds * 1000).toISOString()
    const offered = await this.apply(client, { ...task, residentId: facts.residentId }, { kind: 'offer', responderId: best.staffId, at: now, expiresAt })
    if (!offered.ok) return task
    await this.notifyStaff(client, facts, best.staffId, { purpose: 'task_offer', commandId: `task:${task.taskId}:offer:${best.staffId}`, taskId: task.taskId })
    return offered.next
  }

  private async notifyStaff(client: pg.ClientBase, facts: AlarmFacts, staffId: string, what: { purpose: 'task_offer' | 'stand_down'; commandId: string; taskId: string }): Promise<void> {
    const { rows } = await client.query<{ role: string; full_name: string; phone: string | null; email: string | null }>(
      'SELECT role, full_name, phone, email FROM staff WHERE id = $1',
      [staffId],
    )
    const s = rows[0]
    if (!s) return
    const recipient: Recipient = { kind: 'staff', id: staffId, role: s.role, name: s.full_name, phone: s.phone, email: s.email }
    await acceptNotification(
      client,
      { commandId: what.commandId, purpose: what.purpose, facts, recipient, requested: ['responder_app', 'sms', 'email'], reason: null, update: null, taskId: what.taskId },
      intakeContext(this.context),
    )
  }

  private nowIso(): string {
    return this.context.now().toISOString()
  }
}

function toEscalation(effect: NonNullable<TaskTransitionResult & { ok: true }>['effect']['escalation'] & object, by: string | null, arrivalDeadlineSeconds: number): EscalationAction {
  const actor = { kind: 'staff' as const, id: by ?? ('responderId' in effect ? effect.responderId : 'dispatch') }
  switch (effect.kind) {
    case 'dispatch':
      return { kind: 'dispatch', actor, responder: { kind: 'staff', id: effect.responderId }, channel: 'responder_app', arrivalDeadlineSeconds }
    case 'arrive':
      return { kind: 'arrive', actor, channel: 'responder_app' }
    case 'resolve':
      return { kind: 'resolve', actor, channel: 'responder_app', outcome: effect.outcome, ...(effect.notes ? { note: effect.notes } : {}) }
    case 'note':
      return { kind: 'note', actor, channel: 'responder_app', text: effect.text }
  }
}
