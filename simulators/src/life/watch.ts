import { stepsInMinute, vitalsNow } from './body.ts'
import { batteryPercent, event, sosAlarms, whereabouts, type DeviceModel, type Emission } from './emission.ts'
import { MINUTE_MS } from './local-time.ts'
import { activityAt } from './timeline.ts'

/** Battery per minute: a full charge lasts about a day of wear, GPS on a walk costs extra. */
const DRAIN_PER_MINUTE = 0.058
const GPS_DRAIN_PER_MINUTE = 0.03
/** About an hour from nearly empty to full. */
const CHARGE_PER_MINUTE = 1.4
const LOW_BATTERY = 20

/**
 * A smartwatch: telemetry (vitals while worn, location, status) at the reporting interval, a daily step
 * count, fall detection, SOS and "I'm OK" keys. It comes off for the evening shower and then sits on its
 * charger (not worn, charging, no vitals) until full or bedtime.
 */
export const watchDay: DeviceModel = (day, startBattery) => {
  const { timeline, rates, rng, traits, profile } = day
  const emissions: Emission[] = []
  const interval = rates.telemetryIntervalS * 1000
  let nextReport = timeline.dayStart + (day.phaseMs % interval)
  let battery = startBattery
  let worn = true
  let charging = false
  let offForShower = false
  let lowReported = battery < LOW_BATTERY
  let steps = 0
  const minutes: Array<{ worn: boolean; battery: number }> = []
  for (let t = timeline.dayStart; t < timeline.dayEnd; t += MINUTE_MS) {
    const activity = activityAt(timeline.activities, t)!
    if (worn && activity.kind === 'shower') {
      worn = false
      offForShower = true
      emissions.push(event(t, 'not_worn', battery))
    } else if (offForShower && activity.kind !== 'shower') {
      offForShower = false
      charging = true
    }
    if (charging) {
      battery = Math.min(100, battery + CHARGE_PER_MINUTE)
      // Back on the wrist once full, or when the resident goes to bed or out (it is taken along).
      if (battery >= 100 || activity.kind === 'asleep' || activity.route) {
        charging = false
        worn = true
        lowReported = battery < LOW_BATTERY
        emissions.push(event(t, 'worn', battery))
      }
    } else {
      battery = Math.max(1, battery - DRAIN_PER_MINUTE - (activity.route ? GPS_DRAIN_PER_MINUTE : 0))
      if (!lowReported && battery < LOW_BATTERY) {
        lowReported = true
        emissions.push(event(t, 'low_battery', battery))
      }
    }
    minutes.push({ worn, battery })
    if (worn) steps += stepsInMinute(activity.kind, rng)
    for (; nextReport < t + MINUTE_MS; nextReport += interval) {
      const status = { battery: batteryPercent(battery), charging, worn, rssi: Math.round(rng.normal(activity.route ? -85 : -65, 6)) }
      const location = whereabouts(profile.home, activity, nextReport, rng)
      const vitals = worn ? { ...vitalsNow(traits, activity, timeline.dayStart, nextReport, timeline.meals, rng), steps } : undefined
      emissions.push({ at: nextReport, channel: 'telemetry', body: { ...(vitals ? { vitals } : {}), location, status } })
    }
  }

  const stateAt = (at: number) => minutes[Math.floor((at - timeline.dayStart) / MINUTE_MS)] ?? { worn: true, battery }
  for (const incident of day.incidents) {
    const { worn: onWrist, battery: level } = stateAt(incident.at)
    const location = whereabouts(profile.home, activityAt(timeline.activities, incident.at)!, incident.at, rng)
    // Fall detection needs the watch on the wrist; the keys work either way.
    if (incident.kind === 'fall' && onWrist) {
      emissions.push({ at: incident.at, channel: 'alarm', body: { type: 'fall', fall: { impactG: incident.impactG, confidence: incident.confidence }, location } })
    }
    if (incident.kind === 'sos') emissions.push(...sosAlarms(incident, location))
    if (incident.kind === 'im_ok') emissions.push(event(incident.at, 'im_ok', level))
    if (incident.kind === 'button_test') emissions.push(event(incident.at, 'button_test', level))
  }
  return { emissions, battery }
}
