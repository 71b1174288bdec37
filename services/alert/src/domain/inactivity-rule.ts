import { localMinuteOfDay } from '@anxin/wall-clock'
import type { Evidence, RaiseDecision, RuleResult } from './types.ts'

/**
 * Inactivity, judged per resident against their care plan: no sign of movement for longer than their
 * expected pattern allows. The allowed silence depends on the window the resident is in now (a long quiet
 * night is normal, a long quiet afternoon is not), computed in the plan's timezone. Two stages: a warning
 * (severity `low`) at `warningRatio × limit` so staff can look in early, then the alarm (`high`) at the limit,
 * which the alarm book treats as an update of the open warning. Pure: time comes in as arguments.
 *
 * Thresholds are inclusive: a silence of exactly the limit raises.
 */
export type ActivityPlan = {
  /** 'HH:MM', local time in `timezone`: from here until `nightStart` the day limit applies. */
  dayStart: string
  /** 'HH:MM', local time: from here until `dayStart` the night limit applies. May be before or after midnight. */
  nightStart: string
  maxInactiveDayMinutes: number
  maxInactiveNightMinutes: number
  /** Fraction of the limit at which the warning stage is raised, e.g. 0.75; >= 1 means no warning stage. */
  warningRatio: number
  /** IANA timezone; Asia/Shanghai when absent. An unknown zone throws (a plan should be refused when saved). */
  timezone?: string
}

export const DEFAULT_TIMEZONE = 'Asia/Shanghai'

export const DEFAULT_ACTIVITY_PLAN: ActivityPlan = {
  dayStart: '07:00',
  nightStart: '22:00',
  maxInactiveDayMinutes: 180,
  maxInactiveNightMinutes: 600,
  warningRatio: 0.75,
  timezone: DEFAULT_TIMEZONE,
}

/**
 * Signals that the resident moved. `steps`: telemetry showed steps taken (the caller passes it when the
 * count rose, so a cumulative daily counter does not look like constant activity). `sos`/`fall`: someone
 * pressed a button or fell, so they are not lying still unnoticed; those have their own alarms.
 */
export const ACTIVITY_KINDS = ['steps', 'motion', 'door_open', 'door_closed', 'bed_exit', 'im_ok', 'sos', 'fall'] as const
export type ActivityKind = (typeof ACTIVITY_KINDS)[number]

export type InactivityStage = 'none' | 'warning' | 'alarm'

export type InactivityState = {
  /** When the resident last showed activity; null until the caller seeds it. */
  lastActivityAt: string | null
  lastActivityEventId: string | null
  lastActivityKind: ActivityKind | 'first_seen' | null
  /** Highest stage raised since the last activity; each stage is raised once. */
  stage: InactivityStage
}

export type ActivityWindow = 'day' | 'night'

export const INITIAL_INACTIVITY_STATE: InactivityState = {
  lastActivityAt: null,
  lastActivityEventId: null,
  lastActivityKind: null,
  stage: 'none',
}

/**
 * Starts the clock when the caller first sees the resident (e.g. the first message after binding). Without a
 * seed the rule never alarms: it cannot know how long someone it has never heard from has been still, and
 * an alarm for every newly bound resident would be noise. Does nothing once a time is known.
 */
export function seedLastActivity(state: InactivityState, input: { at: string; eventId: string }): InactivityState {
  if (state.lastActivityAt !== null || !Number.isFinite(Date.parse(input.at))) return state
  return { ...state, lastActivityAt: input.at, lastActivityEventId: input.eventId, lastActivityKind: 'first_seen' }
}

/**
 * Records a sign of movement. Older or equal times are ignored: a late message cannot shorten a silence that
 * began after it. A newer one restarts the clock and clears an open warning or alarm.
 */
export function recordActivity(
  state: InactivityState,
  input: { at: string; eventId: string; kind: ActivityKind },
): RuleResult<InactivityState> {
  const atMs = Date.parse(input.at)
  if (!Number.isFinite(atMs) || (state.lastActivityAt !== null && atMs <= Date.parse(state.lastActivityAt))) {
    return { state, decisions: [] }
  }
  const next: InactivityState = { lastActivityAt: input.at, lastActivityEventId: input.eventId, lastActivityKind: input.kind, stage: 'none' }
  if (state.stage === 'none') return { state: next, decisions: [] }
  const evidence: Evidence = { eventId: input.eventId, at: input.at, kind: evidenceKindOf(input.kind), values: { activity: input.kind } }
  return { state: next, decisions: [{ action: 'clear', type: 'inactivity', at: input.at, reason: 'activity_resumed', evidence: [evidence] }] }
}

