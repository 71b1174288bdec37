import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import { UPLINK_CHANNELS, describeIssues, describeJsonError, uplinkSchemas } from '@anxin/contracts'
import { fuzzParameters, fuzzPayloadArb, validMessageArb } from '@anxin/testing'

const channelArb = fc.constantFrom(...UPLINK_CHANNELS)

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) }
  } catch (error) {
    return { ok: false, error }
  }
}

t.test('every message built by the contract\'s rules is accepted, and parsing is idempotent', async t => {
  fc.assert(
    fc.property(channelArb.chain(c => fc.tuple(fc.constant(c), validMessageArb(c))), ([channel, message]) => {
      const schema = uplinkSchemas[channel]
      const parsed = schema.safeParse(JSON.parse(JSON.stringify(message)))
      assert.ok(parsed.success, parsed.error && describeIssues(parsed.error))
      assert.deepEqual(schema.parse(parsed.data), parsed.data)
    }),
    fuzzParameters(600),
  )
  t.pass()
})

t.test('the schemas never throw on fuzzed input, and what they accept is accepted again', async t => {
  fc.assert(
    fc.property(channelArb.chain(c => fc.tuple(fc.constant(c), fuzzPayloadArb(c))), ([channel, payload]) => {
      const json = parseJson(payload.bytes)
      if (!json.ok) return
      const parsed = uplinkSchemas[channel].safeParse(json.value)
      if (parsed.success) assert.ok(uplinkSchemas[channel].safeParse(JSON.parse(JSON.stringify(parsed.data))).success)
      else assert.ok(describeIssues(parsed.error).length > 0)
    }),
    fuzzParameters(1200),
  )
  t.pass()
})

/** Inserts `member` as the first member of the object that `opening` (e.g. '"vitals":{') starts, if there is one. */
function insertFirstKey(text: string, opening: string, member: string): string {
  const at = text.indexOf(opening)
  if (at < 0) return insertFirstKey(text, '{', member)
  const after = at + opening.length
  return `${text.slice(0, after)}${member}${text[after] === '}' ? '' : ','}${text.slice(after)}`
}

t.test('prototype-pollution keys neither pollute nor pass through', async t => {
  const keys = fc.constantFrom('__proto__', 'constructor', 'prototype')
  fc.assert(
    fc.property(channelArb.chain(c => fc.tuple(fc.constant(c), validMessageArb(c))), keys, fc.constantFrom('', 'vitals', 'location', 'status', 'fall'), ([channel, message], key, at) => {
      const evil = `{${JSON.stringify(key)}:{"polluted":"yes","heartRate":999,"prototype":{"polluted":"yes"}}`
      const bytes = insertFirstKey(JSON.stringify(message), at ? `"${at}":{` : '{', evil.slice(1))
      const parsed = uplinkSchemas[channel].safeParse(JSON.parse(bytes))
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
      if (parsed.success) {
        assert.equal(Object.getPrototypeOf(parsed.data), Object.prototype)
        assert.ok(!JSON.stringify(parsed.data).includes('polluted'), 'the odd key is dropped')
      }
    }),
    fuzzParameters(500),
  )
  t.pass()
})

// Dead-letter details are read by operators and shipped to dashboards; health data must not reach them.
const marker = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ'), minLength: 10, maxLength: 16 }).map(s => `Zq${s}`)
const oddNumber = fc.integer({ min: 1000, max: 99999 }).map(n => n + 0.123457)

t.test('describeIssues names paths and expectations, never the values it was given', async t => {
  // Markers in every value position a schema looks at, and as keys, nested and at the top.
  const poisoned = fc.tuple(marker, oddNumber, fc.jsonValue({ maxDepth: 2 })).chain(([m, n, junk]) =>
    fc.tuple(
      fc.constant([m, n] as const),
      fc.constantFrom<unknown>(
        { id: m, ts: m, type: m, seq: n, battery: m, pressCount: n, vitals: { heartRate: n, spo2: m, [m]: n }, location: { lat: m, lon: n, source: m }, status: { rssi: n, worn: m }, fall: { impactG: m, confidence: n } },
        { id: `${m} with space`, ts: n, type: 'sos', location: { lat: n * 1000, lon: -n * 1000 } },
        { [m]: n, vitals: [m, n], location: [n], status: m, fall: n },
        [m, n, junk],
        m,
        n,
        { id: junk, ts: junk, vitals: junk, type: junk },
      ),
    ),
  )
  fc.assert(
    fc.property(channelArb, poisoned, (channel, [[m, n], value]) => {
      const parsed = uplinkSchemas[channel].safeParse(value)
      if (parsed.success) return
      const detail = describeIssues(parsed.error)
      assert.ok(!detail.includes(m), detail)
      assert.ok(!detail.includes(String(n)) && !detail.includes(String(Math.trunc(n * 1000))), detail)
    }),
    fuzzParameters(1000),
  )
  t.pass()
})

t.test('describeJsonError keeps the engine\'s wording but never the text it choked on', async t => {
  const broken = fc.tuple(marker, oddNumber, fc.nat(60)).chain(([m, n, cut]) =>
    fc.tuple(
      fc.constant([m, n] as const),
      fc.constantFrom(
        `hr=${n} name=${m}`,
        `${m}`,
        `{"name": "${m}", "heartRate": ${n}, x}`,
        `{"vitals": {"heartRate": ${n}}, "name": "${m}"}}`.slice(0, 25 + cut),
        `["${m}", ${n}] trailing`,
        `'${m}'`,
        `{"a": ${n}}${m}`,
        `{"a": "${m}"} "${m}"`,
      ),
    ),
  )
  fc.assert(
    fc.property(broken, ([[m, n], text]) => {
      const json = parseJson(Buffer.from(text))
      if (json.ok) return
      const detail = describeJsonError(json.error)
      assert.match(detail, /^not valid JSON/)
      assert.ok(!detail.includes(m) && !detail.includes(String(n)) && !detail.includes(String(Math.trunc(n))), detail)
    }),
    fuzzParameters(500),
  )
  t.equal(describeJsonError(new SyntaxError('Unexpected end of JSON input')), 'not valid JSON: Unexpected end of JSON input')
  t.equal(describeJsonError('not an error'), 'not valid JSON')
})
