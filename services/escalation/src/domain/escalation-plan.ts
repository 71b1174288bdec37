import type { Channel, LifecycleState } from './lifecycle-types.ts'
import type { EscalationPolicy, PolicyStep, TargetSpec } from './policy.ts'

/**
 * Pure planning of an alarm's escalation: given what the lifecycle looks like now, the alarm's policy and the
 * timer that fired, which notifications go out and which timers come next. The caller stores the timers
 * (escalation_timers, `ON CONFLICT (key) DO NOTHING`), resolves each TargetSpec to people, sends, and
 * records the result in the lifecycle, in one transaction. Time is an input; nothing here reads the clock.
 *
 * Timer keys are deterministic, so scheduling a step twice is a no-op and a step can never fire twice:
 *   round 0 (as raised):   `${alarmId}:escalate:${level}`  `${alarmId}:handling:${n}`
 *                          `${alarmId}:arrival:${n}`       `${alarmId}:repeat:${k}`
 *   reopened round r >= 1: the same with `${alarmId}:r${r}` in place of `${alarmId}`.
 * The store keeps a key for ever (fired and cancelled timers stay as history), so a reopened alarm needs
 * keys of its own or its new ladder would be refused as duplicates of the old one. Round 0 keeps the plain
 * form. Alarm ids are UUIDs (alarmIdFor in the alert service), so `:r1` can never be part of an id.
 *
 * Decisions:
 * - Invariant: at most one escalate or repeat timer is pending, and its key is the one the view says comes
 *   next (escalate `level + 1`, or repeat `repeats` once the ladder is exhausted). A timer that fires while
 *   the alarm is being handled does nothing and is spent; whoever resumes escalation later (a handling or
 *   arrival timer) runs that level under its own key and schedules the one after, which has never existed.
 * - The next escalate timer is due at the fired timer's DUE time plus the step's wait, not at `now` plus the
 *   wait: after an outage the overdue ladder catches up level by level, each level reaching its people, and
 *   no level is skipped. Repeats are different: they re-notify the same people, so after an outage the next
 *   repeat is the first one on the original cadence that is still in the future, one reminder, not a burst.
 * - A resumed escalation has to outlive the pause it resumes from. After a handling timeout the alarm is
 *   still 'acknowledged' (a notification does not change that state), so escalate and repeat timers
 *   scheduled by a resumption carry `payload.resumed` naming the acknowledgement (or dispatch) that went
 *   overdue, and they keep running while the view still shows exactly that acknowledgement (or dispatch).
 *   Without this the ladder would run one step after a handling timeout and then stop for good.
 * - A timer of another round (an old ladder whose cancellation raced with its firing) does nothing: its key
 *   does not carry the view's round.
 * - The policy should be the one chosen when the alarm was raised (every payload names it, `policyId`): a
 *   policy edited mid-alarm could renumber the steps under a running ladder. If it has shrunk anyway, an
 *   escalate timer beyond the last step repeats the last step rather than fall silent.
 * - Nothing resumes from 'on_scene': a responder is with the resident and the outcome is theirs to report.
 */

export const TIMER_KINDS = ['escalate', 'handling', 'arrival', 'repeat'] as const
export type TimerKind = (typeof TIMER_KINDS)[number]

export function isTimerKind(kind: string): kind is TimerKind {
  return (TIMER_KINDS as readonly string[]).includes(kind)
}

export type PlannedTimer = {
  key: string
  kind: TimerKind
  /** The policy step the timer is about (escalate: the step it runs; repeat: the last step; handling/arrival: the level when scheduled). */
  level: number
  dueAt: string
  payload: Record<string, unknown>
}

/** A stored timer as it fires. The payload must be passed back: it says whether a resumed escalation is still live. */
export type FiredTimer = Pick<PlannedTimer, 'key' | 'kind' | 'level' | 'dueAt' | 'payload'>

export type NotifyReason = 'escalation' | 'handling_overdue' | 'arrival_overdue' | 'repeat'

