import { SEVERITIES } from './types.ts'
import type { AlarmType, ClearDecision, Decision, Evidence, RaiseDecision, RuleResult, Severity } from './types.ts'
import {
  VITAL_METRICS, alarmTypeFor, directionOf, isBackInRange, metricBounds, severityFor,
  type Direction, type VitalMetric, type VitalSeverity, type VitalThresholds,
} from './vital-thresholds.ts'

/**
 * The vitals rule for ONE resident and ONE metric, driven by readings. Pure: time comes from the readings.
 *
 * Phases: normal → pending (out of range, waiting for sustainSeconds) → alarming (raised) → clearing (back
 * inside by the hysteresis band, waiting for sustainSeconds) → normal (cleared). Pending back in range returns
 * to normal without a decision; clearing out of range again returns to alarming without a new raise.
 *
 * - Out of range means strictly beyond a limit (see vital-thresholds.ts); a value equal to the limit is fine.
 * - "Sustained" is measured on reading times: the confirming reading's time minus `since` >= sustainSeconds.
 *   Two out-of-range readings ten minutes apart with nothing in between therefore confirm: absence of readings
 *   is not evidence of recovery (the device-offline rule deals with silence).
 * - A critical reading raises at once, from any phase: a SpO2 of 80 % must not wait two minutes to be confirmed.
 * - Readings with `at` <= `lastAt` are ignored entirely (no state change, no decision). Kafka redelivers and
 *   devices flush buffers late; replaying an older reading would rewind `since` or break a clearing run with
 *   stale data. The cost: a reading overtaken by a newer one is not seen by the rule (the recorder still
 *   stores it). A buffered batch flushed in time order after a gap is accepted normally.
 *   Readings with an unparsable time or a non-finite value are ignored the same way.
 * - Opposite direction (e.g. heart rate from 130 to 40): while pending, the run simply restarts in the new
 *   direction. While an alarm is open (alarming or clearing), the open alarm is cleared at once with reason
 *   'opposite_direction' (the value is now across the whole normal range, so the old alarm no longer describes
 *   the resident) and a pending run starts in the new direction, which raises after sustainSeconds, or at once
 *   if that reading is critical. The new condition is never left waiting behind the old alarm's clearing.
 */

export type VitalsRuleState = {
  phase: 'normal' | 'pending' | 'alarming' | 'clearing'
  /** Direction of the current run (pending) or open alarm (alarming, clearing); null when normal. */
  direction: Direction | null
  /** When the current out-of-range run began: the raise's `at`. */
  since: string | null
  /** Time of the last accepted reading, in any phase; older or equal readings are ignored. */
  lastAt: string | null
  /** Most extreme value of the run (highest for 'high', lowest for 'low'). */
  worst: number | null
  /** Highest severity seen in the run; once alarming, this is also the severity last raised. */
  severity: VitalSeverity | null
  /** The out-of-range readings behind the raise, at most MAX_EVIDENCE, always keeping first, worst and last. */
  evidence: Evidence[]
  /** When values came back inside by the hysteresis band (clearing phase): the clear's `at`. */
  clearingSince: string | null
  /** The in-range readings behind the clear (clearing phase). */
  clearingEvidence: Evidence[]
}

export type VitalInput = { metric: VitalMetric; value: number; at: string; eventId: string; thresholds: VitalThresholds }

/** Enough to show an operator the start, the worst and the latest of an episode without storing every sample. */
export const MAX_EVIDENCE = 10

export function initialVitalsState(): VitalsRuleState {
  return { phase: 'normal', direction: null, since: null, lastAt: null, worst: null, severity: null, evidence: [], clearingSince: null, clearingEvidence: [] }
}

export function evaluateVital(state: VitalsRuleState, input: VitalInput): RuleResult<VitalsRuleState> {
  if (!isUsable(state, input)) return { state, decisions: [] }
  const s: VitalsRuleState = { ...state, lastAt: input.at }
  const bounds = metricBounds(input.metric, input.thresholds)
  const direction = directionOf(input.value, bounds)
  switch (s.phase) {
    case 'normal':
      return direction === null ? { state: s, decisions: [] } : startRun(s, input, direction)
    case 'pending':
      // Back in range before it was sustained: a noisy sample or a brief episode, forgotten without a decision.
      if (direction === null) return { state: backToNormal(s), decisions: [] }
      return direction === s.direction ? extendRun(s, input) : startRun(s, input, direction)
    case 'alarming':
    case 'clearing':
      if (direction === s.direction) return extendAlarm(s, input)
      if (direction !== null) return reverse(s, input, direction)
      return towardsClear(s, input)
  }
}

function isUsable(state: VitalsRuleState, input: VitalInput): boolean {
  const at = Date.parse(input.at)
  if (!Number.isFinite(input.value) || Number.isNaN(at)) return false
  return state.lastAt === null || at > Date.parse(state.lastAt)
}

function backToNormal(s: VitalsRuleState): VitalsRuleState {
  return { ...initialVitalsState(), lastAt: s.lastAt }
}

