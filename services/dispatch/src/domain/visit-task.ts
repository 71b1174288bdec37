/**
 * A home-visit task (派单) as an explicit state machine:
 *
 *   unassigned -> offered -> accepted -> en_route -> arrived -> completed
 *        ^            |          \_____________________^
 *        +------------+ decline / offer_expired
 *   any non-terminal state -> cancelled
 *
 * `transitionTask` is pure: the caller loads the task, applies one action, stores `next` and
 * `effect.event` in one transaction (guarded by the version it loaded), then acts on the rest of the
 * effect: tells escalation `effect.escalation`, offers the task to the next candidate when `offerNext`,
 * tells `standDown` not to come. Times are inputs; nothing here reads the clock.
 *
 * Rules (the test states each one, refusals included):
 * - offer only from 'unassigned', and never to someone in `declinedBy` ('already_declined'). The offer
 *   expires at `expiresAt`, which must be later than `at`. Someone whose offer merely expired may be offered
 *   the task again; `offeredTo` lists everyone offered it once, in the order of their first offer.
 * - accept and decline only while 'offered', only by the current offeree ('not_your_task'), and only before
 *   `offerExpiresAt`: an answer at or after it is refused 'offer_expired' (the caller then records the
 *   expiry; the task goes to someone else). Checks run in that order: state, person, time.
 * - accept -> 'accepted': the offeree becomes the assignee, `arrivalDueAt` (later than `at`) is recorded,
 *   and escalation is told {dispatch} (on the alarm, the responder is now on the way).
 * - decline -> 'unassigned', offerNext, and an escalation note naming who declined and why.
 * - offer_expired only while 'offered' and at or after `offerExpiresAt` ('offer_still_open' before)
 *   -> 'unassigned', offerNext, and an escalation note naming who did not answer.
 * - depart only by the assignee from 'accepted' -> 'en_route', escalation note.
 * - arrive by the assignee from 'accepted' or 'en_route' (a carer next door may never press "depart")
 *   -> 'arrived', escalation {arrive}.
 * - complete by the assignee from 'arrived' only, with an outcome -> 'completed', escalation {resolve}.
 * - cancel (the alarm was resolved elsewhere) from any non-terminal state, with a reason -> 'cancelled'.
 *   No escalation effect: escalation already knows, it is why the task is cancelled. A responder who was on
 *   the way (accepted or en_route) is named in `standDown`; one already there is not (they are with the
 *   resident and will hear it from the operator). An open offer is withdrawn (`responderId` cleared; the
 *   event names who held it).
 * - arrival_overdue only from 'accepted' or 'en_route', at or after `arrivalDueAt` ('not_overdue' before),
 *   once ('already_overdue' the second time). It records `overdueAt` and keeps the state: the first
 *   responder keeps going. offerNext is true and the event says `backup: true`: this task stays with its
 *   assignee, so the caller seeks the backup through a new task for the same alarm (excluding the
 *   assignee). Escalation is told nothing: its own arrival timer escalates the alarm.
 * - Every accepted action bumps `version` and sets `updatedAt`; (taskId, version) names one event row.
 *   Refused actions change nothing.
 * - The request is validated before the task is looked at ('invalid_action', 'outcome_required',
 *   'invalid_outcome', 'reason_required'), so a malformed request gets the same answer in every state.
 * - completed and cancelled refuse everything ('task_closed'); otherwise a wrong state is 'invalid_state'
 *   with a message naming the current state.
 * - Times are stored as UTC with milliseconds (as escalation stores them) and compared as instants.
 */

export const TASK_STATES = ['unassigned', 'offered', 'accepted', 'en_route', 'arrived', 'completed', 'cancelled'] as const
export type TaskState = (typeof TASK_STATES)[number]

/** Mirrors escalation's person outcomes (its OUTCOMES without 'auto_cleared'); services do not import each other. */
export const TASK_OUTCOMES = ['false_alarm', 'handled_by_phone', 'visited_fine', 'carer_doctor_treatment', 'transferred_hospital', 'device_fault'] as const
export type TaskOutcome = (typeof TASK_OUTCOMES)[number]

export const TASK_ACTION_KINDS = ['offer', 'accept', 'decline', 'offer_expired', 'depart', 'arrive', 'complete', 'cancel', 'arrival_overdue'] as const
export type TaskActionKind = (typeof TASK_ACTION_KINDS)[number]

export const TASK_REFUSAL_CODES = [
  'invalid_action',
  'outcome_required',
  'invalid_outcome',
  'reason_required',
  'task_closed',
  'invalid_state',
  'not_your_task',
  'already_declined',
  'offer_expired',
  'offer_still_open',
  'not_overdue',
  'already_overdue',
] as const
export type TaskRefusalCode = (typeof TASK_REFUSAL_CODES)[number]