export type NotifyCommand = {
  /** `${timerKey}:${targetIndex}`: the same timer always produces the same ids, so a retried send is recognisable. */
  commandId: string
  alarmId: string
  /** The policy step whose targets these are. */
  level: number
  /** The caller resolves it to real people at send time. */
  target: TargetSpec
  channels: Channel[]
  reason: NotifyReason
}

/**
 * What the planner needs to know about the alarm. The caller keeps `level` and `repeats` next to the
 * lifecycle (the lifecycle does not know the policy) and sets them back to -1 and 0 when the alarm is
 * reopened; `acknowledgements` and `dispatches` only ever grow within a round (they may also be counted
 * over the alarm's whole life: the handling/arrival keys carry the round anyway).
 */
export type EscalationView = {
  alarmId: string
  state: LifecycleState
  /** The highest policy step already run in this round; -1 before any. */
  level: number
  /** How many times the last step has been notified again after the ladder ran out, in this round. */
  repeats: number
  acknowledgements: number
  dispatches: number
  /** 0 as raised; +1 for every reopen. Selects the round's timer keys. */
  reopenCount: number
}

export type OnTimerResult = {
  notify: NotifyCommand[]
  timers: PlannedTimer[]
  /** The step this timer ran, to record as the view's new `level`; null when no new step ran. */
  nextLevel: number | null
  /** The view's new `repeats` when this timer re-notified the last step; null when it did not. */
  nextRepeats: number | null
  /** Notifications went out on a 'raised' alarm: the lifecycle moves to 'notified' when they are recorded. */
  markNotified: boolean
}

/** Set on escalate/repeat timers scheduled by a resumption: the acknowledgement or dispatch that went overdue. */
type Resumption = { cause: 'handling_overdue'; acknowledgements: number } | { cause: 'arrival_overdue'; dispatches: number }

function nothing(): OnTimerResult {
  return { notify: [], timers: [], nextLevel: null, nextRepeats: null, markNotified: false }
}

/** A new alarm: the first step runs at once (its timer is due now, so the runner fires it straight away). */
export function onRaised(view: EscalationView, policy: EscalationPolicy, now: string): { timers: PlannedTimer[] } {
  assertFreshRound(view, 'onRaised')
  return { timers: [escalateTimer(view, policy, 0, addSeconds(now, 0), null)] }
}

/**
 * A reopened alarm (the view after the reopen: reopenCount >= 1, level -1, repeats 0): escalation starts
 * again from the first step, under the new round's keys.
 */
export function onReopened(view: EscalationView, policy: EscalationPolicy, now: string): { timers: PlannedTimer[] } {
  if (!(view.reopenCount >= 1)) throw new RangeError(`onReopened: alarm ${view.alarmId} has reopenCount ${view.reopenCount}; pass the view after the reopen`)
  assertFreshRound(view, 'onReopened')
  return { timers: [escalateTimer(view, policy, 0, addSeconds(now, 0), null)] }
}

/**
 * Someone acknowledged (the view after the acknowledgement). Escalation pauses; if the alarm is still only
 * acknowledged when the handling time is up, the handling timer resumes it. A later acknowledgement gets a
 * timer of its own and the earlier one no longer acts (its count is no longer the view's).
 */
export function onAcknowledged(view: EscalationView, policy: EscalationPolicy, now: string): { timers: PlannedTimer[] } {
  const n = view.acknowledgements
  return {
    timers: [{ key: timerKey(view, 'handling', n), kind: 'handling', level: view.level, dueAt: addSeconds(now, policy.handlingTimeoutSeconds), payload: { policyId: policy.id, acknowledgements: n } }],
  }
}

/** A responder was sent (the view after the dispatch; a re-dispatch supersedes the earlier deadline). */
export function onDispatched(view: EscalationView, policy: EscalationPolicy, now: string): { timers: PlannedTimer[] } {
  const n = view.dispatches
  return {
    timers: [{ key: timerKey(view, 'arrival', n), kind: 'arrival', level: view.level, dueAt: addSeconds(now, policy.arrivalTimeoutSeconds), payload: { policyId: policy.id, dispatches: n } }],
  }
}

/** Resolved or closed: every pending timer of the alarm goes (the firing checks would stop them anyway). */
export function onResolved(): { cancelAll: true } {
  return { cancelAll: true }
}

