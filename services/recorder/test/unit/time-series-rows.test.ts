import t from 'tap'
import type { DeviceEnvelope } from '@anxin/contracts'
import { toTimeSeriesRows } from '../../src/domain/time-series-rows.ts'

const base = {
  schemaVersion: 1 as const,
  deviceId: 'W1',
  residentId: 'res-1',
  orgId: 'org-1',
  occurredAt: '2026-11-22T03:12:00.000Z',
  receivedAt: '2026-11-22T03:12:00.100Z',
  source: { mqttTopic: 'x', messageId: 'm', seq: 1 },
}

t.test('one telemetry message fills every table it carries data for', async t => {
  const envelope: DeviceEnvelope = {
    ...base,
    eventId: '00000000-0000-5000-8000-000000000001',
    type: 'device.telemetry',
    payload: { id: 'm', ts: 1, vitals: { heartRate: 70, spo2: 97 }, location: { lat: 31.2, lon: 121.4 }, status: { battery: 55, worn: true } },
  }
  const rows = toTimeSeriesRows([envelope])
  t.equal(rows.vitals.length, 1)
  t.equal(rows.vitals[0]!.heartRate, 70)
  t.equal(rows.vitals[0]!.systolic, null, 'absent readings are null, not zero')
  t.equal(rows.locations[0]!.lat, 31.2)
  t.equal(rows.status[0]!.battery, 55)
  t.equal(rows.events.length, 0)
  t.equal(rows.vitals[0]!.time, base.occurredAt, 'stored at the time it happened, not when received')
})

t.test('alarms and events become device events; an alarm location is also stored as a location', async t => {
  const rows = toTimeSeriesRows([
    { ...base, eventId: '00000000-0000-5000-8000-000000000002', type: 'device.alarm', payload: { id: 's', ts: 1, type: 'fall', fall: { impactG: 3 }, location: { lat: 1, lon: 2 } } },
    { ...base, eventId: '00000000-0000-5000-8000-000000000003', type: 'device.event', payload: { id: 'e', ts: 1, type: 'im_ok' } },
  ])
  t.same(rows.events.map(e => [e.lane, e.type]), [['alarm', 'fall'], ['event', 'im_ok']])
  t.same(rows.events[0]!.detail, { fall: { impactG: 3 }, location: { lat: 1, lon: 2 } })
  t.equal(rows.locations.length, 1)
})
