import type { DeviceEnvelope } from '@anxin/contracts'

/** Rows for the time-series tables, one set per table, built from device envelopes. Pure. */
export type VitalsRow = {
  time: string; deviceId: string; residentId: string | null; eventId: string
  heartRate: number | null; spo2: number | null; systolic: number | null; diastolic: number | null
  temperature: number | null; glucose: number | null; steps: number | null; receivedAt: string
}
export type LocationRow = {
  time: string; deviceId: string; residentId: string | null; eventId: string
  lat: number; lon: number; accuracyM: number | null; source: string | null; receivedAt: string
}
export type DeviceStatusRow = {
  time: string; deviceId: string; eventId: string
  battery: number | null; charging: boolean | null; worn: boolean | null; rssi: number | null; receivedAt: string
}
export type DeviceEventRow = {
  time: string; deviceId: string; residentId: string | null; eventId: string
  lane: 'alarm' | 'event'; type: string; detail: Record<string, unknown>; receivedAt: string
}
export type TimeSeriesRows = { vitals: VitalsRow[]; locations: LocationRow[]; status: DeviceStatusRow[]; events: DeviceEventRow[] }

export function toTimeSeriesRows(envelopes: DeviceEnvelope[]): TimeSeriesRows {
  const rows: TimeSeriesRows = { vitals: [], locations: [], status: [], events: [] }
  for (const e of envelopes) {
    const common = { time: e.occurredAt, deviceId: e.deviceId, eventId: e.eventId, receivedAt: e.receivedAt }
    const withResident = { ...common, residentId: e.residentId }
    if (e.type === 'device.telemetry') {
      const { vitals: v, location: l, status: s } = e.payload
      if (v) {
        rows.vitals.push({
          ...withResident,
          heartRate: v.heartRate ?? null, spo2: v.spo2 ?? null, systolic: v.systolic ?? null, diastolic: v.diastolic ?? null,
          temperature: v.temperature ?? null, glucose: v.glucose ?? null, steps: v.steps ?? null,
        })
      }
      if (l) rows.locations.push({ ...withResident, lat: l.lat, lon: l.lon, accuracyM: l.accuracyM ?? null, source: l.source ?? null })
      if (s) rows.status.push({ ...common, battery: s.battery ?? null, charging: s.charging ?? null, worn: s.worn ?? null, rssi: s.rssi ?? null })
    } else if (e.type === 'device.alarm') {
      const { id: _id, ts: _ts, seq: _seq, type, ...detail } = e.payload
      rows.events.push({ ...withResident, lane: 'alarm', type, detail })
      if (e.payload.location) {
        const l = e.payload.location
        rows.locations.push({ ...withResident, lat: l.lat, lon: l.lon, accuracyM: l.accuracyM ?? null, source: l.source ?? null })
      }
    } else {
      const { id: _id, ts: _ts, seq: _seq, type, ...detail } = e.payload
      rows.events.push({ ...withResident, lane: 'event', type, detail })
    }
  }
  return rows
}
