import fc from 'fast-check'
import { ALARM_TYPES, DEVICE_EVENT_TYPES, MAX_UPLINK_BYTES, type UplinkChannel } from '@anxin/contracts'

/**
 * fast-check generators of what a device might publish: valid messages built from the contract's rules, and
 * the ways real firmware, radios and attackers break them (random bytes, random JSON, mutations of valid
 * messages). Shared by the parser property tests and the end-to-end ingestion fuzz run.
 */

/** The epoch-millisecond range the contract accepts (2000-01-01 to 2100-01-01). */
export const DEVICE_TIME_RANGE = { min: 946684800000, max: 4102444800000 } as const

export type FuzzPayload = { bytes: Buffer; mutation: string }

const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map(code => String.fromCharCode(code))

/** A device message id as the contract allows it: 1-64 printable ASCII characters. */
export const messageIdArb: fc.Arbitrary<string> = fc.string({ unit: printableAscii, minLength: 1, maxLength: 64 })

/** A device id as the contract allows it (usable in topics and as a broker username). */
export const deviceIdArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'), minLength: 2, maxLength: 63 }),
  )
  .map(([first, rest]) => first + rest)

/** ISO 8601 with an offset ('Z' or +-hh:mm), written as the device's local time, as firmware does. */
function isoTimeArb(min: number, max: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min, max }), fc.integer({ min: -14 * 60, max: 14 * 60 }), fc.boolean()).map(([ms, offsetMinutes, withMillis]) => {
    const local = new Date(ms + offsetMinutes * 60000).toISOString().slice(0, withMillis ? 23 : 19)
    if (offsetMinutes === 0) return `${local}Z`
    const sign = offsetMinutes < 0 ? '-' : '+'
    const abs = Math.abs(offsetMinutes)
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  })
}

/** A device time between `min` and `max` (epoch ms), written as epoch milliseconds or as ISO 8601 with an offset. */
export function deviceTimeArb(min: number, max: number): fc.Arbitrary<number | string> {
  return fc.oneof(fc.integer({ min, max }), isoTimeArb(min, max))
}

/** Any device time the contract accepts as epoch milliseconds (2000-2100), in either form. */
export const deviceTimestampArb: fc.Arbitrary<number | string> = deviceTimeArb(DEVICE_TIME_RANGE.min, DEVICE_TIME_RANGE.max)

/** How generated messages are built; every part defaults to "anything the contract allows". */
export type MessageOptions = {
  id?: fc.Arbitrary<string>
  time?: fc.Arbitrary<number | string>
  /** Whether messages may carry a sequence number (ingestion checks those for replays). Default true. */
  seq?: boolean
}

const within = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true })

const vitalsArb = fc.record(
  {
    heartRate: fc.integer({ min: 20, max: 250 }),
    spo2: within(50, 100),
    systolic: fc.integer({ min: 50, max: 260 }),
    diastolic: fc.integer({ min: 30, max: 160 }),
    temperature: within(30, 43),
    glucose: within(1, 35),
    steps: fc.integer({ min: 0, max: 200000 }),
  },
  { requiredKeys: [] },
)

const locationArb = fc.record(
  {
    lat: within(-90, 90),
    lon: within(-180, 180),
    accuracyM: within(0, 100000),
    source: fc.constantFrom('gps', 'wifi', 'cell', 'fixed'),
  },
  { requiredKeys: ['lat', 'lon'] },
)

const statusArb = fc.record(
  { battery: within(0, 100), charging: fc.boolean(), worn: fc.boolean(), rssi: fc.integer({ min: -150, max: 0 }) },
  { requiredKeys: [] },
)

/** Keys a newer firmware might add; the contract drops unknown keys rather than refusing the message. */
const unknownExtras = fc.dictionary(
  fc.constantFrom('fw', 'model', 'extra', 'hwRev', 'note'),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 2 },
)

function header(options: MessageOptions) {
  const id = options.id ?? messageIdArb
  const ts = options.time ?? deviceTimestampArb
  if (options.seq === false) return fc.record({ id, ts })
  return fc.record({ id, seq: fc.nat(), ts }, { requiredKeys: ['id', 'ts'] })
}

export function validTelemetryArb(options: MessageOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(header(options), fc.record({ vitals: vitalsArb, location: locationArb, status: statusArb }, { requiredKeys: [] }), unknownExtras)
    .filter(([, body]) => Object.keys(body).length > 0)
    .map(([h, body, extras]) => ({ ...extras, ...h, ...body }))
}