export type VisitTask = {
  taskId: string
  alarmId: string
  orgId: string
  state: TaskState
  /** 1 when created; +1 for every accepted action. */
  version: number
  /** The offeree while offered, the assignee from accepted on; null otherwise. */
  responderId: string | null
  /** When the open offer lapses; null when no offer is open. */
  offerExpiresAt: string | null
  declinedBy: string[]
  /** Everyone the task was offered to, once each, in the order of their first offer. */
  offeredTo: string[]
  createdAt: string
  updatedAt: string
  acceptedAt: string | null
  departedAt: string | null
  arrivedAt: string | null
  arrivalDueAt: string | null
  overdueAt: string | null
  completedAt: string | null
  outcome: TaskOutcome | null
  notes: string | null
  cancelledReason: string | null
}

export type TaskAction =
  | { kind: 'offer'; responderId: string; at: string; expiresAt: string }
  | { kind: 'accept'; by: string; at: string; arrivalDueAt: string }
  | { kind: 'decline'; by: string; at: string; reason?: string }
  | { kind: 'offer_expired'; at: string }
  | { kind: 'depart'; by: string; at: string }
  | { kind: 'arrive'; by: string; at: string }
  | { kind: 'complete'; by: string; at: string; outcome: TaskOutcome; notes?: string }
  | { kind: 'cancel'; at: string; reason: string }
  | { kind: 'arrival_overdue'; at: string }

/** One row of the task's timeline; `by` is the responder who acted, null for the system and timers. */
export type TaskEvent = {
  taskId: string
  alarmId: string
  version: number
  kind: TaskAction['kind']
  from: TaskState
  to: TaskState
  by: string | null
  at: string
  detail: Record<string, unknown>
}

/** What the caller tells the escalation service (which owns the alarm). */
export type EscalationEffect =
  | null
  | { kind: 'dispatch'; responderId: string }
  | { kind: 'note'; text: string }
  | { kind: 'arrive'; responderId: string }
  | { kind: 'resolve'; responderId: string; outcome: TaskOutcome; notes: string | null }

export type TaskEffect = {
  event: TaskEvent
  escalation: EscalationEffect
  /** The caller must find and offer the next candidate (declined, expired, overdue backup). */
  offerNext: boolean
  /** A responder who was on the way and must be told not to come. */
  standDown: string | null
}

export type TaskTransitionResult = { ok: true; next: VisitTask; effect: TaskEffect } | { ok: false; code: TaskRefusalCode; message: string }

const TERMINAL_STATES: ReadonlySet<TaskState> = new Set(['completed', 'cancelled'])
const ON_THE_WAY: ReadonlySet<TaskState> = new Set(['accepted', 'en_route'])
const KIND_SET: ReadonlySet<string> = new Set(TASK_ACTION_KINDS)
const OUTCOME_SET: ReadonlySet<string> = new Set(TASK_OUTCOMES)
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

export function newTask(input: { taskId: string; alarmId: string; orgId: string; at: string }): VisitTask {
  // A bad time here is a programming error in the caller (it comes from the alarm), not user input.
  if (!isIsoTime(input.at)) throw new RangeError(`newTask: not an ISO time: ${String(input.at)}`)
  const at = canonicalTime(input.at)
  return {
    taskId: input.taskId,
    alarmId: input.alarmId,
    orgId: input.orgId,
    state: 'unassigned',
    version: 1,
    responderId: null,
    offerExpiresAt: null,
    declinedBy: [],
    offeredTo: [],
    createdAt: at,
    updatedAt: at,
    acceptedAt: null,
    departedAt: null,
    arrivedAt: null,
    arrivalDueAt: null,
    overdueAt: null,
    completedAt: null,
    outcome: null,
    notes: null,
    cancelledReason: null,
  }
}

