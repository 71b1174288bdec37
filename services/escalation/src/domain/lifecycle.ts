import { CHANNELS, OUTCOMES, type Actor, type Channel, type LifecycleState, type Outcome } from './lifecycle-types.ts'

/**
 * The alarm lifecycle as an explicit state machine:
 *
 *   raised -> notified -> acknowledged -> dispatched -> on_scene -> resolved -> closed
 *                                                                  ^ reopen (from resolved or closed) -> raised
 *
 * `transition` is pure: the caller loads the lifecycle, applies one action, and stores `next` together with
 * `effect.audit` in one transaction (guarded by the version it loaded), then hands `effect.escalation` to the
 * escalation engine. Times are inputs; nothing here reads the clock.
 *
 * Decisions (the test's hand-written table is the full specification):
 * - Every accepted action bumps `version`, notes and no-state-change records included. The version is the
 *   alarm's audit sequence number: (alarmId, version) names exactly one audit row and orders them, and an
 *   operator holding a stale view learns that something happened, even if it was "only" a phone note.
 *   Refused actions change nothing, so a refusal is always harmless.
 * - `expectedVersion` is checked first: a stale request is not evaluated at all. The message says what the
 *   alarm looks like now (state, who acknowledged), so the loser of a double-acknowledge race knows why.
 *   Without `expectedVersion`, the state rules still refuse the second acknowledgement (already_acknowledged).
 * - The request is validated before the state is looked at, so a malformed request gets the same answer in
 *   every state.
 * - notify records a notification the engine has already sent. raised -> notified; in any later state it is
 *   recorded without a state change (escalation resumed after a handling timeout, an "all clear" message, or
 *   a step that raced with the resolution: the message did go out, so the audit says so).
 * - escalate (an operator pushes the alarm to the next policy step now) never changes the state, not even
 *   raised -> notified: `notified` means a notification was actually sent, which only the engine's notify
 *   records. Refused once resolved or closed (there is nothing left to escalate).
 * - dispatch from raised/notified is allowed and counts as the acknowledgement (the dispatcher evidently has
 *   the alarm), so acknowledged/dispatched/on_scene always name who acknowledged. Dispatch again while
 *   dispatched replaces the responder (the first could not go) and restarts the arrival deadline. Once a
 *   responder is on scene, further help (an ambulance) is their call and is recorded as a note.
 * - arrive only from dispatched: arriving without being dispatched is recorded by dispatching oneself first.
 * - resolve is allowed from every open state (a false alarm sorted out by phone needs nobody on scene). If
 *   a responder was on the way, the effect names them so the engine can stand them down.
 * - auto_resolve (the alert service saw the condition clear) resolves with 'auto_cleared' only while nobody
 *   is handling the alarm (raised/notified). Once a person has it (acknowledged/dispatched/on_scene) the
 *   clearance is recorded (`conditionClearedAt`, audit row) without a state change: the person on the way
 *   must still report an outcome, and the handling timers keep running. Never for sos/fall ('needs_person'):
 *   a button press or a fall is not over because a sensor says so.
 * - acknowledge, dispatch, resolve and escalate need a person (staff or family contact): a system
 *   acknowledgement would pause escalation with nobody actually handling the alarm. auto_resolve needs the
 *   system, so 'auto_cleared' in the statistics always means the machine cleared it.
 * - reopen (from resolved or closed) returns to raised with the outcome, acknowledgement, responder and
 *   resolution cleared, and escalation starts again from the policy's first step; the audit keeps the past.
 * - Any accepted action on a resolved or closed alarm (other than reopen) answers 'stop', so a late or
 *   racing message can only reinforce that escalation is over.
 * - Times are recorded as given (written as UTC with milliseconds, so they survive a round trip through
 *   timestamptz unchanged); they are not checked against earlier ones: the version, not the clock of a
 *   responder's phone, orders the audit.
 */

export const LIFECYCLE_ACTION_KINDS = [
  'notify',
  'acknowledge',
  'dispatch',
  'arrive',
  'resolve',
  'auto_resolve',
  'close',
  'reopen',
  'note',
  'escalate',
] as const
export type LifecycleActionKind = (typeof LIFECYCLE_ACTION_KINDS)[number]

