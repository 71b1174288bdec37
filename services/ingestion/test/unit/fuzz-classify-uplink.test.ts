import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import {
  DEAD_LETTER_REASONS,
  MAX_UPLINK_BYTES,
  UPLINK_CHANNELS,
  deviceAckSchema,
  deviceEnvelopeSchema,
  deviceEventId,
  deviceMessageIdSchema,
  mqttTopics,
  uplinkSchemas,
  type UplinkChannel,
} from '@anxin/contracts'
import {
  deviceIdArb,
  fuzzParameters,
  fuzzPayloadArb,
  mutatedPayloadArb,
  randomPayloadArb,
  validMessageArb,
} from '@anxin/testing'
import { classifyUplink } from '../../src/domain/classify-uplink.ts'
import { acceptedAck, rejectedAck } from '../../src/domain/device-ack.ts'
import type { ClockWindow } from '../../src/domain/device-clock.ts'
import type { RegisteredDevice } from '../../src/domain/registered-device.ts'

const receivedAt = new Date('2026-11-22T03:12:01.000Z')
const channelArb = fc.constantFrom(...UPLINK_CHANNELS)

type DeviceState = 'missing' | 'revoked' | 'unbound' | 'active'
const deviceStateArb = fc.constantFrom<DeviceState>('missing', 'revoked', 'unbound', 'active')

function registered(deviceId: string, state: DeviceState): RegisteredDevice | null {
  if (state === 'missing') return null
  return { deviceId, orgId: 'org-1', status: state === 'revoked' ? 'revoked' : 'active', residentId: state === 'unbound' ? null : 'res-1' }
}

function classify(deviceId: string, channel: UplinkChannel, payload: Buffer, state: DeviceState = 'active', topic = mqttTopics.uplink(deviceId, channel), clockWindow?: ClockWindow) {
  return classifyUplink({ topic, deviceId, channel, payload, device: registered(deviceId, state), receivedAt, clockWindow })
}

/** No window (the pure contract), a tight one that refuses most generated times, or the service's default. */
const clockWindowArb = fc.constantFrom<ClockWindow | undefined>(undefined, { maxAheadMs: 1000, maxBehindMs: 1000 }, { maxAheadMs: 15 * 60000, maxBehindMs: 7 * 86400000 })

const anyPayloadArb = channelArb.chain(channel => fc.tuple(fc.constant(channel), fuzzPayloadArb(channel)))

t.test('never throws, whatever the bytes, topic, device id or device state; every rejection has a known reason and says why', async t => {
  fc.assert(
    fc.property(anyPayloadArb, fc.oneof(deviceIdArb, fc.string({ unit: 'binary', maxLength: 80 })), fc.string({ unit: 'binary', maxLength: 120 }), deviceStateArb, clockWindowArb, ([channel, payload], deviceId, topic, state, window) => {
      const result = classify(deviceId, channel, payload.bytes, state, topic, window)
      if (result.kind === 'accepted') return result.channel === channel && state === 'active'
      return (
        (DEAD_LETTER_REASONS as readonly string[]).includes(result.reason) &&
        typeof result.detail === 'string' &&
        result.detail.trim().length > 0 &&
        (result.messageId === null || (typeof result.messageId === 'string' && result.messageId.length <= 64))
      )
    }),
    fuzzParameters(3000),
  )
  t.pass('3000 arbitrary inputs classified without an exception')
})

t.test('the device check comes after parsing and before validation: a non-active device is refused for any parseable payload', async t => {
  const expected: Record<Exclude<DeviceState, 'active'>, string> = { missing: 'unknown_device', revoked: 'revoked_device', unbound: 'unbound_device' }
  fc.assert(
    fc.property(channelArb.chain(c => fc.tuple(fc.constant(c), fuzzPayloadArb(c))), deviceIdArb, fc.constantFrom<Exclude<DeviceState, 'active'>>('missing', 'revoked', 'unbound'), ([channel, payload], deviceId, state) => {
      const result = classify(deviceId, channel, payload.bytes, state)
      if (result.kind !== 'rejected') return false
      if (payload.bytes.length > MAX_UPLINK_BYTES[channel]) return result.reason === 'oversized'
      let parseable = true
      try {
        JSON.parse(payload.bytes.toString('utf8'))
      } catch {
        parseable = false
      }
      return result.reason === (parseable ? expected[state] : 'malformed_json')
    }),
    fuzzParameters(1500),
  )
  t.pass()
})