export function transitionTask(task: VisitTask, request: TaskAction): TaskTransitionResult {
  const invalid = validate(request)
  if (invalid) return invalid
  const action = { ...request, at: canonicalTime(request.at) }
  const from = task.state
  if (TERMINAL_STATES.has(from)) return refuse('task_closed', `task ${task.taskId} is ${from} (${describe(task)}); nothing more can happen to it`)
  const atMs = Date.parse(action.at)

  switch (action.kind) {
    case 'offer': {
      if (from !== 'unassigned') return wrongState(task, 'offer', 'only an unassigned task can be offered')
      if (task.declinedBy.includes(action.responderId)) {
        return refuse('already_declined', `${action.responderId} already declined task ${task.taskId}; offer it to someone else`)
      }
      const expiresAt = canonicalTime(action.expiresAt)
      const offeredTo = task.offeredTo.includes(action.responderId) ? task.offeredTo : [...task.offeredTo, action.responderId]
      return accept(task, action, 'offered', { responderId: action.responderId, offerExpiresAt: expiresAt, offeredTo }, {
        by: null,
        detail: { responderId: action.responderId, expiresAt },
      })
    }
    case 'accept':
    case 'decline': {
      if (from !== 'offered') return wrongState(task, action.kind, 'only an open offer can be answered')
      if (action.by !== task.responderId) return notYours(task, action.by)
      if (task.offerExpiresAt !== null && atMs >= Date.parse(task.offerExpiresAt)) {
        return refuse('offer_expired', `the offer of task ${task.taskId} to ${action.by} expired at ${task.offerExpiresAt}; the answer at ${action.at} is too late`)
      }
      if (action.kind === 'accept') {
        const arrivalDueAt = canonicalTime(action.arrivalDueAt)
        return accept(task, action, 'accepted', { offerExpiresAt: null, acceptedAt: action.at, arrivalDueAt }, {
          by: action.by,
          detail: { arrivalDueAt },
          escalation: { kind: 'dispatch', responderId: action.by },
        })
      }
      const reason = action.reason?.trim() || null
      return accept(task, action, 'unassigned', { responderId: null, offerExpiresAt: null, declinedBy: [...task.declinedBy, action.by] }, {
        by: action.by,
        detail: { reason },
        escalation: { kind: 'note', text: `responder ${action.by} declined the home visit: ${reason ?? 'no reason given'}` },
        offerNext: true,
      })
    }
    case 'offer_expired': {
      if (from !== 'offered') return wrongState(task, 'offer_expired', 'no offer is open')
      if (task.offerExpiresAt !== null && atMs < Date.parse(task.offerExpiresAt)) {
        return refuse('offer_still_open', `the offer of task ${task.taskId} to ${task.responderId ?? '?'} is open until ${task.offerExpiresAt}`)
      }
      const offeree = task.responderId
      return accept(task, action, 'unassigned', { responderId: null, offerExpiresAt: null }, {
        by: null,
        detail: { responderId: offeree, expiresAt: task.offerExpiresAt },
        escalation: { kind: 'note', text: `responder ${offeree ?? '?'} did not answer the home visit offer by ${task.offerExpiresAt ?? '?'}` },
        offerNext: true,
      })
    }
    case 'depart': {
      if (from !== 'accepted') return wrongState(task, 'depart', 'only an accepted task can set off')
      if (action.by !== task.responderId) return notYours(task, action.by)
      return accept(task, action, 'en_route', { departedAt: action.at }, {
        by: action.by,
        detail: {},
        escalation: { kind: 'note', text: `responder ${action.by} is on the way` },
      })
    }
    case 'arrive': {
      if (!ON_THE_WAY.has(from)) return wrongState(task, 'arrive', 'only an accepted or en-route task can arrive')
      if (action.by !== task.responderId) return notYours(task, action.by)
      return accept(task, action, 'arrived', { arrivedAt: action.at }, {
        by: action.by,
        detail: {},
        escalation: { kind: 'arrive', responderId: action.by },
      })
    }
    case 'complete': {
      if (from !== 'arrived') return wrongState(task, 'complete', 'only a task whose responder has arrived can be completed')
      if (action.by !== task.responderId) return notYours(task, action.by)
      const notes = action.notes?.trim() || null
      return accept(task, action, 'completed', { completedAt: action.at, outcome: action.outcome, notes }, {
        by: action.by,
        detail: { outcome: action.outcome, notes },
        escalation: { kind: 'resolve', responderId: action.by, outcome: action.outcome, notes },
      })
    }
    case 'cancel': {
      const reason = action.reason.trim()
      const withdrawn = from === 'offered' ? { responderId: null, offerExpiresAt: null } : {}
      return accept(task, action, 'cancelled', { ...withdrawn, cancelledReason: reason }, {
        by: null,
        detail: { reason, responderId: task.responderId },
        standDown: ON_THE_WAY.has(from) ? task.responderId : null,
      })
    }
    case 'arrival_overdue': {
      if (!ON_THE_WAY.has(from)) return wrongState(task, 'arrival_overdue', 'only a responder on the way can be late')
      if (task.overdueAt !== null) return refuse('already_overdue', `task ${task.taskId} was already recorded overdue at ${task.overdueAt}`)
      if (task.arrivalDueAt !== null && atMs < Date.parse(task.arrivalDueAt)) {
        return refuse('not_overdue', `task ${task.taskId} is due to arrive by ${task.arrivalDueAt}, not yet overdue at ${action.at}`)
      }
      return accept(task, action, from, { overdueAt: action.at }, {
        by: null,
        detail: { responderId: task.responderId, arrivalDueAt: task.arrivalDueAt, backup: true },
        offerNext: true,
      })
    }
    default: {
      // validate() has refused unknown kinds already; this keeps the switch exhaustive for the compiler.
      const unknown: never = action
      return refuse('invalid_action', `unknown action ${JSON.stringify(unknown)}`)
    }
  }
}

