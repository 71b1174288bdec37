import { nameBasedUuid } from '@anxin/contracts'
import { maxSeverity, priorityFor, type LedgerFlags } from './priority.ts'
import type { AlarmType, Decision, Evidence, Severity } from './types.ts'

export type OpenAlarm = {
  alarmId: string
  incidentId: string
  type: AlarmType
  severity: Severity
  priority: number
  occurrences: number
  deviceId: string | null
  startedAt: string
  raisedAt: string
  version: number
  detail: Record<string, number | string | boolean | null>
  /** Raised by a device in test mode: shown in the test view, nobody is called out (absent: false). */
  test?: boolean
}

export type ResidentContext = { residentId: string; orgId: string; flags: LedgerFlags }

export type AlarmChange =
  | { kind: 'raised'; alarm: OpenAlarm; evidence: Evidence[]; reason: null }
  | { kind: 'updated'; alarm: OpenAlarm; evidence: Evidence[]; reason: null }
  | { kind: 'cleared' | 'cancelled'; alarm: OpenAlarm; evidence: Evidence[]; reason: string }

/** Only a person closes these: a condition "clearing" does not make the emergency go away. */
const CLOSED_BY_PEOPLE: ReadonlySet<AlarmType> = new Set(['sos', 'fall'])

/** Alarms about the person (not the device) that, close together in time, are one situation. */
const PERSON_ALARMS: ReadonlySet<AlarmType> = new Set([
  'sos', 'fall', 'heart_rate_high', 'heart_rate_low', 'spo2_low', 'blood_pressure_high', 'blood_pressure_low',
  'temperature_high', 'temperature_low', 'glucose_high', 'glucose_low', 'geofence_exit', 'inactivity',
])

/** Alarms about a device rather than the person: each device of a resident has its own. */
const DEVICE_ALARMS: ReadonlySet<AlarmType> = new Set(['device_offline', 'device_not_worn', 'low_battery', 'device_test_overdue'])

/**
 * What "one open alarm per resident and type" is keyed by beyond those two: the device, for device alarms
 * (a watch coming back online must not clear the pendant's offline alarm); nothing, for person alarms. A
 * test alarm has a slot of its own per device: a real SOS must never be folded into an open test alarm (and
 * go unannounced), nor a test press into a real one.
 */
export function alarmScope(type: AlarmType, deviceId: string | null, test = false): string {
  if (test) return `test:${deviceId ?? ''}`
  return DEVICE_ALARMS.has(type) ? (deviceId ?? '') : ''
}

export function sameSlot(alarm: OpenAlarm, type: AlarmType, deviceId: string | null, test = false): boolean {
  return alarm.type === type && alarmScope(type, alarm.deviceId, alarm.test) === alarmScope(type, deviceId, test)
}

/** A fall, a heart-rate spike and no movement within this window are one incident, not three. */
export const CORRELATION_WINDOW_SECONDS = 15 * 60

/**
 * The id of the alarm a decision opens. It depends only on the resident, the type and the event that
 * opened it, so a redelivered event (or a re-run timer) can never open a second alarm.
 */
export function alarmIdFor(residentId: string, type: AlarmType, openingEventId: string, scope = ''): string {
  return nameBasedUuid(`alarm\n${residentId}\n${type}\n${scope}\n${openingEventId}`)
}

/**
 * Applies one rule decision to a resident's open alarms: one open alarm per type; a repeat updates it (count,
 * severity); a clear closes it unless only a person may; related person-alarms share an incident.
 * Returns null when the decision changes nothing.
 */
export function applyDecision(
  open: OpenAlarm[],
  context: ResidentContext,
  decision: Decision,
  meta: { deviceId: string | null; now: string; test?: boolean },
): AlarmChange | null {
  const test = meta.test ?? false
  const current = open.find(a => sameSlot(a, decision.type, meta.deviceId, test)) ?? null
  if (decision.action === 'raise') {
    if (current) {
      const severity = maxSeverity(current.severity, decision.severity)
      return {
        kind: 'updated',
        reason: null,
        evidence: decision.evidence,
        alarm: {
          ...current,
          severity,
          priority: priorityFor(severity, context.flags),
          occurrences: current.occurrences + 1,
          version: current.version + 1,
          detail: { ...current.detail, ...decision.detail },
        },
      }
    }
    const openingEventId = decision.evidence[0]?.eventId ?? `${decision.type}:${decision.at}`
    const alarmId = alarmIdFor(context.residentId, decision.type, openingEventId, alarmScope(decision.type, meta.deviceId, test))
    return {
      kind: 'raised',
      reason: null,
      evidence: decision.evidence,
      alarm: {
        alarmId,
        // Test alarms and real ones never share an incident.
        incidentId: correlatedIncident(open.filter(a => (a.test ?? false) === test), decision.type, decision.at) ?? alarmId,
        type: decision.type,
        severity: decision.severity,
        priority: priorityFor(decision.severity, context.flags),
        occurrences: 1,
        deviceId: meta.deviceId,
        startedAt: decision.at,
        raisedAt: meta.now,
        version: 1,
        detail: decision.detail,
        ...(test ? { test: true } : {}),
      },
    }
  }
  if (!current) return null
  if (decision.action === 'clear' && CLOSED_BY_PEOPLE.has(decision.type)) return null
  return {
    kind: decision.action === 'cancel' ? 'cancelled' : 'cleared',
    reason: decision.reason,
    evidence: decision.evidence,
    alarm: { ...current, version: current.version + 1 },
  }
}

function correlatedIncident(open: OpenAlarm[], type: AlarmType, at: string): string | null {
  if (!PERSON_ALARMS.has(type)) return null
  const t = Date.parse(at)
  const related = open
    .filter(a => PERSON_ALARMS.has(a.type) && Math.abs(Date.parse(a.startedAt) - t) <= CORRELATION_WINDOW_SECONDS * 1000)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
  return related[0]?.incidentId ?? null
}