/** A new out-of-range run begins with this reading; it may raise at once (critical, or sustainSeconds <= 0). */
function startRun(s: VitalsRuleState, input: VitalInput, direction: Direction): RuleResult<VitalsRuleState> {
  const run: VitalsRuleState = {
    ...backToNormal(s),
    phase: 'pending',
    direction,
    since: input.at,
    worst: input.value,
    severity: readingSeverity(input),
    evidence: [evidenceOf(input)],
  }
  return confirmIfDue(run, input)
}

function extendRun(s: VitalsRuleState, input: VitalInput): RuleResult<VitalsRuleState> {
  return confirmIfDue(addReading(s, input), input)
}

function confirmIfDue(run: VitalsRuleState, input: VitalInput): RuleResult<VitalsRuleState> {
  const due = run.severity === 'critical' || secondsBetween(run.since, input.at) >= input.thresholds.sustainSeconds
  if (!due) return { state: run, decisions: [] }
  const alarming: VitalsRuleState = { ...run, phase: 'alarming' }
  return { state: alarming, decisions: [raiseOf(alarming, input)] }
}

/** Out of range again in the alarm's direction: back to alarming; a new raise only if severity got worse. */
function extendAlarm(s: VitalsRuleState, input: VitalInput): RuleResult<VitalsRuleState> {
  const next: VitalsRuleState = { ...addReading(s, input), phase: 'alarming', clearingSince: null, clearingEvidence: [] }
  const worsened = rank(next.severity) > rank(s.severity)
  // The alarm book treats a raise on an open alarm as an update, so this upgrades the open alarm.
  return { state: next, decisions: worsened ? [raiseOf(next, input)] : [] }
}

function reverse(s: VitalsRuleState, input: VitalInput, direction: Direction): RuleResult<VitalsRuleState> {
  const clear = clearOf(s, input, input.at, 'opposite_direction', [evidenceOf(input)])
  const next = startRun(s, input, direction)
  return { state: next.state, decisions: [clear, ...next.decisions] }
}

/**
 * In range while an alarm is open. Only a value back inside by the hysteresis band counts towards clearing, and
 * it must stay there for sustainSeconds; a value still within the band breaks a clearing run (back to alarming,
 * no decision), so a value hovering at the limit neither clears nor re-raises.
 */
function towardsClear(s: VitalsRuleState, input: VitalInput): RuleResult<VitalsRuleState> {
  const direction = s.direction ?? 'high'
  if (!isBackInRange(input.metric, input.value, direction, metricBounds(input.metric, input.thresholds))) {
    return { state: { ...s, phase: 'alarming', clearingSince: null, clearingEvidence: [] }, decisions: [] }
  }
  const clearingSince = s.phase === 'clearing' && s.clearingSince !== null ? s.clearingSince : input.at
  const clearingEvidence = appendEvidence(s.phase === 'clearing' ? s.clearingEvidence : [], evidenceOf(input), null, input.metric)
  if (secondsBetween(clearingSince, input.at) < input.thresholds.sustainSeconds) {
    return { state: { ...s, phase: 'clearing', clearingSince, clearingEvidence }, decisions: [] }
  }
  // `at` is when the values came back, mirroring the raise's `at` (when they left), not when it was confirmed.
  return { state: backToNormal(s), decisions: [clearOf(s, input, clearingSince, 'back_in_range', clearingEvidence)] }
}

function addReading(s: VitalsRuleState, input: VitalInput): VitalsRuleState {
  const worse = s.worst === null || (s.direction === 'low' ? input.value < s.worst : input.value > s.worst)
  const worst = worse ? input.value : s.worst
  const severity = maxSeverity(s.severity, readingSeverity(input))
  return { ...s, worst, severity, evidence: appendEvidence(s.evidence, evidenceOf(input), worst, input.metric) }
}

function raiseOf(s: VitalsRuleState, input: VitalInput): RaiseDecision {
  const direction = s.direction ?? 'high'
  const bounds = metricBounds(input.metric, input.thresholds)
  return {
    action: 'raise',
    type: typeOf(input.metric, direction),
    severity: s.severity ?? 'high',
    at: s.since ?? input.at,
    evidence: s.evidence,
    detail: { metric: input.metric, threshold: direction === 'high' ? bounds.high : bounds.low, direction, worst: s.worst },
  }
}

function clearOf(s: VitalsRuleState, input: VitalInput, at: string, reason: string, evidence: Evidence[]): ClearDecision {
  return { action: 'clear', type: typeOf(input.metric, s.direction ?? 'high'), at, reason, evidence }
}

/** Directions only arise where metricBounds has a limit, and alarmTypeFor has a type exactly there. */
function typeOf(metric: VitalMetric, direction: Direction): AlarmType {
  const type = alarmTypeFor(metric, direction)
  if (type === null) throw new Error(`vitals rule: no alarm type for ${metric} ${direction}`)
  return type
}

function readingSeverity(input: VitalInput): VitalSeverity | null {
  return severityFor(input.metric, input.value, metricBounds(input.metric, input.thresholds))
}

