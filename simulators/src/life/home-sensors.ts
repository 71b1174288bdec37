import { event, heartbeats, type DeviceModel, type Emission } from './emission.ts'
import { MINUTE_MS } from './local-time.ts'

/** Sensors run for a year or more on their cells; within a run the level does not visibly move. */
const sensorHeartbeats = (day: Parameters<DeviceModel>[0], battery: number) => heartbeats(day, day.rates.heartbeatIntervalS.sensor, battery)

/** The front-door contact: opens and closes as the resident goes out and comes back, and for visitors. */
export const doorSensorDay: DeviceModel = (day, battery) => {
  const { rng } = day
  const emissions: Emission[] = sensorHeartbeats(day, battery)
  const openClose = (at: number) => emissions.push(event(at, 'door_open', battery), event(at + rng.between(8, 30) * 1000, 'door_closed', battery))
  for (const activity of day.timeline.activities) {
    if (!activity.route) continue
    openClose(activity.start)
    if (activity.end < day.timeline.dayEnd) openClose(activity.end - 40_000)
  }
  for (const incident of day.incidents) {
    if (incident.kind !== 'visitor') continue
    openClose(incident.at)
    openClose(incident.at + rng.between(20, 90) * MINUTE_MS)
  }
  return { emissions: emissions.filter(e => e.at < day.timeline.dayEnd), battery }
}

/** A PIR motion sensor in the living area: fires when someone is up and about at home, quiet otherwise. */
export const pirSensorDay: DeviceModel = (day, battery) => {
  const { rng } = day
  const emissions: Emission[] = sensorHeartbeats(day, battery)
  for (const activity of day.timeline.activities) {
    if (activity.kind === 'asleep' || activity.route) continue
    emissions.push(event(activity.start, 'motion', battery))
    // Someone lying still after a fall does not retrigger it.
    if (activity.kind === 'fallen') continue
    for (let at = activity.start + rng.between(4, 15) * MINUTE_MS; at < activity.end; at += rng.between(4, 15) * MINUTE_MS) emissions.push(event(at, 'motion', battery))
  }
  return { emissions, battery }
}

/** A bed-occupancy pad: bed_exit when the resident gets up, bed_enter when they lie down again. */
export const bedSensorDay: DeviceModel = (day, battery) => {
  const emissions: Emission[] = sensorHeartbeats(day, battery)
  const activities = day.timeline.activities
  for (let i = 1; i < activities.length; i++) {
    const wasInBed = activities[i - 1]!.kind === 'asleep'
    const inBed = activities[i]!.kind === 'asleep'
    if (wasInBed !== inBed) emissions.push(event(activities[i]!.start, inBed ? 'bed_enter' : 'bed_exit', battery))
  }
  return { emissions, battery }
}
