import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import { DEAD_LETTER_REASONS, deadLetterSchema } from '@anxin/contracts'
import { buildDeadLetter, type DeadLetterInput } from '@anxin/kafka'
import { fuzzParameters, randomPayloadArb } from '@anxin/testing'

const originArb: fc.Arbitrary<DeadLetterInput['origin']> = fc.oneof(
  fc.record({ kind: fc.constant('mqtt' as const), topic: fc.string({ unit: 'binary', maxLength: 120 }) }, { noNullPrototype: true }),
  fc.record({
    kind: fc.constant('kafka' as const),
    topic: fc.string({ maxLength: 60 }),
    partition: fc.integer({ min: 0, max: 1000 }),
    offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
    consumerGroup: fc.string({ maxLength: 60 }),
  }, { noNullPrototype: true }),
)

const inputArb: fc.Arbitrary<DeadLetterInput> = fc.record(
  {
    reason: fc.constantFrom(...DEAD_LETTER_REASONS),
    detail: fc.string({ unit: 'binary', maxLength: 3000 }),
    origin: originArb,
    deviceId: fc.option(fc.string({ unit: 'binary', maxLength: 70 })),
    payload: fc.oneof(fc.uint8Array({ maxLength: 2000 }).map(b => Buffer.from(b)), randomPayloadArb.map(p => p.bytes)),
    // A receipt time is taken from the clock; the ISO form the contract asks for covers years 0000-9999.
    receivedAt: fc.option(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), { nil: undefined }),
  },
  { requiredKeys: ['reason', 'detail', 'origin', 'deviceId', 'payload'], noNullPrototype: true },
)

t.test('buildDeadLetter always yields a dead letter the contract accepts, holding the original bytes whole', async t => {
  fc.assert(
    fc.property(inputArb, input => {
      const letter = buildDeadLetter(input)
      // Through JSON, as it travels on Kafka.
      const checked = deadLetterSchema.safeParse(JSON.parse(JSON.stringify(letter)))
      assert.ok(checked.success, checked.error?.message)
      assert.deepEqual(Buffer.from(checked.data.payloadBase64, 'base64'), input.payload)
      assert.equal(checked.data.payloadBytes, input.payload.length)
      assert.equal(checked.data.reason, input.reason)
      assert.ok(checked.data.detail.length <= 2000)
      assert.ok(input.detail.startsWith(letter.detail), 'the detail is only ever shortened')
      assert.deepEqual(checked.data.origin, input.origin)
    }),
    fuzzParameters(1000),
  )
  t.pass()
})

t.test('every dead letter has an id of its own', async t => {
  fc.assert(
    fc.property(fc.array(inputArb, { minLength: 2, maxLength: 20 }), inputs => {
      const ids = inputs.map(i => buildDeadLetter(i).deadLetterId)
      assert.equal(new Set(ids).size, ids.length)
    }),
    fuzzParameters(100),
  )
  t.pass()
})
