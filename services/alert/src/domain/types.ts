/**
 * The vocabulary shared by the alert rules. Rules are pure functions: they take the rule's previous state,
 * the resident's profile and one observation (or the current time, for rules that fire on silence), and
 * return the new state and zero or more decisions. The alarm book (alarm-book.ts) turns decisions into
 * alarms: one open alarm per resident and type, repeats counted, clears applied.
 */
import { PLATFORM_ALARM_TYPES, type PlatformAlarmType } from '@anxin/contracts'

export const ALARM_TYPES = PLATFORM_ALARM_TYPES
export type AlarmType = PlatformAlarmType

/** `low` is a warning stage (e.g. inactivity before the alarm); `critical` is SOS, fall, life-threatening vitals. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

/** What made a rule decide: the reading or event, by id and time. Contains health data: stored, never logged. */
export type Evidence = {
  eventId: string
  /** ISO time the observation happened (device time, corrected for skew by the caller). */
  at: string
  kind: 'vitals' | 'location' | 'status' | 'device_event' | 'device_alarm' | 'timer'
  values: Record<string, number | string | boolean | null>
}

export type RaiseDecision = {
  action: 'raise'
  type: AlarmType
  severity: Severity
  /** ISO time the condition began (for a sustained condition: when it started, not when it was confirmed). */
  at: string
  evidence: Evidence[]
  /** Non-medical facts an operator needs (e.g. `{ metric: 'heart_rate', threshold: 120 }`). */
  detail: Record<string, number | string | boolean | null>
}

export type ClearDecision = {
  action: 'clear'
  type: AlarmType
  at: string
  reason: string
  evidence: Evidence[]
}

/** Withdraws an alarm the wearer called off in time (a fall followed by "I'm OK" within the grace period). */
export type CancelDecision = {
  action: 'cancel'
  type: AlarmType
  at: string
  reason: string
  evidence: Evidence[]
}

export type Decision = RaiseDecision | ClearDecision | CancelDecision

/** Every rule has this shape; `State` must be plain JSON (it is kept in Redis between events). */
export type RuleResult<State> = { state: State; decisions: Decision[] }