/** Alarm types only a person may resolve (the alert service never clears them either). */
export const NEEDS_PERSON_ALARM_TYPES: readonly string[] = ['sos', 'fall']

/** Outcomes a person may report; 'auto_cleared' is reserved for auto_resolve. */
export type PersonOutcome = Exclude<Outcome, 'auto_cleared'>

export type AlarmLifecycle = {
  alarmId: string
  /** The alert service's alarm type (a plain string in the alarm contract), e.g. 'sos', 'heart_rate_high'. */
  alarmType: string
  state: LifecycleState
  /** 1 when raised; +1 for every accepted action. */
  version: number
  /** When the alarm was first raised; a reopen keeps it (see `reopenedAt`). */
  raisedAt: string
  /** Time of the last accepted action. */
  updatedAt: string
  lastNotifiedAt: string | null
  acknowledgedBy: Actor | null
  acknowledgedAt: string | null
  /** Who is on the way or on scene (the latest dispatch). */
  responder: Actor | null
  dispatchedAt: string | null
  arrivedAt: string | null
  /** When the alert service reported the condition gone, even if a person is still handling the alarm. */
  conditionClearedAt: string | null
  outcome: Outcome | null
  resolvedBy: Actor | null
  resolvedAt: string | null
  closedAt: string | null
  reopenCount: number
  reopenedAt: string | null
}

type ActionBase = {
  actor: Actor
  /** ISO 8601 time the action happened. */
  at: string
  channel: Channel
  note?: string
  /** Optimistic lock: the version the actor saw. Omit to act on whatever the current version is. */
  expectedVersion?: number
}

export type NotifyAction = ActionBase & { kind: 'notify'; recipient: Actor }
export type AcknowledgeAction = ActionBase & { kind: 'acknowledge' }
export type DispatchAction = ActionBase & { kind: 'dispatch'; responder: Actor }
export type ArriveAction = ActionBase & { kind: 'arrive' }
export type ResolveAction = ActionBase & { kind: 'resolve'; outcome: PersonOutcome }
export type AutoResolveAction = ActionBase & { kind: 'auto_resolve' }
export type CloseAction = ActionBase & { kind: 'close' }
export type ReopenAction = ActionBase & { kind: 'reopen'; reason: string }
export type NoteAction = ActionBase & { kind: 'note'; text: string }
export type EscalateAction = ActionBase & { kind: 'escalate' }

export type LifecycleAction =
  | NotifyAction
  | AcknowledgeAction
  | DispatchAction
  | ArriveAction
  | ResolveAction
  | AutoResolveAction
  | CloseAction
  | ReopenAction
  | NoteAction
  | EscalateAction

export const REFUSAL_CODES = [
  'version_conflict',
  'invalid_action',
  'invalid_actor',
  'outcome_required',
  'invalid_outcome',
  'reason_required',
  'text_required',
  'needs_person',
  'already_acknowledged',
  'already_resolved',
  'already_closed',
  'invalid_transition',
] as const
export type RefusalCode = (typeof REFUSAL_CODES)[number]

/**
 * What the escalation engine should do after an accepted action:
 * - start: escalate from the policy's first step (a reopened alarm, like a newly raised one);
 * - continue: keep escalating on the policy's schedule;
 * - pause_for_handling: a person has the alarm; stop the steps and (re)start the handling deadline that
 *   belongs to `next.state` (acknowledged: handling time; dispatched: arrival; on_scene: outcome). If it
 *   expires, the engine resumes escalating;
 * - escalate_now: run the next policy step immediately, then carry on as before;
 * - stop: the alarm is resolved or closed; cancel every timer;
 * - none: the action does not bear on escalation; leave timers as they are.
 */
export const ESCALATION_DIRECTIVES = ['start', 'continue', 'pause_for_handling', 'escalate_now', 'stop', 'none'] as const
export type EscalationDirective = (typeof ESCALATION_DIRECTIVES)[number]

/** One row of the alarm's audit trail; flat and nullable so it maps onto a table row. */
export type LifecycleAuditEntry = {
  alarmId: string
  /** The lifecycle version this action produced. */
  version: number
  kind: LifecycleActionKind
  from: LifecycleState
  to: LifecycleState
  actor: Actor
  at: string
  channel: Channel
  note: string | null
  recipient: Actor | null
  responder: Actor | null
  outcome: Outcome | null
  reason: string | null
  text: string | null
}

