import type { DeviceAck } from '@anxin/contracts'
import type { LifeMessage } from './plan.ts'

/** What a player did: messages by kind, drop-outs, and how the platform answered the alarms. */
export type PlayReport = {
  residents: number
  devices: number
  devicesNotConnected: number
  telemetry: number
  events: Record<string, number>
  alarms: Record<string, number>
  publishFailed: number
  disconnects: number
  reconnects: number
  alarmAcks: Record<DeviceAck['status'], number>
  alarmsUnacknowledged: number
  simulatedFrom: string
  simulatedTo: string
  elapsedMs: number
}

export function emptyReport(residents: number, devices: number, simulatedFrom: number): PlayReport {
  const iso = new Date(simulatedFrom).toISOString()
  return {
    residents, devices, devicesNotConnected: 0, telemetry: 0, events: {}, alarms: {}, publishFailed: 0, disconnects: 0, reconnects: 0,
    alarmAcks: { accepted: 0, duplicate: 0, rejected: 0 }, alarmsUnacknowledged: 0, simulatedFrom: iso, simulatedTo: iso, elapsedMs: 0,
  }
}

export function countSent(report: PlayReport, message: LifeMessage): void {
  if (message.channel === 'telemetry') report.telemetry++
  else {
    const kinds = message.channel === 'event' ? report.events : report.alarms
    const type = (message.payload as { type: string }).type
    kinds[type] = (kinds[type] ?? 0) + 1
  }
}
