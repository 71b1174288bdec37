import type { LifeDevice } from './profile.ts'
import { activityAt, type DayTimeline, type Incident } from './timeline.ts'

const BUTTON_TEST_GAP_MS = 20_000

/**
 * Which device reports which incident. An SOS goes to the pendant if there is one (it is what people are
 * told to press), else the watch, else the wall button if the resident is at home; a fall only a watch can
 * detect; a button test covers every button the resident has, one after another.
 */
export function assignIncidents(timeline: DayTimeline, devices: readonly LifeDevice[]): Map<string, Incident[]> {
  const byDevice = new Map<string, Incident[]>(devices.map(d => [d.id, []]))
  const first = (type: LifeDevice['type']) => devices.find(d => d.type === type)
  const give = (device: LifeDevice | undefined, incident: Incident) => device && byDevice.get(device.id)!.push(incident)
  for (const incident of timeline.incidents) {
    if (incident.kind === 'fall' || incident.kind === 'im_ok') give(first('watch'), incident)
    if (incident.kind === 'visitor') give(first('door_sensor'), incident)
    if (incident.kind === 'sos') {
      const atHome = !activityAt(timeline.activities, incident.at)?.route
      give(first('sos_pendant') ?? first('watch') ?? (atHome ? first('wall_button') : undefined), incident)
    }
    if (incident.kind === 'button_test') {
      devices
        .filter(d => d.type === 'watch' || d.type === 'sos_pendant' || d.type === 'wall_button')
        .forEach((device, i) => give(device, { ...incident, at: incident.at + i * BUTTON_TEST_GAP_MS }))
    }
  }
  return byDevice
}