export type TransitionEffect = {
  escalation: EscalationDirective
  stateChanged: boolean
  /** A responder who was on the way when the alarm was resolved: the engine tells them to stand down. */
  standDown: Actor | null
  audit: LifecycleAuditEntry
}

export type TransitionResult =
  | { ok: true; next: AlarmLifecycle; effect: TransitionEffect }
  | { ok: false; code: RefusalCode; message: string }

const UNHANDLED_STATES: ReadonlySet<LifecycleState> = new Set(['raised', 'notified'])
const HANDLING_STATES: ReadonlySet<LifecycleState> = new Set(['acknowledged', 'dispatched', 'on_scene'])
const TERMINAL_STATES: ReadonlySet<LifecycleState> = new Set(['resolved', 'closed'])

const ACTOR_KINDS: ReadonlySet<string> = new Set(['staff', 'contact', 'system'])
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS)
const OUTCOME_SET: ReadonlySet<string> = new Set(OUTCOMES)
const KIND_SET: ReadonlySet<string> = new Set(LIFECYCLE_ACTION_KINDS)
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

export function initialLifecycle(alarmId: string, alarmType: string, at: string): AlarmLifecycle {
  // A bad time here is a programming error in the caller (it comes from the alarm event), not user input.
  if (!isIsoTime(at)) throw new RangeError(`initialLifecycle: not an ISO time: ${String(at)}`)
  at = canonicalTime(at)
  return {
    alarmId,
    alarmType,
    state: 'raised',
    version: 1,
    raisedAt: at,
    updatedAt: at,
    lastNotifiedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    responder: null,
    dispatchedAt: null,
    arrivedAt: null,
    conditionClearedAt: null,
    outcome: null,
    resolvedBy: null,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
    reopenedAt: null,
  }
}

export function needsPerson(alarmType: string): boolean {
  return NEEDS_PERSON_ALARM_TYPES.includes(alarmType)
}