t.test('an oversized payload is refused as oversized before it is parsed, and nothing within the limit is', async t => {
  fc.assert(
    fc.property(channelArb, deviceIdArb, deviceStateArb, fc.integer({ min: 1, max: 4096 }), fc.constantFrom('valid', 'garbage'), (channel, deviceId, state, extra, kind) => {
      const limit = MAX_UPLINK_BYTES[channel]
      // Valid JSON padded past the limit, or bytes that would not even parse: both must be refused for size alone.
      const over = kind === 'valid' ? Buffer.from(JSON.stringify({ id: 'm', ts: Date.now(), type: 'sos', pad: 'x'.repeat(limit + extra) })) : Buffer.alloc(limit + extra, 0xff)
      const result = classify(deviceId, channel, over, state)
      const atLimit = classify(deviceId, channel, Buffer.alloc(limit, 0x20), state)
      return (
        result.kind === 'rejected' && result.reason === 'oversized' && result.detail.includes(String(limit)) &&
        atLimit.kind === 'rejected' && atLimit.reason !== 'oversized'
      )
    }),
    fuzzParameters(300),
  )
  t.pass()
})

t.test('every valid message is accepted into an envelope that satisfies the contract, with a deterministic event id', async t => {
  const validArb = channelArb.chain(channel => fc.tuple(fc.constant(channel), validMessageArb(channel)))
  fc.assert(
    fc.property(validArb, deviceIdArb, ([channel, message], deviceId) => {
      const bytes = Buffer.from(JSON.stringify(message))
      const first = classify(deviceId, channel, bytes)
      const again = classifyUplink({ topic: mqttTopics.uplink(deviceId, channel), deviceId, channel, payload: bytes, device: registered(deviceId, 'active'), receivedAt: new Date() })
      if (first.kind !== 'accepted' || again.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(first)}`)
      const envelope = first.envelope
      assert.equal(envelope.eventId, deviceEventId(deviceId, message.id as string))
      assert.equal(again.envelope.eventId, envelope.eventId, 'the same message always gets the same event id')
      assert.equal(envelope.type, `device.${channel}`)
      assert.equal(envelope.occurredAt, new Date(message.ts as string | number).toISOString())
      assert.deepEqual(envelope.source, { mqttTopic: mqttTopics.uplink(deviceId, channel), messageId: message.id, seq: message.seq ?? null })
      assert.deepEqual(envelope.payload, uplinkSchemas[channel].parse(JSON.parse(bytes.toString())), 'the payload is the validated message')
      const checked = deviceEnvelopeSchema.safeParse(JSON.parse(JSON.stringify(envelope)))
      assert.ok(checked.success, `envelope breaks its contract: ${checked.error?.message}`)
      if (channel === 'alarm') {
        assert.ok(deviceAckSchema.safeParse(acceptedAck(envelope.source.messageId, envelope.eventId, false, receivedAt)).success, 'its acknowledgement satisfies the contract')
      }
    }),
    fuzzParameters(400),
  )
  t.pass('400 valid messages accepted')
})

t.test('a refused urgent message with a valid message id gets an acknowledgement that satisfies the contract', async t => {
  fc.assert(
    fc.property(mutatedPayloadArb('alarm'), deviceIdArb, deviceStateArb, (payload, deviceId, state) => {
      const result = classify(deviceId, 'alarm', payload.bytes, state)
      if (result.kind !== 'rejected' || result.messageId === null || !deviceMessageIdSchema.safeParse(result.messageId).success) return true
      return deviceAckSchema.safeParse(rejectedAck(result.messageId, result.reason, receivedAt)).success
    }),
    fuzzParameters(800),
  )
  t.pass()
})

// Health data must not reach the dead-letter detail (dashboards, alerts and operators read it), whatever broke.
t.test('the rejection detail never repeats the payload\'s values', async t => {
  const secret = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ'), minLength: 10, maxLength: 16 }).map(s => `Zq${s}`)
  const oddNumber = fc.integer({ min: 1000, max: 99999 }).map(n => n + 0.123457)
  const carrier = fc.tuple(channelArb, secret, oddNumber, fc.nat(200)).chain(([channel, marker, number, cut]) =>
    fc.tuple(
      fc.constant({ channel, marker, number }),
      fc.constantFrom(
        // Values that are wrong for the schema, so validation reports on the fields that hold them.
        JSON.stringify({ id: marker, ts: marker, type: marker, vitals: { heartRate: number, spo2: marker }, location: { lat: marker, lon: number }, battery: number }),
        // Not JSON at all, or JSON broken right after the values: JSON.parse's own message quotes the text.
        `hr=${number} name=${marker}`,
        `${marker} ${number}`,
        `{"name": "${marker}", "heartRate": ${number}, x}`,
        `{"vitals": {"heartRate": ${number}}, "name": "${marker}"}}`.slice(0, 20 + cut),
        `["${marker}", ${number}] trailing ${marker}`,
      ),
    ),
  )
  fc.assert(
    fc.property(carrier, ([{ channel, marker, number }, text]) => {
      const result = classify('W00000001', channel, Buffer.from(text))
      if (result.kind !== 'rejected') return true
      return !result.detail.includes(marker) && !result.detail.includes(String(number)) && !result.detail.includes(String(Math.trunc(number)))
    }),
    fuzzParameters(600),
  )
  t.pass()
})

// Telemetry and events must carry a time between 2000 and 2100 (the contract) and inside the clock window; an
// alarm may carry any time a device can send (a pendant whose clock reset to 1970 still needs help), and one
// outside either is stamped with the receipt time: shifted to UTC, a year-0000 time is written '-000001-...',
// which the envelope's own datetime check would refuse, so the alarm would be dead-lettered by every consumer.
t.test('with the service\'s clock window, an accepted message has a valid envelope at any time the contract accepts', async t => {
  const offset = fc.constantFrom('Z', '+01:00', '-05:00', '+14:00', '-12:00', '+08:00')
  const anyIsoTime = fc
    .tuple(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), offset)
    .map(([date, zone]) => `${date.toISOString().slice(0, 19)}${zone}`)
  const edges = fc.constantFrom('0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-05:00', '0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z')
  const clockWindow = { maxAheadMs: 15 * 60000, maxBehindMs: 7 * 86400000 }
  fc.assert(
    fc.property(channelArb.chain(c => fc.tuple(fc.constant(c), validMessageArb(c, { time: fc.oneof(anyIsoTime, edges) }))), ([channel, message]) => {
      const result = classifyUplink({ topic: mqttTopics.uplink('W00000001', channel), deviceId: 'W00000001', channel, payload: Buffer.from(JSON.stringify(message)), device: registered('W00000001', 'active'), receivedAt, clockWindow })
      if (result.kind === 'rejected') {
        assert.ok(['timestamp_out_of_window', 'invalid_payload'].includes(result.reason), result.reason)
        assert.notEqual(channel, 'alarm', 'an alarm is never refused for its time')
        return
      }
      const checked = deviceEnvelopeSchema.safeParse(JSON.parse(JSON.stringify(result.envelope)))
      assert.ok(checked.success, checked.error?.message)
    }),
    fuzzParameters(500),
  )
  t.pass()
})

t.test('random payloads never pass for a device message by accident', async t => {
  fc.assert(
    fc.property(channelArb, randomPayloadArb, (channel, payload) => classify('W00000001', channel, payload.bytes).kind === 'rejected'),
    fuzzParameters(1000),
  )
  t.pass()
})