type EffectParts = { by: string | null; detail: Record<string, unknown>; escalation?: EscalationEffect; offerNext?: boolean; standDown?: string | null }

function accept(task: VisitTask, action: TaskAction, to: TaskState, changes: Partial<VisitTask>, parts: EffectParts): TaskTransitionResult {
  const next: VisitTask = { ...task, ...changes, state: to, version: task.version + 1, updatedAt: action.at }
  const event: TaskEvent = { taskId: task.taskId, alarmId: task.alarmId, version: next.version, kind: action.kind, from: task.state, to, by: parts.by, at: action.at, detail: parts.detail }
  return {
    ok: true,
    next,
    effect: { event, escalation: parts.escalation ?? null, offerNext: parts.offerNext ?? false, standDown: parts.standDown ?? null },
  }
}

function refuse(code: TaskRefusalCode, message: string): TaskTransitionResult {
  return { ok: false, code, message }
}

function wrongState(task: VisitTask, kind: TaskActionKind, why: string): TaskTransitionResult {
  return refuse('invalid_state', `cannot ${kind} task ${task.taskId}: it is ${task.state} (${describe(task)}); ${why}`)
}

function notYours(task: VisitTask, by: string): TaskTransitionResult {
  const role = task.state === 'offered' ? 'offered to' : 'assigned to'
  return refuse('not_your_task', `task ${task.taskId} is ${role} ${task.responderId ?? 'nobody'}, not ${by}`)
}

/**
 * Checks the request itself, whatever the task's state. Actions arrive as JSON from the responder app and
 * timers, so the types are not trusted at run time.
 */
function validate(action: TaskAction): TaskTransitionResult | null {
  const a = action as Partial<Record<string, unknown>>
  if (typeof a.kind !== 'string' || !KIND_SET.has(a.kind)) return refuse('invalid_action', `unknown action kind ${JSON.stringify(a.kind)}`)
  if (!isIsoTime(a.at)) return refuse('invalid_action', `action time ${JSON.stringify(a.at)} is not an ISO 8601 date-time`)
  const kind = action.kind
  if (['accept', 'decline', 'depart', 'arrive', 'complete'].includes(kind) && !nonBlank(a.by)) {
    return refuse('invalid_action', `${kind} needs the responder who does it (by)`)
  }
  switch (kind) {
    case 'offer':
      if (!nonBlank(a.responderId)) return refuse('invalid_action', 'offer needs the responder it goes to')
      return laterTime(a.expiresAt, a.at, 'expiresAt')
    case 'accept':
      return laterTime(a.arrivalDueAt, a.at, 'arrivalDueAt')
    case 'decline':
      if (a.reason !== undefined && typeof a.reason !== 'string') return refuse('invalid_action', 'reason must be a string')
      return null
    case 'complete':
      if (a.outcome === undefined || a.outcome === null || a.outcome === '') return refuse('outcome_required', 'complete needs an outcome')
      if (typeof a.outcome !== 'string' || !OUTCOME_SET.has(a.outcome)) return refuse('invalid_outcome', `outcome ${JSON.stringify(a.outcome)} is not one of ${TASK_OUTCOMES.join(', ')}`)
      if (a.notes !== undefined && typeof a.notes !== 'string') return refuse('invalid_action', 'notes must be a string')
      return null
    case 'cancel':
      if (!nonBlank(a.reason)) return refuse('reason_required', 'cancel needs a reason')
      return null
    default:
      return null
  }
}

function laterTime(value: unknown, at: unknown, name: string): TaskTransitionResult | null {
  if (!isIsoTime(value)) return refuse('invalid_action', `${name} ${JSON.stringify(value)} is not an ISO 8601 date-time`)
  if (Date.parse(value) <= Date.parse(at as string)) return refuse('invalid_action', `${name} ${value} must be later than the action time ${String(at)}`)
  return null
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value))
}

function canonicalTime(iso: string): string {
  return new Date(iso).toISOString()
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0
}

/** A short account of where the task stands, for refusal messages a dispatcher or responder reads. */
function describe(task: VisitTask): string {
  switch (task.state) {
    case 'unassigned':
      return 'no offer open'
    case 'offered':
      return `offered to ${task.responderId ?? '?'} until ${task.offerExpiresAt ?? '?'}`
    case 'accepted':
    case 'en_route':
    case 'arrived':
      return `assigned to ${task.responderId ?? '?'}`
    case 'completed':
      return `${task.outcome ?? 'no outcome'} by ${task.responderId ?? '?'} at ${task.completedAt ?? '?'}`
    case 'cancelled':
      return `cancelled: ${task.cancelledReason ?? 'no reason'}`
  }
}