export function transition(current: AlarmLifecycle, request: LifecycleAction): TransitionResult {
  let action = request
  if (action.expectedVersion !== undefined && action.expectedVersion !== current.version) {
    return refuse('version_conflict', `alarm ${current.alarmId} is at version ${current.version} (${describe(current)}), not ${String(action.expectedVersion)}: reload and decide again`)
  }
  const invalid = validate(action)
  if (invalid) return invalid
  action = { ...action, at: canonicalTime(action.at) }
  if (action.kind === 'auto_resolve' && needsPerson(current.alarmType)) {
    return refuse('needs_person', `a ${current.alarmType} alarm is resolved only by a person reporting an outcome, never automatically`)
  }

  const from = current.state
  // Before a resolved/closed alarm is looked at any further: only close, reopen, notes and records of
  // notifications apply. Nothing (an acknowledgement least of all) takes it back to an open state.
  if (TERMINAL_STATES.has(from) && !['close', 'reopen', 'note', 'notify'].includes(action.kind)) {
    return refuse('already_resolved', `alarm ${current.alarmId} is already ${from} (${describe(current)}); reopen it first`)
  }

  switch (action.kind) {
    case 'notify': {
      const to = from === 'raised' ? 'notified' : from
      return accept(current, action, to, { lastNotifiedAt: action.at }, { recipient: action.recipient })
    }
    case 'acknowledge': {
      if (HANDLING_STATES.has(from)) return refuse('already_acknowledged', alreadyAcknowledged(current, action.actor))
      return accept(current, action, 'acknowledged', { acknowledgedBy: action.actor, acknowledgedAt: action.at }, {})
    }
    case 'dispatch': {
      if (from === 'on_scene') {
        return refuse('invalid_transition', `a responder (${who(current.responder)}) is already on scene; record further help as a note`)
      }
      // From raised/notified the dispatch is the acknowledgement; afterwards the first acknowledgement stands.
      const ack = current.acknowledgedBy ? {} : { acknowledgedBy: action.actor, acknowledgedAt: action.at }
      return accept(current, action, 'dispatched', { ...ack, responder: action.responder, dispatchedAt: action.at, arrivedAt: null }, { responder: action.responder })
    }
    case 'arrive': {
      if (from !== 'dispatched') {
        const why = from === 'on_scene' ? 'the responder is already on scene' : 'no responder has been dispatched'
        return refuse('invalid_transition', `cannot record an arrival on a ${from} alarm: ${why}`)
      }
      return accept(current, action, 'on_scene', { arrivedAt: action.at }, { responder: current.responder })
    }
    case 'resolve':
      return accept(current, action, 'resolved', { outcome: action.outcome, resolvedBy: action.actor, resolvedAt: action.at }, { outcome: action.outcome })
    case 'auto_resolve': {
      if (HANDLING_STATES.has(from)) {
        return accept(current, action, from, { conditionClearedAt: action.at }, {})
      }
      const outcome: Outcome = 'auto_cleared'
      return accept(current, action, 'resolved', { conditionClearedAt: action.at, outcome, resolvedBy: action.actor, resolvedAt: action.at }, { outcome })
    }
    case 'close': {
      if (from === 'closed') return refuse('already_closed', `alarm ${current.alarmId} is already closed (${describe(current)})`)
      if (from !== 'resolved') return refuse('invalid_transition', `only a resolved alarm can be closed; this one is ${from}`)
      return accept(current, action, 'closed', { closedAt: action.at }, {})
    }
    case 'reopen': {
      if (!TERMINAL_STATES.has(from)) return refuse('invalid_transition', `only a resolved or closed alarm can be reopened; this one is ${from}`)
      return accept(
        current,
        action,
        'raised',
        {
          acknowledgedBy: null,
          acknowledgedAt: null,
          responder: null,
          dispatchedAt: null,
          arrivedAt: null,
          conditionClearedAt: null,
          outcome: null,
          resolvedBy: null,
          resolvedAt: null,
          closedAt: null,
          reopenCount: current.reopenCount + 1,
          reopenedAt: action.at,
        },
        { reason: action.reason.trim() },
      )
    }
    case 'note':
      return accept(current, action, from, {}, { text: action.text.trim() })
    case 'escalate':
      return accept(current, action, from, {}, {})
    default: {
      // validate() has refused unknown kinds already; this keeps the switch exhaustive for the compiler.
      const unknown: never = action
      return refuse('invalid_action', `unknown action ${JSON.stringify(unknown)}`)
    }
  }
}

/** The escalation directive for an accepted action; see ESCALATION_DIRECTIVES for what each means. */
function directiveFor(kind: LifecycleActionKind, from: LifecycleState, to: LifecycleState): EscalationDirective {
  if (kind === 'reopen') return 'start'
  if (TERMINAL_STATES.has(to)) return 'stop'
  if (kind === 'escalate') return 'escalate_now'
  // Acknowledge, dispatch (including a re-dispatch, which needs a fresh arrival deadline) and arrive.
  if (HANDLING_STATES.has(to) && (to !== from || kind === 'dispatch')) return 'pause_for_handling'
  if (kind === 'notify' && UNHANDLED_STATES.has(from)) return 'continue'
  return 'none'
}

type AuditDetail = Partial<Pick<LifecycleAuditEntry, 'recipient' | 'responder' | 'outcome' | 'reason' | 'text'>>

function accept(current: AlarmLifecycle, action: LifecycleAction, to: LifecycleState, changes: Partial<AlarmLifecycle>, detail: AuditDetail): TransitionResult {
  const from = current.state
  const next: AlarmLifecycle = { ...current, ...changes, state: to, version: current.version + 1, updatedAt: action.at }
  const audit: LifecycleAuditEntry = {
    alarmId: current.alarmId,
    version: next.version,
    kind: action.kind,
    from,
    to,
    actor: action.actor,
    at: action.at,
    channel: action.channel,
    note: action.note?.trim() || null,
    recipient: detail.recipient ?? null,
    responder: detail.responder ?? null,
    outcome: detail.outcome ?? null,
    reason: detail.reason ?? null,
    text: detail.text ?? null,
  }
  const standDown = from === 'dispatched' && to === 'resolved' ? current.responder : null
  return { ok: true, next, effect: { escalation: directiveFor(action.kind, from, to), stateChanged: from !== to, standDown, audit } }
}

