import type { AlarmMessage, DeviceEventMessage, TelemetryMessage } from '@anxin/contracts'
import { assignIncidents } from './assign.ts'
import { pendantDay, wallButtonDay } from './buttons.ts'
import { deliveryTime, plannedOutages, type Outage } from './connectivity.ts'
import type { DeviceModel, Emission } from './emission.ts'
import { bedSensorDay, doorSensorDay, pirSensorDay } from './home-sensors.ts'
import { DAY_MS, localDayStart } from './local-time.ts'
import { DEFAULT_TIME_ZONE, type LifeDevice, type LifeDeviceType, type ResidentProfile } from './profile.ts'
import { labelSeed, rngFor } from './random.ts'
import { resolveRates, type LifeRates, type RatesName } from './rates.ts'
import { dayTimeline } from './timeline.ts'
import { residentTraits } from './traits.ts'
import { watchDay } from './watch.ts'

export type LifeChannel = 'telemetry' | 'event' | 'alarm'

/** One message of the stream: what the device said and when. */
export type LifeMessage = {
  /** True (simulated) time it happened; the payload's `ts` is this plus the device's clock error. */
  at: number
  deviceId: string
  channel: LifeChannel
  payload: TelemetryMessage | DeviceEventMessage | AlarmMessage
  /** When it leaves the device: `at`, or the end of the drop-out it was queued through. */
  deliverAt: number
}

export type DayPlan = { dayStart: number; dayEnd: number; messages: LifeMessage[]; outages: Outage[] }

export type LifePlanOptions = {
  profile: ResidentProfile
  devices: readonly LifeDevice[]
  seed: number
  /** Simulated time span, epoch ms: messages with `from <= at < to`. */
  from: number
  to: number
  rates?: RatesName | LifeRates
  /**
   * Message ids are `${prefix}-${seq}`. The platform treats a repeated (device, id) as a retry, so a player
   * replaying the same seed against the same platform must pass a fresh prefix. Default: from the seed.
   */
  messageIdPrefix?: string
}

const MODELS: Record<LifeDeviceType, DeviceModel> = {
  watch: watchDay,
  sos_pendant: pendantDay,
  wall_button: wallButtonDay,
  door_sensor: doorSensorDay,
  pir_sensor: pirSensorDay,
  bed_sensor: bedSensorDay,
}

/**
 * One resident's devices, day by day, as the messages they send. Pure: a seed and a time span always give
 * the same days. Batteries and sequence numbers carry over from one day to the next.
 */
export function* planDays(options: LifePlanOptions): Generator<DayPlan> {
  const { profile, devices, seed, from, to } = options
  const rates = resolveRates(options.rates)
  const timeZone = profile.timeZone ?? DEFAULT_TIME_ZONE
  const traits = residentTraits(profile, seed)
  const prefix = options.messageIdPrefix ?? `L${seed.toString(36)}`
  const memory = new Map(devices.map(d => [d.id, { seq: 0, battery: startingBattery(d, seed), skewMs: clockSkewMs(d, rates, seed) }]))
  for (let dayStart = localDayStart(timeZone, from); dayStart < to; dayStart += DAY_MS) {
    const dayEnd = dayStart + DAY_MS
    const dayIndex = Math.round(dayStart / DAY_MS)
    const timeline = dayTimeline(profile, traits, rates, dayStart, rngFor(seed, profile.id, 'day', dayIndex))
    const incidents = assignIncidents(timeline, devices)
    const said: Array<Emission & { deviceId: string }> = []
    const outages: Outage[] = []
    for (const device of devices) {
      const rng = rngFor(seed, device.id, 'day', dayIndex)
      const state = memory.get(device.id)!
      const phaseMs = labelSeed(seed, device.id) % DAY_MS
      const { emissions, battery } = MODELS[device.type]({ device, profile, traits, rates, timeline, incidents: incidents.get(device.id)!, rng, phaseMs }, state.battery)
      state.battery = battery
      said.push(...emissions.map(e => ({ ...e, deviceId: device.id })))
      const window = plannedOutages(device.id, rates, dayStart, dayEnd, rngFor(seed, device.id, 'network', dayIndex))
      outages.push(...window.map(o => ({ ...o, from: Math.max(o.from, from), until: Math.min(o.until, to) })).filter(o => o.until > o.from))
    }
    said.sort((a, b) => a.at - b.at)
    const messages = said
      .filter(e => e.at >= from && e.at < to)
      .map((e): LifeMessage => {
        const state = memory.get(e.deviceId)!
        const seq = ++state.seq
        const payload = { id: `${prefix}-${seq}`, seq, ts: e.at + state.skewMs, ...e.body }
        return { at: e.at, deviceId: e.deviceId, channel: e.channel, payload, deliverAt: deliveryTime(outages.filter(o => o.deviceId === e.deviceId), e.at) }
      })
    yield { dayStart, dayEnd, messages, outages }
  }
}

/** The whole stream for a span, time-ordered: handy for tests and for looking at a plan. */
export function planLife(options: LifePlanOptions): LifeMessage[] {
  const messages: LifeMessage[] = []
  for (const day of planDays(options)) messages.push(...day.messages)
  return messages
}

function startingBattery(device: LifeDevice, seed: number): number {
  const rng = rngFor(seed, device.id, 'battery')
  return device.type === 'watch' ? rng.between(60, 100) : rng.between(15, 100)
}

/** The device's own word if it has one, else a few devices of the fleet get a clock that is off. */
function clockSkewMs(device: LifeDevice, rates: LifeRates, seed: number): number {
  if (device.clockSkewS !== undefined) return Math.round(device.clockSkewS * 1000)
  const rng = rngFor(seed, device.id, 'clock')
  return rng.chance(rates.clockSkew.share) ? Math.round(rng.between(-1, 1) * rates.clockSkew.maxSeconds) * 1000 : 0
}