export function onTimer(view: EscalationView, policy: EscalationPolicy, timer: FiredTimer, now: string): OnTimerResult {
  const n = keyIndex(view, timer)
  if (n === null) return nothing()
  const last = lastStep(policy)

  switch (timer.kind) {
    case 'escalate': {
      const resumed = resumptionOf(timer.payload)
      if (!escalating(view, resumed)) return nothing()
      // Already run (by this timer's twin in a resumption, or a redelivery): never notify a step twice.
      if (n <= view.level) return nothing()
      if (n > last) return repeatLast(view, policy, timer, view.repeats, 'escalation', resumed, now)
      return runStep(view, policy, timer, n, 'escalation', resumed, now)
    }
    case 'repeat': {
      const resumed = resumptionOf(timer.payload)
      if (!escalating(view, resumed)) return nothing()
      if (n < view.repeats) return nothing()
      return repeatLast(view, policy, timer, n, 'repeat', resumed, now)
    }
    case 'handling': {
      if (view.state !== 'acknowledged' || view.acknowledgements !== n) return nothing()
      return resume(view, policy, timer, { cause: 'handling_overdue', acknowledgements: n }, now)
    }
    case 'arrival': {
      if (view.state !== 'dispatched' || view.dispatches !== n) return nothing()
      return resume(view, policy, timer, { cause: 'arrival_overdue', dispatches: n }, now)
    }
    default: {
      const unknown: never = timer.kind
      throw new RangeError(`onTimer: unknown timer kind ${JSON.stringify(unknown)}`)
    }
  }
}

/** The next step after the one last run, or the last step again once the ladder is exhausted. */
function resume(view: EscalationView, policy: EscalationPolicy, timer: FiredTimer, resumed: Resumption, now: string): OnTimerResult {
  const next = view.level + 1
  if (next > lastStep(policy)) return repeatLast(view, policy, timer, view.repeats, resumed.cause, resumed, now)
  return runStep(view, policy, timer, next, resumed.cause, resumed, now)
}

function runStep(view: EscalationView, policy: EscalationPolicy, timer: FiredTimer, level: number, reason: NotifyReason, resumed: Resumption | null, now: string): OnTimerResult {
  const step = stepAt(policy, level)
  const notify = commands(view, timer.key, level, step, reason)
  const following =
    level < lastStep(policy)
      ? escalateTimer(view, policy, level + 1, addSeconds(timer.dueAt, step.waitSeconds), resumed)
      : repeatTimer(view, policy, view.repeats, nextRepeatDue(timer.dueAt, policy.repeatLastStepEverySeconds, now), resumed)
  return { notify, timers: [following], nextLevel: level, nextRepeats: null, markNotified: notify.length > 0 && view.state === 'raised' }
}

/**
 * Re-notifies the last step as repeat number `index` and schedules repeat `index + 1`. A repeat timer runs its
 * own number; a resumption runs `view.repeats`, the number whose timer (if any) was spent during the pause.
 */
function repeatLast(view: EscalationView, policy: EscalationPolicy, timer: FiredTimer, index: number, reason: NotifyReason, resumed: Resumption | null, now: string): OnTimerResult {
  const last = lastStep(policy)
  const notify = commands(view, timer.key, last, stepAt(policy, last), reason)
  const k = index + 1
  const following = repeatTimer(view, policy, k, nextRepeatDue(timer.dueAt, policy.repeatLastStepEverySeconds, now), resumed)
  return { notify, timers: [following], nextLevel: null, nextRepeats: k, markNotified: notify.length > 0 && view.state === 'raised' }
}

function commands(view: EscalationView, timerKeyFired: string, level: number, step: PolicyStep, reason: NotifyReason): NotifyCommand[] {
  return step.targets.map((target, i) => ({
    commandId: `${timerKeyFired}:${i}`,
    alarmId: view.alarmId,
    level,
    target,
    channels: [...step.channels],
    reason,
  }))
}

/**
 * Whether escalate/repeat timers act: while nobody has the alarm, or while the acknowledgement/dispatch
 * whose deadline passed (the one the timer's resumption names) is still the current one.
 */