function refuse(code: RefusalCode, message: string): TransitionResult {
  return { ok: false, code, message }
}

/**
 * Checks the request itself, whatever the alarm's state. Actions arrive as JSON from consoles, apps and
 * webhooks, so the types are not trusted at run time.
 */
function validate(action: LifecycleAction): TransitionResult | null {
  const a = action as Partial<Record<string, unknown>>
  if (typeof a.kind !== 'string' || !KIND_SET.has(a.kind)) return refuse('invalid_action', `unknown action kind ${JSON.stringify(a.kind)}`)
  if (!isIsoTime(a.at)) return refuse('invalid_action', `action time ${JSON.stringify(a.at)} is not an ISO 8601 date-time`)
  if (typeof a.channel !== 'string' || !CHANNEL_SET.has(a.channel)) return refuse('invalid_action', `unknown channel ${JSON.stringify(a.channel)}`)
  if (a.note !== undefined && typeof a.note !== 'string') return refuse('invalid_action', 'note must be a string')
  if (!isActor(a.actor)) return refuse('invalid_actor', `actor ${JSON.stringify(a.actor)} is not { kind: staff|contact|system, id }`)

  const kind = action.kind
  const person = action.actor.kind !== 'system'
  if ((kind === 'acknowledge' || kind === 'dispatch' || kind === 'resolve' || kind === 'escalate') && !person) {
    return refuse('invalid_actor', `${kind} must be done by a person (staff or contact), not the system`)
  }
  if (kind === 'auto_resolve' && person) {
    return refuse('invalid_actor', 'auto_resolve is reserved for the alert service; a person resolves with an outcome')
  }
  if (kind === 'notify' && !isActor(a.recipient)) return refuse('invalid_action', 'notify needs the recipient who was notified')
  if (kind === 'dispatch' && (!isActor(a.responder) || (a.responder as Actor).kind === 'system')) {
    return refuse('invalid_actor', 'dispatch needs a responder who is a person (staff or contact)')
  }
  if (kind === 'resolve') {
    if (a.outcome === undefined || a.outcome === null || a.outcome === '') return refuse('outcome_required', 'resolve needs an outcome')
    if (typeof a.outcome !== 'string' || !OUTCOME_SET.has(a.outcome) || a.outcome === 'auto_cleared') {
      return refuse('invalid_outcome', `outcome ${JSON.stringify(a.outcome)} is not one a person can report`)
    }
  }
  if (kind === 'reopen' && !nonBlank(a.reason)) return refuse('reason_required', 'reopen needs a reason')
  if (kind === 'note' && !nonBlank(a.text)) return refuse('text_required', 'a note needs text')
  return null
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value))
}

/**
 * Times are stored as UTC with milliseconds (what toISOString gives): the audit chain hashes `at`, and a
 * time that comes back from timestamptz differently written (an offset, microseconds) would break it.
 */
function canonicalTime(iso: string): string {
  return new Date(iso).toISOString()
}

function isActor(value: unknown): value is Actor {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.kind === 'string' && ACTOR_KINDS.has(v.kind) && typeof v.id === 'string' && v.id.length > 0
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0
}

function who(actor: Actor | null): string {
  return actor ? `${actor.kind} ${actor.id}` : 'nobody'
}

/** A short account of where the alarm stands, for refusal messages an operator reads. */
function describe(l: AlarmLifecycle): string {
  if (l.state === 'resolved' || l.state === 'closed') return `${l.state}: ${l.outcome ?? 'no outcome'} by ${who(l.resolvedBy)} at ${l.resolvedAt ?? '?'}`
  if (HANDLING_STATES.has(l.state)) return `${l.state}, acknowledged by ${who(l.acknowledgedBy)} at ${l.acknowledgedAt ?? '?'}`
  return l.state
}

function alreadyAcknowledged(l: AlarmLifecycle, actor: Actor): string {
  const mine = l.acknowledgedBy?.kind === actor.kind && l.acknowledgedBy.id === actor.id
  const by = mine ? 'you' : who(l.acknowledgedBy)
  return `already acknowledged by ${by} at ${l.acknowledgedAt ?? '?'} (now ${l.state}); nothing to do`
}
