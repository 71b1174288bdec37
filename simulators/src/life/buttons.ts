import type { Location } from '@anxin/contracts'
import { event, fixedLocation, heartbeats, sosAlarms, type DeviceDay, type DeviceModel, type Emission } from './emission.ts'

/** Coin cells last months: a small loss per day. */
const DRAIN_PER_DAY = 0.3
const LOW_BATTERY = 20

/** An SOS pendant: SOS calls, heartbeats with the battery level, the weekly button test. No positioning. */
export const pendantDay: DeviceModel = (day, battery) => buttonDay(day, battery, day.rates.heartbeatIntervalS.sos_pendant, undefined)

/** A wall button beside the bed or in the bathroom: like a pendant, but its alarms carry the home address. */
export const wallButtonDay: DeviceModel = (day, battery) => buttonDay(day, battery, day.rates.heartbeatIntervalS.wall_button, fixedLocation(day.profile.home))

function buttonDay(day: DeviceDay, startBattery: number, heartbeatIntervalS: number, location: Location | undefined): ReturnType<DeviceModel> {
  const battery = Math.max(1, startBattery - DRAIN_PER_DAY)
  const emissions: Emission[] = heartbeats(day, heartbeatIntervalS, battery)
  // A low cell is reported once a day, with the first heartbeat.
  if (battery < LOW_BATTERY && emissions[0]) emissions.push(event(emissions[0].at, 'low_battery', battery))
  for (const incident of day.incidents) {
    if (incident.kind === 'sos') emissions.push(...sosAlarms(incident, location))
    if (incident.kind === 'button_test') emissions.push(event(incident.at, 'button_test', battery))
  }
  return { emissions, battery }
}