export function validEventArb(options: MessageOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(header(options), fc.record({ type: fc.constantFrom(...DEVICE_EVENT_TYPES), battery: within(0, 100) }, { requiredKeys: ['type'] }), unknownExtras)
    .map(([h, body, extras]) => ({ ...extras, ...h, ...body }))
}

export function validAlarmArb(options: MessageOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const fall = fc.record({ impactG: within(0, 50), confidence: within(0, 1) }, { requiredKeys: [] })
  const body = fc.record(
    { type: fc.constantFrom(...ALARM_TYPES), location: locationArb, pressCount: fc.integer({ min: 1, max: 1000 }), fall },
    { requiredKeys: ['type'] },
  )
  return fc.tuple(header(options), body, unknownExtras).map(([h, b, extras]) => ({ ...extras, ...h, ...b }))
}

/** A message the contract must accept on `channel`, as a plain object. */
export function validMessageArb(channel: UplinkChannel, options: MessageOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  if (channel === 'telemetry') return validTelemetryArb(options)
  if (channel === 'event') return validEventArb(options)
  return validAlarmArb(options)
}

// ---------------------------------------------------------------------------------------------------------
// Mutations of a valid message. Each yields the bytes a device would publish and a label for the report.
// ---------------------------------------------------------------------------------------------------------

/** Values of the wrong type, including numbers written as strings and numbers JSON cannot hold. */
const wrongTypeText = fc.constantFrom(
  'null', 'true', '"NaN"', '"Infinity"', '"-0"', '"1e309"', '"0x1F"', '"80"', '1e309', '-1e309', '1e308', '-0',
  '123456789012345678901234567890', '0.1e-400', '[]', '{}', '[1,2,3]', '{"value":80}', '""', '"\\u0000"', '9007199254740993',
)

const pollutionKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf')

/** A JSON text nested `depth` levels deep, in arrays or objects. */
function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

/** Replaces the JSON value of top-level key `key` in `json` with raw text `value`. */
function withRawValue(message: Record<string, unknown>, key: string, value: string): string {
  const marker = '\u0001raw value goes here\u0001'
  return JSON.stringify({ ...message, [key]: marker }).replace(JSON.stringify(marker), () => value)
}

function objectMutation(message: Record<string, unknown>): fc.Arbitrary<FuzzPayload> {
  const keys = Object.keys(message)
  const anyKey = fc.constantFrom(...keys, 'vitals', 'location', 'type', 'id', 'ts')
  const text = (s: string) => Buffer.from(s, 'utf8')
  return fc.oneof(
    fc.constantFrom(...keys).map(key => {
      const { [key]: _dropped, ...rest } = message
      return { bytes: text(JSON.stringify(rest)), mutation: `delete key ${key}` }
    }),
    fc.tuple(anyKey, wrongTypeText).map(([key, value]) => ({ bytes: text(withRawValue(message, key, value)), mutation: `type swap ${key}=${value}` })),
    fc.tuple(anyKey, fc.jsonValue({ maxDepth: 3 })).map(([key, value]) => ({ bytes: text(JSON.stringify({ ...message, [key]: value })), mutation: `random value for ${key}` })),
    fc.tuple(anyKey, fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => ({
      // JSON.parse keeps the last of duplicate keys; the first one here is the odd one.
      bytes: text(`{${JSON.stringify(key)}:${JSON.stringify(value)},${JSON.stringify(message).slice(1)}`),
      mutation: `duplicate key ${key}`,
    })),
    fc.tuple(anyKey, fc.integer({ min: 1, max: 3000 }), fc.constantFrom('array' as const, 'object' as const)).map(([key, depth, kind]) => ({
      bytes: text(withRawValue(message, key, nested(depth, kind))),
      mutation: `${kind} nested ${depth} deep at ${key}`,
    })),
    fc.tuple(pollutionKeys, fc.constantFrom('', 'vitals', 'location', 'fall', 'status'), fc.jsonValue({ maxDepth: 2 })).map(([key, at, value]) => {
      const inner = `${JSON.stringify(key)}:${JSON.stringify({ heartRate: 999, polluted: true, value })}`
      const base = JSON.stringify(at ? { ...message, [at]: {} } : message)
      const bytes = at ? base.replace(`${JSON.stringify(at)}:{}`, `${JSON.stringify(at)}:{${inner}}`) : `{${inner},${base.slice(1)}`
      return { bytes: text(bytes), mutation: `prototype key ${key} at ${at || '(root)'}` }
    }),
    fc.integer({ min: 0, max: MAX_UPLINK_BYTES.telemetry + 2048 }).map(padding => ({
      bytes: text(JSON.stringify({ ...message, pad: 'x'.repeat(padding) })),
      mutation: `padded by ${padding}`,
    })),
    fc.integer({ min: 0, max: 400 }).map(spaces => ({
      bytes: text(`${' '.repeat(spaces)}${JSON.stringify(message, null, spaces % 5)}${'\n'.repeat(spaces % 3)}`),
      mutation: `whitespace ${spaces}`,
    })),
  )
}

