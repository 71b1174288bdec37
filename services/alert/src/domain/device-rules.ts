import type { ClearDecision, Evidence, RaiseDecision, RuleResult, Severity } from './types.ts'

/**
 * Device supervision: offline, not worn, low battery. Pure; each rule keeps its own plain-JSON state.
 *
 * Out-of-order input: every rule remembers the time of the newest input it accepted and ignores inputs at or
 * before it. A replayed or late message says nothing new about the device now, and letting it in could
 * re-open a condition a newer message already closed (an old `worn: false` after `worn: true`).
 */

// ---------------------------------------------------------------------------------------------------------
// Offline
// ---------------------------------------------------------------------------------------------------------

export type SupervisionState = {
  lastSeenAt: string | null
  /** Id of the message seen last, so a timer-raised alarm can point at what the silence is measured from. */
  lastSeenEventId: string | null
  offline: boolean
}

export const INITIAL_SUPERVISION_STATE: SupervisionState = { lastSeenAt: null, lastSeenEventId: null, offline: false }

/**
 * Any message from the device. `at` should be the time the platform received it: supervision is about the
 * link, and a device flushing hours of buffered readings after reconnecting is online now even though the
 * readings' own times are old (with device times it would look silent again at the next check and flap).
 */
export function recordSeen(
  state: SupervisionState,
  input: { at: string; eventId: string; kind?: Evidence['kind'] },
): RuleResult<SupervisionState> {
  if (!isNewer(input.at, state.lastSeenAt)) return { state, decisions: [] }
  const next: SupervisionState = { lastSeenAt: input.at, lastSeenEventId: input.eventId, offline: false }
  if (!state.offline) return { state: next, decisions: [] }
  const evidence: Evidence = { eventId: input.eventId, at: input.at, kind: input.kind ?? 'status', values: {} }
  return { state: next, decisions: [clear('device_offline', input.at, 'back_online', evidence)] }
}

/** Default grace after the supervision interval: 10 % of it, at least a minute (network and broker delays). */
export function defaultGraceS(supervisionIntervalS: number): number {
  return Math.max(60, supervisionIntervalS * 0.1)
}

/**
 * Run from a timer, so a silent device is found within its window rather than at its next report (which
 * may never come). Raises once when the silence exceeds interval + grace (strictly: exactly at the limit is
 * not yet offline). A device never seen is not judged: the caller seeds `lastSeenAt` at registration or
 * first contact. Severity is the caller's (an SOS button going silent may warrant `high`).
 */
export function checkOffline(
  state: SupervisionState,
  input: { now: string; supervisionIntervalS: number; graceS?: number; severity?: Severity },
): RuleResult<SupervisionState> {
  const nowMs = Date.parse(input.now)
  if (state.offline || state.lastSeenAt === null || !Number.isFinite(nowMs)) return { state, decisions: [] }
  const graceS = Math.max(0, input.graceS ?? defaultGraceS(input.supervisionIntervalS))
  const silentMs = nowMs - Date.parse(state.lastSeenAt)
  if (silentMs <= (input.supervisionIntervalS + graceS) * 1000) return { state, decisions: [] }
  const silentSeconds = Math.floor(silentMs / 1000)
  const decision: RaiseDecision = {
    action: 'raise',
    type: 'device_offline',
    severity: input.severity ?? 'medium',
    // The silence began with the last message.
    at: state.lastSeenAt,
    // Timer evidence: the id names the last message before the silence (deterministic per silence).
    evidence: [{ eventId: `${state.lastSeenEventId ?? ''}:offline`, at: input.now, kind: 'timer', values: { lastSeenAt: state.lastSeenAt, silentSeconds } }],
    detail: { lastSeenAt: state.lastSeenAt, silentSeconds, supervisionIntervalS: input.supervisionIntervalS, graceS },
  }
  return { state: { ...state, offline: true }, decisions: [decision] }
}

// ---------------------------------------------------------------------------------------------------------
// Not worn
// ---------------------------------------------------------------------------------------------------------

/**
 * Sources: `status.worn` in telemetry, and the `worn` / `not_worn` device events. Many people take the
 * watch off at night; whether to run this rule (or with a longer sustain) during the resident's night window
 * is the caller's choice, this rule knows nothing of windows.
 */
export type WornState = {
  lastAt: string | null
  /** First not-worn report of the current stretch; null while worn. */
  notWornSince: string | null
  notWornEventId: string | null
  notWornSource: 'status' | 'device_event' | null
  alarming: boolean
}

export const INITIAL_WORN_STATE: WornState = { lastAt: null, notWornSince: null, notWornEventId: null, notWornSource: null, alarming: false }

export const DEFAULT_NOT_WORN_SUSTAIN_S = 600

/**
 * Raises `device_not_worn` only once the watch has been off for `sustainSeconds` (inclusive), so a watch
 * taken off for a shower does not alarm at once; clears as soon as it is worn again.
 */
export function evaluateWorn(
  state: WornState,
  input: { at: string; eventId: string; worn: boolean; sustainSeconds?: number; source?: 'status' | 'device_event' },
): RuleResult<WornState> {
  if (!isNewer(input.at, state.lastAt)) return { state, decisions: [] }
  const source = input.source ?? 'status'
  const evidence: Evidence = { eventId: input.eventId, at: input.at, kind: source, values: { worn: input.worn } }
  if (input.worn) {
    const next: WornState = { ...INITIAL_WORN_STATE, lastAt: input.at }
    return { state: next, decisions: state.alarming ? [clear('device_not_worn', input.at, 'worn_again', evidence)] : [] }
  }
  const started = state.notWornSince === null
  const next: WornState = {
    ...state,
    lastAt: input.at,
    notWornSince: started ? input.at : state.notWornSince,
    notWornEventId: started ? input.eventId : state.notWornEventId,
    notWornSource: started ? source : state.notWornSource,
  }
  return raiseNotWornIfSustained(next, input.at, input.sustainSeconds, evidence)
}