function rank(severity: Severity | null): number {
  return severity === null ? -1 : SEVERITIES.indexOf(severity)
}

function maxSeverity(a: VitalSeverity | null, b: VitalSeverity | null): VitalSeverity | null {
  return rank(b) > rank(a) ? b : a
}

function secondsBetween(from: string | null, to: string): number {
  return from === null ? 0 : (Date.parse(to) - Date.parse(from)) / 1000
}

function evidenceOf(input: VitalInput): Evidence {
  return { eventId: input.eventId, at: input.at, kind: 'vitals', values: { [input.metric]: input.value } }
}

/**
 * Appends, then if over MAX_EVIDENCE drops the oldest entry that is neither the first (when it started), the
 * worst (how bad it got) nor the last (where it is now). `worst` null: keep only first and last.
 */
function appendEvidence(list: Evidence[], entry: Evidence, worst: number | null, metric: VitalMetric): Evidence[] {
  const next = [...list, entry]
  if (next.length <= MAX_EVIDENCE) return next
  const worstIndex = worst === null ? -1 : next.findIndex(e => e.values[metric] === worst)
  const drop = worstIndex === 1 ? 2 : 1
  return next.filter((_, i) => i !== drop)
}

/** The vitals fields of a telemetry message (contracts' vitalsSchema); other fields such as steps are ignored. */
export type VitalsValues = {
  heartRate?: number | undefined
  spo2?: number | undefined
  systolic?: number | undefined
  diastolic?: number | undefined
  temperature?: number | undefined
  glucose?: number | undefined
}

export type VitalsReading = { at: string; eventId: string; vitals: VitalsValues }
export type VitalsStates = Partial<Record<VitalMetric, VitalsRuleState>>

const READING_FIELD: Readonly<Record<VitalMetric, keyof VitalsValues>> = {
  heart_rate: 'heartRate',
  spo2: 'spo2',
  systolic: 'systolic',
  diastolic: 'diastolic',
  temperature: 'temperature',
  glucose: 'glucose',
}

/**
 * Runs evaluateVital for each metric present in one telemetry reading, then reconciles metrics that share an
 * alarm type (systolic and diastolic both raise blood_pressure_high). Each metric keeps its own state; the
 * alarm type is open while ANY metric mapping to it is alarming or clearing. So:
 * - a clear is emitted only when no metric still holds that type open (systolic back to normal while the
 *   diastolic is still high does not clear blood_pressure_high), and at most once per type per reading;
 * - a raise is emitted only if it would open the type or raise its severity above what the other metrics
 *   already hold open; when several metrics raise the same type in one reading, the most severe one is kept
 *   (the first in metric order on a tie: systolic before diastolic). This keeps the open alarm from being
 *   "updated" down to a lower severity by the second metric.
 * For types with one metric these checks never remove anything. Caveat: if a device stops sending one of the
 * pair while it is alarming, the shared alarm stays open until that metric reads normal again.
 */
export function evaluateVitalsReading(
  states: VitalsStates,
  reading: VitalsReading,
  thresholds: VitalThresholds,
): { states: VitalsStates; decisions: Decision[] } {
  const next: VitalsStates = { ...states }
  const raw: Decision[] = []
  for (const metric of VITAL_METRICS) {
    const value = reading.vitals[READING_FIELD[metric]]
    if (typeof value !== 'number') continue
    const result = evaluateVital(states[metric] ?? initialVitalsState(), { metric, value, at: reading.at, eventId: reading.eventId, thresholds })
    next[metric] = result.state
    raw.push(...result.decisions)
  }
  return { states: next, decisions: reconcile(raw, states, next) }
}

function reconcile(raw: Decision[], before: VitalsStates, after: VitalsStates): Decision[] {
  const out: Decision[] = []
  for (const d of raw) {
    if (d.action === 'clear') {
      const stillOpen = openSeverity(after, d.type) !== null
      const alreadyCleared = out.some(o => o.action === 'clear' && o.type === d.type)
      if (!stillOpen && !alreadyCleared) out.push(d)
    } else if (d === mostSevereRaise(raw, d.type) && rank(d.severity) > rank(openSeverity(before, d.type))) {
      out.push(d)
    }
  }
  return out
}

function mostSevereRaise(decisions: Decision[], type: AlarmType): RaiseDecision | undefined {
  let best: RaiseDecision | undefined
  for (const d of decisions) {
    if (d.action === 'raise' && d.type === type && (best === undefined || rank(d.severity) > rank(best.severity))) best = d
  }
  return best
}

/** Highest severity among metrics holding `type` open (alarming or clearing); null when none does. */
function openSeverity(states: VitalsStates, type: AlarmType): VitalSeverity | null {
  let result: VitalSeverity | null = null
  for (const metric of VITAL_METRICS) {
    const s = states[metric]
    if (!s || (s.phase !== 'alarming' && s.phase !== 'clearing') || s.direction === null) continue
    if (alarmTypeFor(metric, s.direction) === type) result = maxSeverity(result, s.severity)
  }
  return result
}
