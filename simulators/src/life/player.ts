import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AlarmMessage, DeviceEventMessage, TelemetryMessage } from '@anxin/contracts'
import { SimulatedDevice } from '../simulated-device.ts'
import { countSent, emptyReport, type PlayReport } from './play-report.ts'
import { planDays } from './plan.ts'
import type { LifeDevice, ResidentProfile } from './profile.ts'
import type { LifeRates, RatesName } from './rates.ts'
import { simClock, type SimClock } from './sim-clock.ts'
import { wireSchedule, type WireStep } from './wire.ts'

export type PlayedResident = { profile: ResidentProfile; devices: readonly LifeDevice[] }

export type PlayOptions = {
  url: string
  passwordFor: (deviceId: string) => string
  residents: readonly PlayedResident[]
  seed: number
  /** Simulated seconds per wall-clock second (1: real time). */
  speed?: number
  /** Wall-clock length of the run; Infinity plays until `signal` aborts. */
  durationSeconds: number
  rates?: RatesName | LifeRates
  /** Simulated start, epoch ms. Default: now. */
  from?: number
  signal?: AbortSignal
  sosMaxAttempts?: number
  connectConcurrency?: number
  /** Default: fresh per run, so replaying a seed is never mistaken by the platform for retries. */
  messageIdPrefix?: string
}

type Run = { clock: SimClock; devices: Map<string, SimulatedDevice>; report: PlayReport; alarms: Set<Promise<void>>; signal: AbortSignal; options: PlayOptions }

/**
 * Plays residents' planned lives over MQTT: each device publishes its messages when they fall due on the
 * simulated clock, drops its connection for planned drop-outs and sends what it queued on reconnecting,
 * and resends every alarm until the platform acknowledges it.
 */
export async function playLives(options: PlayOptions): Promise<PlayReport> {
  const speed = options.speed ?? 1
  const from = options.from ?? Date.now()
  const to = from + options.durationSeconds * 1000 * speed
  const deviceCount = options.residents.reduce((n, r) => n + r.devices.length, 0)
  const report = emptyReport(options.residents.length, deviceCount, from)
  const prefix = options.messageIdPrefix ?? randomBytes(3).toString('hex')
  // The simulated clock starts once the fleet is connected: connecting a district takes seconds.
  let clock = simClock(from, Date.now(), speed)
  const devices = await connectAll(options, report, () => clock)
  const wallStart = Date.now()
  clock = simClock(from, wallStart, speed)
  const stop = AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(Math.min(2 ** 31 - 1, options.durationSeconds * 1000))])
  const run: Run = { clock, devices, report, alarms: new Set(), signal: stop, options }

  await Promise.all(
    options.residents.map(async resident => {
      const days = planDays({ profile: resident.profile, devices: resident.devices, seed: options.seed, from, to, rates: options.rates, messageIdPrefix: prefix })
      for (;;) {
        // Planning a day takes a few milliseconds per resident; letting timers run in between keeps a whole
        // district crossing midnight together from holding up everyone's due messages.
        await new Promise(resolve => setImmediate(resolve))
        const { value: day, done } = days.next()
        if (done) break
        for (const step of wireSchedule(day)) {
          if (!(await dueOrStopped(run, step.at))) return
          await perform(run, step)
        }
      }
    }),
  )
  // Alarms still waiting for their acknowledgement get a little longer before the devices go.
  const grace = new AbortController()
  await Promise.race([Promise.all(run.alarms), sleep(10_000, undefined, { signal: grace.signal }).catch(() => {})])
  grace.abort()
  await Promise.all([...devices.values()].map(d => d.close().catch(() => {})))
  report.simulatedTo = new Date(Math.min(to, clock.simulatedNow(Date.now()))).toISOString()
  report.elapsedMs = Date.now() - wallStart
  return report
}

async function connectAll(options: PlayOptions, report: PlayReport, clock: () => SimClock): Promise<Map<string, SimulatedDevice>> {
  const connected = new Map<string, SimulatedDevice>()
  const all = options.residents.flatMap(r => r.devices)
  const concurrency = options.connectConcurrency ?? 50
  for (let i = 0; i < all.length; i += concurrency) {
    await Promise.all(
      all.slice(i, i + concurrency).map(async ({ id }) => {
        const device = new SimulatedDevice({ url: options.url, deviceId: id, password: options.passwordFor(id), clock: () => new Date(clock().simulatedNow(Date.now())) })
        try {
          await device.connect()
          connected.set(id, device)
        } catch {
          report.devicesNotConnected++
        }
      }),
    )
  }
  return connected
}

/** Waits until the simulated moment is due on the wall clock; false when the run is over first. */
async function dueOrStopped(run: Run, at: number): Promise<boolean> {
  const wait = run.clock.wallTimeOf(at) - Date.now()
  if (wait > 0) await sleep(wait, undefined, { signal: run.signal }).catch(() => {})
  return !run.signal.aborted
}

async function perform(run: Run, step: WireStep): Promise<void> {
  const device = run.devices.get(step.deviceId)
  const { report } = run
  if (step.kind === 'disconnect') {
    report.disconnects++
    await device?.close().catch(() => {})
    return
  }
  if (step.kind === 'reconnect') {
    report.reconnects++
    await device?.connect().catch(() => {})
    return
  }
  const { message } = step
  if (!device) {
    report.publishFailed++
    return
  }
  if (message.channel === 'alarm') {
    countSent(report, message)
    const work = device
      .sendAlarm(message.payload as AlarmMessage, { maxAttempts: run.options.sosMaxAttempts ?? 20 })
      .then(
        result => void report.alarmAcks[result.ack.status]++,
        () => void report.alarmsUnacknowledged++,
      )
    run.alarms.add(work)
    void work.finally(() => run.alarms.delete(work))
    return
  }
  try {
    await device.sendPrepared(message.channel, message.payload as TelemetryMessage | DeviceEventMessage)
    countSent(report, message)
  } catch {
    report.publishFailed++
  }
}