/**
 * Timer counterpart of evaluateWorn: a single `not_worn` event may be followed by no further report for a
 * long time, so the sustain period must also end on the clock, not only on the next message.
 */
export function checkNotWorn(state: WornState, input: { now: string; sustainSeconds?: number }): RuleResult<WornState> {
  if (!Number.isFinite(Date.parse(input.now))) return { state, decisions: [] }
  const evidence: Evidence = { eventId: `${state.notWornEventId ?? ''}:not-worn`, at: input.now, kind: 'timer', values: { notWornSince: state.notWornSince } }
  return raiseNotWornIfSustained(state, input.now, input.sustainSeconds, evidence)
}

function raiseNotWornIfSustained(
  state: WornState,
  nowIso: string,
  sustainSeconds: number | undefined,
  latest: Evidence,
): RuleResult<WornState> {
  if (state.alarming || state.notWornSince === null) return { state, decisions: [] }
  const sustainS = sustainSeconds ?? DEFAULT_NOT_WORN_SUSTAIN_S
  const offForMs = Date.parse(nowIso) - Date.parse(state.notWornSince)
  if (offForMs < sustainS * 1000) return { state, decisions: [] }
  const first: Evidence = { eventId: state.notWornEventId ?? '', at: state.notWornSince, kind: state.notWornSource ?? 'status', values: { worn: false } }
  const decision: RaiseDecision = {
    action: 'raise',
    type: 'device_not_worn',
    severity: 'medium',
    at: state.notWornSince,
    evidence: first.eventId === latest.eventId && first.at === latest.at ? [latest] : [first, latest],
    detail: { notWornSince: state.notWornSince, notWornSeconds: Math.floor(offForMs / 1000), sustainSeconds: sustainS },
  }
  return { state: { ...state, alarming: true }, decisions: [decision] }
}

// ---------------------------------------------------------------------------------------------------------
// Low battery
// ---------------------------------------------------------------------------------------------------------

export type BatteryState = { lastAt: string | null; low: boolean }

export const INITIAL_BATTERY_STATE: BatteryState = { lastAt: null, low: false }

export const DEFAULT_LOW_BATTERY_PCT = 15
export const DEFAULT_CLEAR_BATTERY_PCT = 25

/**
 * From `status.battery` / `status.charging`. Raises below `lowPct` (strict: exactly lowPct is not low) when
 * not charging; clears at or above `clearPct`, or as soon as it charges (someone has dealt with it). Between
 * the two nothing changes: the gap keeps a battery hovering around 15 % from flapping. `charging` absent
 * counts as not charging.
 */
export function evaluateBattery(
  state: BatteryState,
  input: { at: string; eventId: string; battery: number; charging?: boolean; lowPct?: number; clearPct?: number },
): RuleResult<BatteryState> {
  if (!isNewer(input.at, state.lastAt)) return { state, decisions: [] }
  const lowPct = input.lowPct ?? DEFAULT_LOW_BATTERY_PCT
  const clearPct = input.clearPct ?? DEFAULT_CLEAR_BATTERY_PCT
  const charging = input.charging === true
  const evidence: Evidence = { eventId: input.eventId, at: input.at, kind: 'status', values: { battery: input.battery, charging } }
  const seen: BatteryState = { ...state, lastAt: input.at }
  if (state.low && (charging || input.battery >= clearPct)) {
    return { state: { ...seen, low: false }, decisions: [clear('low_battery', input.at, charging ? 'charging' : 'battery_recovered', evidence)] }
  }
  if (!state.low && !charging && input.battery < lowPct) {
    return { state: { ...seen, low: true }, decisions: [lowBatteryRaise(input.at, evidence, { battery: input.battery, lowPct, source: 'status' })] }
  }
  return { state: seen, decisions: [] }
}

/**
 * The device's own `low_battery` event: it knows its battery better than a fixed percentage does, so it
 * raises whatever the reported level. Cleared like any other low battery, by evaluateBattery.
 */
export function recordLowBatteryEvent(state: BatteryState, input: { at: string; eventId: string; battery?: number }): RuleResult<BatteryState> {
  if (!isNewer(input.at, state.lastAt)) return { state, decisions: [] }
  const seen: BatteryState = { ...state, lastAt: input.at }
  if (state.low) return { state: seen, decisions: [] }
  const battery = input.battery ?? null
  const evidence: Evidence = { eventId: input.eventId, at: input.at, kind: 'device_event', values: { event: 'low_battery', battery } }
  return { state: { ...seen, low: true }, decisions: [lowBatteryRaise(input.at, evidence, { battery, source: 'device_event' })] }
}

function lowBatteryRaise(at: string, evidence: Evidence, detail: RaiseDecision['detail']): RaiseDecision {
  return { action: 'raise', type: 'low_battery', severity: 'low', at, evidence: [evidence], detail }
}

// ---------------------------------------------------------------------------------------------------------

function clear(type: ClearDecision['type'], at: string, reason: string, evidence: Evidence): ClearDecision {
  return { action: 'clear', type, at, reason, evidence: [evidence] }
}

/** True when `at` is a valid time strictly after `last` (or there is no last). */
function isNewer(at: string, last: string | null): boolean {
  const atMs = Date.parse(at)
  return Number.isFinite(atMs) && (last === null || atMs > Date.parse(last))
}
