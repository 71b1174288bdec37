import t from 'tap'
import { deviceEventId, MAX_UPLINK_BYTES } from '@anxin/contracts'
import { classifyUplink } from '../../src/domain/classify-uplink.ts'
import type { RegisteredDevice } from '../../src/domain/registered-device.ts'

const device: RegisteredDevice = { deviceId: 'W00000001', orgId: 'org-1', status: 'active', residentId: 'res-1' }
const receivedAt = new Date('2026-11-22T03:12:01.000Z')
const topic = 'anxin/v1/dev/W00000001/up/alarm'

function classify(payload: string | Buffer, overrides: Partial<Parameters<typeof classifyUplink>[0]> = {}) {
  return classifyUplink({
    topic,
    deviceId: 'W00000001',
    channel: 'alarm',
    payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
    device,
    receivedAt,
    ...overrides,
  })
}

t.test('an SOS becomes an envelope with a deterministic event id', async t => {
  const result = classify(JSON.stringify({ id: 'sos-7', seq: 7, ts: '2026-11-22T11:12:00+08:00', type: 'sos' }))
  if (result.kind !== 'accepted') throw new Error(`rejected: ${JSON.stringify(result)}`)
  const e = result.envelope
  t.equal(e.eventId, deviceEventId('W00000001', 'sos-7'))
  t.equal(e.type, 'device.alarm')
  t.equal(e.residentId, 'res-1')
  t.equal(e.orgId, 'org-1')
  t.equal(e.occurredAt, '2026-11-22T03:12:00.000Z')
  t.equal(e.receivedAt, '2026-11-22T03:12:01.000Z')
  t.same(e.source, { mqttTopic: topic, messageId: 'sos-7', seq: 7 })
})

t.test('each kind of bad input gets its own reason', async t => {
  const valid = JSON.stringify({ id: 's', ts: Date.now(), type: 'sos' })
  const cases: Array<[string, ReturnType<typeof classify>, string]> = [
    ['malformed JSON', classify('{"id": '), 'malformed_json'],
    ['wrong types', classify(JSON.stringify({ id: 's', ts: Date.now(), type: 7 })), 'invalid_payload'],
    ['oversized', classify(Buffer.alloc(MAX_UPLINK_BYTES.alarm + 1, 0x20)), 'oversized'],
    ['unknown device', classify(valid, { device: null }), 'unknown_device'],
    ['revoked device', classify(valid, { device: { ...device, status: 'revoked' } }), 'revoked_device'],
    ['unbound device', classify(valid, { device: { ...device, residentId: null } }), 'unbound_device'],
  ]
  for (const [name, result, reason] of cases) {
    t.equal(result.kind, 'rejected', name)
    if (result.kind === 'rejected') {
      t.equal(result.reason, reason, name)
      t.ok(result.detail.length > 0, `${name} explains why`)
    }
  }
})

t.test('a rejection keeps the device message id when there is one, so the device can be answered', async t => {
  const result = classify(JSON.stringify({ id: 'sos-9', ts: Date.now(), type: 'panic' }))
  t.equal(result.kind, 'rejected')
  if (result.kind === 'rejected') {
    t.equal(result.messageId, 'sos-9')
    t.match(result.detail, /type/)
  }
})

t.test('validation detail names fields, never echoes values', async t => {
  const result = classify(JSON.stringify({ id: 't', ts: Date.now(), vitals: { heartRate: 999 } }), {
    channel: 'telemetry',
    topic: 'anxin/v1/dev/W00000001/up/telemetry',
  })
  t.equal(result.kind, 'rejected')
  if (result.kind === 'rejected') {
    t.match(result.detail, /vitals\.heartRate/)
    t.notMatch(result.detail, /999/)
  }
})
