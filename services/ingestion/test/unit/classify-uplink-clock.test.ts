import t from 'tap'
import { alarmEnvelopeSchema } from '@anxin/contracts'
import { classifyUplink } from '../../src/domain/classify-uplink.ts'
import type { ClockWindow } from '../../src/domain/device-clock.ts'
import type { RegisteredDevice } from '../../src/domain/registered-device.ts'

const device: RegisteredDevice = { deviceId: 'W00000001', orgId: 'org-1', status: 'active', residentId: 'res-1' }
const receivedAt = new Date('2026-11-22T03:12:01.000Z')
const clockWindow: ClockWindow = { maxAheadMs: 15 * 60_000, maxBehindMs: 7 * 24 * 3600_000 }
const threeYearsAhead = Date.parse('2029-11-22T03:12:00.000Z')
const eightDaysAgo = receivedAt.getTime() - 8 * 24 * 3600_000

function classify(channel: 'telemetry' | 'event' | 'alarm', body: Record<string, unknown>, window: ClockWindow | null = clockWindow) {
  return classifyUplink({
    topic: `anxin/v1/dev/W00000001/up/${channel}`,
    deviceId: 'W00000001',
    channel,
    payload: Buffer.from(JSON.stringify(body)),
    device,
    receivedAt,
    clockWindow: window ?? undefined,
  })
}

t.test('telemetry and events outside the clock window are refused, with the message id kept', async t => {
  for (const [channel, body] of [
    ['telemetry', { id: 't1', seq: 1, ts: threeYearsAhead, vitals: { heartRate: 70 } }],
    ['telemetry', { id: 't2', seq: 2, ts: eightDaysAgo, vitals: { heartRate: 70 } }],
    ['event', { id: 'e1', seq: 3, ts: threeYearsAhead, type: 'im_ok' }],
    ['event', { id: 'e2', seq: 4, ts: eightDaysAgo, type: 'im_ok' }],
  ] as const) {
    const result = classify(channel, body)
    t.match(result, { kind: 'rejected', reason: 'timestamp_out_of_window', messageId: body.id }, `${channel} ${body.id}`)
  }
  t.match(classify('telemetry', { id: 't3', ts: eightDaysAgo + 2 * 24 * 3600_000, vitals: { heartRate: 70 } }), { kind: 'accepted' }, 'a drop-out\'s catch-up six days late is taken')
})

t.test('an SOS from a device whose clock is three years off is still taken, stamped with the receipt time and flagged', async t => {
  for (const ts of [threeYearsAhead, eightDaysAgo]) {
    const result = classify('alarm', { id: 'sos-1', seq: 9, ts, type: 'sos' })
    if (result.kind !== 'accepted') throw new Error(`rejected: ${JSON.stringify(result)}`)
    t.equal(result.envelope.occurredAt, receivedAt.toISOString(), 'the operator\'s timeline is not put years off')
    t.equal(result.envelope.source.clockSuspect, true)
    t.equal(result.envelope.payload.ts, ts, 'what the device said is kept in the payload')
    t.ok(alarmEnvelopeSchema.safeParse(result.envelope).success, 'and the envelope is valid under the contract')
  }
})

t.test('an SOS from a pendant whose clock reset to 1970 (or reads year 0000) is taken and flagged, window or not', async t => {
  for (const ts of [0, 86_400_000, '1970-01-01T00:00:00Z', '0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-05:00']) {
    for (const window of [clockWindow, null]) {
      const result = classify('alarm', { id: `sos-${String(ts)}`, ts, type: 'sos' }, window)
      if (result.kind !== 'accepted') throw new Error(`rejected: ${JSON.stringify(result)}`)
      t.equal(result.envelope.occurredAt, receivedAt.toISOString(), `${String(ts)}, ${window ? 'with' : 'without'} a window: receipt time`)
      t.equal(result.envelope.source.clockSuspect, true)
      t.ok(alarmEnvelopeSchema.safeParse(JSON.parse(JSON.stringify(result.envelope))).success, 'valid for every consumer')
    }
  }
  t.match(classify('telemetry', { id: 't-1970', ts: 0, vitals: { heartRate: 70 } }, null), { kind: 'rejected', reason: 'invalid_payload' }, 'a reading from 1970 is not believed')
})

t.test('an SOS with a believable clock keeps its own time and no flag', async t => {
  const result = classify('alarm', { id: 'sos-2', ts: receivedAt.getTime() - 4000, type: 'sos' })
  if (result.kind !== 'accepted') throw new Error('rejected')
  t.equal(result.envelope.occurredAt, '2026-11-22T03:11:57.000Z')
  t.notOk('clockSuspect' in result.envelope.source)
})

t.test('without a clock window (the old call) nothing is judged by time', async t => {
  t.match(classify('telemetry', { id: 't1', ts: threeYearsAhead, vitals: { heartRate: 70 } }, null), { kind: 'accepted' })
})