function byteMutation(bytes: Buffer): fc.Arbitrary<FuzzPayload> {
  const position = fc.nat({ max: Math.max(0, bytes.length - 1) })
  return fc.oneof(
    fc.array(fc.tuple(position, fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map(flips => {
      const copy = Buffer.from(bytes)
      for (const [at, bit] of flips) copy[at] = copy[at]! ^ (1 << bit)
      return { bytes: copy, mutation: `${flips.length} bit flips` }
    }),
    position.map(at => ({ bytes: bytes.subarray(0, at), mutation: `truncated to ${at} bytes` })),
    fc.tuple(position, fc.integer({ min: 1, max: 40 })).map(([at, n]) => ({
      bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + n)]),
      mutation: `deleted ${n} bytes at ${at}`,
    })),
    fc.tuple(position, fc.integer({ min: 1, max: 40 })).map(([at, n]) => ({
      bytes: Buffer.concat([bytes.subarray(0, at + n), bytes.subarray(at)]),
      mutation: `duplicated ${n} bytes at ${at}`,
    })),
    fc.tuple(position, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, inserted]) => ({
      bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(inserted), bytes.subarray(at)]),
      mutation: `inserted ${inserted.length} random bytes at ${at}`,
    })),
  )
}

/** A valid message for `channel`, broken in one of many ways (it may, by chance, still be valid). */
export function mutatedPayloadArb(channel: UplinkChannel, options: MessageOptions = {}): fc.Arbitrary<FuzzPayload> {
  return validMessageArb(channel, options).chain(message =>
    fc.oneof(objectMutation(message), byteMutation(Buffer.from(JSON.stringify(message), 'utf8'))),
  )
}

/** Bytes with no relation to the contract: random binary, random (unicode) JSON, random text. */
export const randomPayloadArb: fc.Arbitrary<FuzzPayload> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map(bytes => ({ bytes: Buffer.from(bytes), mutation: 'random bytes' })),
  fc.json({ stringUnit: 'grapheme', maxDepth: 4 }).map(json => ({ bytes: Buffer.from(json, 'utf8'), mutation: 'random unicode JSON' })),
  fc.json({ stringUnit: 'binary', maxDepth: 3 }).map(json => ({ bytes: Buffer.from(json, 'utf8'), mutation: 'random binary-string JSON' })),
  fc.string({ unit: 'binary', maxLength: 200 }).map(s => ({ bytes: Buffer.from(s, 'utf8'), mutation: 'random text' })),
  fc.constantFrom('', 'null', '0', '[]', '{}', '""', 'true', '{"id":null}', '\uFEFF{}', '{"id":"x"}').map(s => ({ bytes: Buffer.from(s, 'utf8'), mutation: `edge case ${JSON.stringify(s)}` })),
)

/** A valid message as the device would publish it. */
export function validPayloadArb(channel: UplinkChannel, options: MessageOptions = {}): fc.Arbitrary<FuzzPayload> {
  return validMessageArb(channel, options).map(message => ({ bytes: Buffer.from(JSON.stringify(message), 'utf8'), mutation: 'valid' }))
}

/** The mix a fuzz run publishes: valid, mutated and random payloads for one channel. */
export function fuzzPayloadArb(channel: UplinkChannel, options: MessageOptions = {}): fc.Arbitrary<FuzzPayload> {
  return fc.oneof({ arbitrary: validPayloadArb(channel, options), weight: 2 }, { arbitrary: mutatedPayloadArb(channel, options), weight: 5 }, { arbitrary: randomPayloadArb, weight: 3 })
}
