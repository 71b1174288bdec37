import { derivedDevicePassword } from '@anxin/credentials'
import { SimulatedDevice, type SosResult } from './simulated-device.ts'

export type FleetOptions = {
  url: string
  fleetSecret: string
  deviceIds: string[]
  /** Telemetry messages per second across the whole fleet. */
  ratePerSecond: number
  durationSeconds: number
  /** SOS presses spread evenly over the run. */
  sosPresses?: number
  connectConcurrency?: number
}

export type FleetReport = { devices: number; telemetrySent: number; telemetryFailed: number; sos: SosResult[]; sosFailed: number; elapsedMs: number }

export async function connectFleet(url: string, fleetSecret: string, deviceIds: string[], concurrency = 50): Promise<SimulatedDevice[]> {
  const devices = deviceIds.map(id => new SimulatedDevice({ url, deviceId: id, password: derivedDevicePassword(fleetSecret, id) }))
  for (let i = 0; i < devices.length; i += concurrency) await Promise.all(devices.slice(i, i + concurrency).map(d => d.connect()))
  return devices
}

/**
 * Plays telemetry from every device at a steady overall rate (round robin, paced in 10 ms ticks) and presses
 * SOS on some of them along the way; reports what was sent and what the platform acknowledged.
 */
export async function runFleet(options: FleetOptions, devices?: SimulatedDevice[]): Promise<FleetReport> {
  const fleet = devices ?? (await connectFleet(options.url, options.fleetSecret, options.deviceIds, options.connectConcurrency))
  const started = performance.now()
  const total = Math.round(options.ratePerSecond * options.durationSeconds)
  const sosAt = new Set(Array.from({ length: options.sosPresses ?? 0 }, (_, i) => Math.floor(((i + 0.5) * total) / (options.sosPresses ?? 1))))
  const report: FleetReport = { devices: fleet.length, telemetrySent: 0, telemetryFailed: 0, sos: [], sosFailed: 0, elapsedMs: 0 }
  const inFlight = new Set<Promise<void>>()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.ratePerSecond) + 1)
    for (; sent < due; sent++) {
      const device = fleet[sent % fleet.length]!
      const work = sosAt.has(sent)
        ? device.pressSos({ maxAttempts: 20 }).then(r => void report.sos.push(r), () => void report.sosFailed++)
        : device.sendTelemetry().then(() => void report.telemetrySent++, () => void report.telemetryFailed++)
      inFlight.add(work)
      void work.finally(() => inFlight.delete(work))
    }
    await new Promise(r => setTimeout(r, 10))
  }
  await Promise.all(inFlight)
  report.elapsedMs = performance.now() - started
  if (!devices) await Promise.all(fleet.map(d => d.close()))
  return report
}
