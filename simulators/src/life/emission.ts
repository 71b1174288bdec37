import type { AlarmMessage, DeviceEventMessage, Location, TelemetryMessage } from '@anxin/contracts'
import { positionAlong, type LatLon } from './geo.ts'
import type { LifeDevice, ResidentProfile } from './profile.ts'
import type { LifeRates } from './rates.ts'
import type { Rng } from './random.ts'
import type { Activity, DayTimeline, Incident } from './timeline.ts'
import type { ResidentTraits } from './traits.ts'

type Header = 'id' | 'seq' | 'ts'

/** Something a device says at a moment, before it is given its id, sequence number and (device) timestamp. */
export type Emission =
  | { at: number; channel: 'telemetry'; body: Omit<TelemetryMessage, Header> }
  | { at: number; channel: 'event'; body: Omit<DeviceEventMessage, Header> }
  | { at: number; channel: 'alarm'; body: Omit<AlarmMessage, Header> }

/** Everything a device model needs to play one day: the resident's day and the incidents it reports. */
export type DeviceDay = {
  device: LifeDevice
  profile: ResidentProfile
  traits: ResidentTraits
  rates: LifeRates
  timeline: DayTimeline
  incidents: readonly Incident[]
  rng: Rng
  /** Where in its reporting interval this device ticks, so a fleet does not report in lock-step. */
  phaseMs: number
}

/** A device model: one day's messages, and the battery level it hands on to the next day. */
export type DeviceModel = (day: DeviceDay, battery: number) => { emissions: Emission[]; battery: number }

export function event(at: number, type: DeviceEventMessage['type'], battery: number): Emission {
  return { at: Math.round(at), channel: 'event', body: { type, battery: batteryPercent(battery) } }
}

/** Whole percent, rounded down as devices do: 19.7 % is reported as 19, below the low-battery line. */
export function batteryPercent(level: number): number {
  return Math.floor(level)
}

/** Regular heartbeats through the day, each with the battery level. */
export function heartbeats(day: DeviceDay, intervalS: number, battery: number): Emission[] {
  const interval = intervalS * 1000
  const out: Emission[] = []
  for (let at = day.timeline.dayStart + (day.phaseMs % interval); at < day.timeline.dayEnd; at += interval) out.push(event(at, 'heartbeat', battery))
  return out
}

/** Where a wearable finds itself: on the route while out, else at home as Wi-Fi positioning sees it. */
export function whereabouts(home: LatLon, activity: Activity, at: number, rng: Rng): Location {
  if (activity.route) {
    const point = positionAlong(activity.route, (at - activity.start) / (activity.end - activity.start))
    return { lat: round6(point.lat), lon: round6(point.lon), accuracyM: Math.round(rng.between(4, 15)), source: 'gps' }
  }
  const jitter = () => rng.normal(0, 0.00004)
  return { lat: round6(home.lat + jitter()), lon: round6(home.lon + jitter()), accuracyM: Math.round(rng.between(15, 35)), source: 'wifi' }
}

export function fixedLocation(home: LatLon): Location {
  return { lat: round6(home.lat), lon: round6(home.lon), accuracyM: 0, source: 'fixed' }
}

/** One alarm message per press burst of an SOS call. */
export function sosAlarms(incident: Extract<Incident, { kind: 'sos' }>, location: Location | undefined): Emission[] {
  return incident.presses.map(press => ({
    at: incident.at + press.afterMs,
    channel: 'alarm' as const,
    body: { type: 'sos' as const, pressCount: press.pressCount, ...(location ? { location } : {}) },
  }))
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
