import type { DeviceEnvelope } from '@anxin/contracts'
import {
  INITIAL_BATTERY_STATE,
  INITIAL_SUPERVISION_STATE,
  INITIAL_WORN_STATE,
  checkNotWorn,
  checkOffline,
  evaluateBattery,
  evaluateWorn,
  recordLowBatteryEvent,
  recordSeen,
  type BatteryState,
  type SupervisionState,
  type WornState,
} from './device-rules.ts'
import { INITIAL_GEOFENCE_STATE, evaluateLocation, type GeofenceState } from './geofence-rule.ts'
import {
  DEFAULT_ACTIVITY_PLAN,
  INITIAL_INACTIVITY_STATE,
  checkInactivity,
  recordActivity,
  seedLastActivity,
  type ActivityKind,
  type InactivityState,
} from './inactivity-rule.ts'
import type { ResidentProfile } from './profile.ts'
import { evaluateImOk, evaluateUrgent, initialFallState, type FallState } from './sos-fall-rule.ts'
import type { Decision, RuleResult } from './types.ts'
import { effectiveThresholds } from './vital-thresholds.ts'
import { evaluateVitalsReading, type VitalsStates } from './vitals-rule.ts'

/** Every rule's state for one resident; plain JSON, kept in Redis between events and across restarts. */
export type DeviceRuleStates = {
  supervision: SupervisionState
  worn: WornState
  battery: BatteryState
  lastSteps: number | null
  /** Time of the reading `lastSteps` came from: a late, older reading must not count as movement. */
  lastStepsAt: string | null
}
export type ResidentRuleStates = {
  vitals: VitalsStates
  geofence: GeofenceState
  inactivity: InactivityState
  fall: FallState
  devices: Record<string, DeviceRuleStates>
}

export function initialResidentStates(): ResidentRuleStates {
  return { vitals: {}, geofence: INITIAL_GEOFENCE_STATE, inactivity: INITIAL_INACTIVITY_STATE, fall: initialFallState(), devices: {} }
}

const initialDeviceStates = (): DeviceRuleStates => ({
  supervision: INITIAL_SUPERVISION_STATE,
  worn: INITIAL_WORN_STATE,
  battery: INITIAL_BATTERY_STATE,
  lastSteps: null,
  lastStepsAt: null,
})

/** Device clocks drift. A time further in the future than this is not believed; the receipt time is used. */
export const MAX_FUTURE_SKEW_MS = 60_000

/** The time an observation is judged at: the device's, unless it claims to come from the future. */
export function observationTime(occurredAt: string, receivedAt: string): string {
  return Date.parse(occurredAt) > Date.parse(receivedAt) + MAX_FUTURE_SKEW_MS ? receivedAt : occurredAt
}

const ACTIVITY_EVENTS: Partial<Record<string, ActivityKind>> = {
  motion: 'motion',
  door_open: 'door_open',
  door_closed: 'door_closed',
  bed_exit: 'bed_exit',
  im_ok: 'im_ok',
}

// Buttons exist for emergencies: one that has gone silent is a bigger gap in someone's safety than a watch.
const OFFLINE_SEVERITY: Partial<Record<string, 'high'>> = { sos_pendant: 'high', wall_button: 'high' }

/**
 * Runs every rule that one device message concerns and returns the new states and the decisions, in order.
 * Pure: the caller loads the states and profile, and applies the decisions to the alarm book.
 */