/**
 * Run from a timer. Raises the warning, then the alarm, each once. A change of window (day silence running
 * into the night, with its longer limit) never clears a stage already raised: the resident has still not
 * moved, only activity clears.
 */
export function checkInactivity(state: InactivityState, input: { now: string; plan: ActivityPlan }): RuleResult<InactivityState> {
  const nowMs = Date.parse(input.now)
  if (state.lastActivityAt === null || !Number.isFinite(nowMs)) return { state, decisions: [] }
  const inactiveMs = nowMs - Date.parse(state.lastActivityAt)
  const window = activityWindowAt(nowMs, input.plan)
  const limitMinutes = window === 'day' ? input.plan.maxInactiveDayMinutes : input.plan.maxInactiveNightMinutes
  const limitMs = limitMinutes * 60_000
  const warningMs = limitMs * input.plan.warningRatio

  // Straight to the alarm when the warning was skipped (timer late, or a short window began): one decision.
  if (inactiveMs >= limitMs && state.stage !== 'alarm') {
    return { state: { ...state, stage: 'alarm' }, decisions: [raiseDecision(state, input, 'alarm', window, inactiveMs, limitMinutes)] }
  }
  if (inactiveMs >= warningMs && state.stage === 'none') {
    return { state: { ...state, stage: 'warning' }, decisions: [raiseDecision(state, input, 'warning', window, inactiveMs, limitMinutes)] }
  }
  return { state, decisions: [] }
}

/** Day or night at an instant, in the plan's timezone. Windows may cross midnight either way. */
export function activityWindowAt(atMs: number, plan: ActivityPlan): ActivityWindow {
  const minute = localMinuteOfDay(atMs, plan.timezone ?? DEFAULT_TIMEZONE)
  const day = minuteOfDay(plan.dayStart)
  const night = minuteOfDay(plan.nightStart)
  // Equal starts leave no night; the day (shorter) limit is the safer reading of such a plan.
  if (day === night) return 'day'
  const inDay = day < night ? minute >= day && minute < night : minute >= day || minute < night
  return inDay ? 'day' : 'night'
}

/** Minutes since local midnight in `timeZone` (DST-aware through Intl). */
export { localMinuteOfDay }

function minuteOfDay(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm)
  if (!m) throw new RangeError(`activity plan time must be HH:MM, got ${JSON.stringify(hhmm)}`)
  return Number(m[1]) * 60 + Number(m[2])
}

function evidenceKindOf(kind: ActivityKind): Evidence['kind'] {
  if (kind === 'steps') return 'vitals'
  if (kind === 'sos' || kind === 'fall') return 'device_alarm'
  return 'device_event'
}

function raiseDecision(
  state: InactivityState,
  input: { now: string; plan: ActivityPlan },
  stage: 'warning' | 'alarm',
  window: ActivityWindow,
  inactiveMs: number,
  limitMinutes: number,
): RaiseDecision {
  const inactiveMinutes = Math.floor(inactiveMs / 60_000)
  const lastActivityAt = state.lastActivityAt ?? input.now
  return {
    action: 'raise',
    type: 'inactivity',
    severity: stage === 'warning' ? 'low' : 'high',
    // The inactivity began at the last activity, not when the timer noticed it.
    at: lastActivityAt,
    evidence: [
      {
        // The timer has no event of its own; its id names the last activity the silence is measured from
        // and the stage, so the warning and the alarm of one silence are distinct, and each deterministic.
        eventId: `${state.lastActivityEventId ?? ''}:inactivity-${stage}`,
        at: input.now,
        kind: 'timer',
        values: { lastActivityAt, inactiveMinutes, limitMinutes, window },
      },
    ],
    detail: {
      stage,
      window,
      inactiveMinutes,
      limitMinutes,
      warningMinutes: limitMinutes * input.plan.warningRatio,
      lastActivityAt,
      lastActivityKind: state.lastActivityKind,
      timezone: input.plan.timezone ?? DEFAULT_TIMEZONE,
    },
  }
}