function escalating(view: EscalationView, resumed: Resumption | null): boolean {
  switch (view.state) {
    case 'raised':
    case 'notified':
      return true
    case 'acknowledged':
      return resumed?.cause === 'handling_overdue' && resumed.acknowledgements === view.acknowledgements
    case 'dispatched':
      return resumed?.cause === 'arrival_overdue' && resumed.dispatches === view.dispatches
    default:
      return false
  }
}

function escalateTimer(view: EscalationView, policy: EscalationPolicy, level: number, dueAt: string, resumed: Resumption | null): PlannedTimer {
  return { key: timerKey(view, 'escalate', level), kind: 'escalate', level, dueAt, payload: payloadOf(policy, resumed) }
}

function repeatTimer(view: EscalationView, policy: EscalationPolicy, k: number, dueAt: string, resumed: Resumption | null): PlannedTimer {
  return { key: timerKey(view, 'repeat', k), kind: 'repeat', level: lastStep(policy), dueAt, payload: payloadOf(policy, resumed) }
}

function payloadOf(policy: EscalationPolicy, resumed: Resumption | null): Record<string, unknown> {
  return resumed ? { policyId: policy.id, resumed: { ...resumed } } : { policyId: policy.id }
}

/** Payloads come back from storage as JSON, so they are checked rather than trusted. */
function resumptionOf(payload: Record<string, unknown> | undefined): Resumption | null {
  const r = payload?.resumed
  if (typeof r !== 'object' || r === null) return null
  const { cause, acknowledgements, dispatches } = r as Partial<Record<string, unknown>>
  if (cause === 'handling_overdue' && Number.isInteger(acknowledgements)) return { cause, acknowledgements: acknowledgements as number }
  if (cause === 'arrival_overdue' && Number.isInteger(dispatches)) return { cause, dispatches: dispatches as number }
  return null
}

function roundPrefix(view: EscalationView): string {
  return view.reopenCount === 0 ? view.alarmId : `${view.alarmId}:r${view.reopenCount}`
}

function timerKey(view: EscalationView, kind: TimerKind, n: number): string {
  return `${roundPrefix(view)}:${kind}:${n}`
}

/** The number at the end of a key of this view's round and the timer's kind; null for any other key. */
function keyIndex(view: EscalationView, timer: FiredTimer): number | null {
  const prefix = `${roundPrefix(view)}:${timer.kind}:`
  if (!timer.key.startsWith(prefix)) return null
  const rest = timer.key.slice(prefix.length)
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : null
}

/**
 * The first repeat on the cadence `dueAt + m × every` (m >= 1) that is later than now: on time that is the
 * next one; after an outage, missed reminders to the same people are not sent in a burst.
 */
function nextRepeatDue(dueAt: string, everySeconds: number, now: string): string {
  const due = toMs(dueAt)
  const every = everySeconds * 1000
  const behind = toMs(now) - due
  const m = behind < every ? 1 : Math.floor(behind / every) + 1
  return new Date(due + m * every).toISOString()
}

function lastStep(policy: EscalationPolicy): number {
  // validatePolicy refuses a policy without steps; reaching here with one is a programming error, and a loud
  // one beats an SOS ladder that silently does nothing.
  if (policy.steps.length === 0) throw new RangeError(`policy ${policy.id} has no steps`)
  return policy.steps.length - 1
}

function stepAt(policy: EscalationPolicy, level: number): PolicyStep {
  const step = policy.steps[level]
  if (!step) throw new RangeError(`policy ${policy.id} has no step ${level}`)
  return step
}

function assertFreshRound(view: EscalationView, fn: string): void {
  // A round whose level was not reset would take the first escalate timer for a step already run and do nothing.
  if (view.level !== -1 || view.repeats !== 0) {
    throw new RangeError(`${fn}: alarm ${view.alarmId} starts a round with level ${view.level} and repeats ${view.repeats}; expected -1 and 0`)
  }
}

function addSeconds(iso: string, seconds: number): string {
  return new Date(toMs(iso) + seconds * 1000).toISOString()
}

function toMs(iso: string): number {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${JSON.stringify(iso)}`)
  return ms
}