export function observe(
  states: ResidentRuleStates,
  profile: ResidentProfile,
  envelope: DeviceEnvelope,
  options: { fallGraceSeconds: number },
): RuleResult<ResidentRuleStates> {
  const at = observationTime(envelope.occurredAt, envelope.receivedAt)
  const eventId = envelope.eventId
  const decisions: Decision[] = []
  const next: ResidentRuleStates = { ...states, devices: { ...states.devices } }
  const device = { ...(next.devices[envelope.deviceId] ?? initialDeviceStates()) }
  const take = <S>(result: RuleResult<S>): S => {
    decisions.push(...result.decisions)
    return result.state
  }
  const activity = (kind: ActivityKind) => {
    next.inactivity = take(recordActivity(next.inactivity, { at, eventId, kind }))
  }

  // Supervision is about the link, so it runs on receipt time (buffered old readings still mean "online now").
  device.supervision = take(recordSeen(device.supervision, { at: envelope.receivedAt, eventId }))

  if (envelope.type === 'device.telemetry') {
    const { vitals, location, status } = envelope.payload
    if (vitals) {
      const thresholds = effectiveThresholds(profile.conditions, profile.thresholdOverrides)
      const result = evaluateVitalsReading(next.vitals, { at, eventId, vitals }, thresholds)
      next.vitals = result.states
      decisions.push(...result.decisions)
      // A step count that moved means the person moved (a cumulative counter that stands still does not).
      // Only a newer reading is compared: a late one arriving out of order says nothing about now.
      const newer = device.lastStepsAt === null || Date.parse(at) > Date.parse(device.lastStepsAt)
      if (vitals.steps !== undefined && newer) {
        if (vitals.steps > 0 && vitals.steps !== device.lastSteps) activity('steps')
        device.lastSteps = vitals.steps
        device.lastStepsAt = at
      }
    }
    if (location) {
      next.geofence = take(evaluateLocation(next.geofence, { at, eventId, lat: location.lat, lon: location.lon, accuracyM: location.accuracyM, zones: profile.safeZones }))
    }
    if (status?.battery !== undefined) {
      device.battery = take(evaluateBattery(device.battery, { at, eventId, battery: status.battery, charging: status.charging }))
    }
    if (status?.worn !== undefined) device.worn = take(evaluateWorn(device.worn, { at, eventId, worn: status.worn }))
  } else if (envelope.type === 'device.alarm') {
    const p = envelope.payload
    next.fall = take(evaluateUrgent(next.fall, { type: p.type, eventId, at, pressCount: p.pressCount, location: p.location, fall: p.fall, graceSeconds: options.fallGraceSeconds }))
    activity(p.type)
  } else {
    const type = envelope.payload.type
    if (type === 'im_ok') next.fall = take(evaluateImOk(next.fall, { eventId, at, graceSeconds: options.fallGraceSeconds }))
    const kind = ACTIVITY_EVENTS[type]
    if (kind) activity(kind)
    if (type === 'worn' || type === 'not_worn') {
      device.worn = take(evaluateWorn(device.worn, { at, eventId, worn: type === 'worn', source: 'device_event' }))
    }
    if (type === 'low_battery') device.battery = take(recordLowBatteryEvent(device.battery, { at, eventId, battery: envelope.payload.battery }))
  }
  // The clock of inactivity starts with the first message from the resident, whatever it carried; seeded
  // last, so that when that first message is itself activity (an SOS, steps) it is recorded as such.
  next.inactivity = seedLastActivity(next.inactivity, { at, eventId })
  next.devices[envelope.deviceId] = device
  return { state: next, decisions }
}

/**
 * The rules that fire on silence, run from a timer: devices offline, a watch left off, inactivity against
 * the resident's plan. Returns decisions with the device each concerns.
 */
export function checkSilence(
  states: ResidentRuleStates,
  profile: ResidentProfile,
  now: string,
): { state: ResidentRuleStates; decisions: Array<{ decision: Decision; deviceId: string | null }> } {
  const out: Array<{ decision: Decision; deviceId: string | null }> = []
  const next: ResidentRuleStates = { ...states, devices: { ...states.devices } }
  for (const d of profile.devices) {
    const device = { ...(next.devices[d.deviceId] ?? initialDeviceStates()) }
    const offline = checkOffline(device.supervision, { now, supervisionIntervalS: d.supervisionIntervalS, severity: OFFLINE_SEVERITY[d.type] })
    const worn = checkNotWorn(device.worn, { now })
    device.supervision = offline.state
    device.worn = worn.state
    for (const decision of [...offline.decisions, ...worn.decisions]) out.push({ decision, deviceId: d.deviceId })
    next.devices[d.deviceId] = device
  }
  const inactivity = checkInactivity(next.inactivity, { now, plan: profile.activityPlan ?? DEFAULT_ACTIVITY_PLAN })
  next.inactivity = inactivity.state
  for (const decision of inactivity.decisions) out.push({ decision, deviceId: null })
  return { state: next, decisions: out }
}

/** Starts the supervision clock for a device the service has no record of (first start, or Redis lost). */
export function seedDevice(states: ResidentRuleStates, deviceId: string, lastSeenAt: string, eventId: string): ResidentRuleStates {
  if (states.devices[deviceId]?.supervision.lastSeenAt) return states
  const device = initialDeviceStates()
  device.supervision = { ...INITIAL_SUPERVISION_STATE, lastSeenAt, lastSeenEventId: eventId }
  return { ...states, devices: { ...states.devices, [deviceId]: device } }
}
