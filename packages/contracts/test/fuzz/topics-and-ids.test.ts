import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import { z } from 'zod'
import { UPLINK_CHANNELS, deviceEventId, deviceIdSchema, mqttTopics, parseUplinkTopic } from '@anxin/contracts'
import { deviceIdArb, fuzzParameters, messageIdArb } from '@anxin/testing'

const channelArb = fc.constantFrom(...UPLINK_CHANNELS)

t.test('parseUplinkTopic reads back every topic the builder makes', async t => {
  fc.assert(
    fc.property(deviceIdArb, channelArb, (deviceId, channel) => {
      assert.deepEqual(parseUplinkTopic(mqttTopics.uplink(deviceId, channel)), { deviceId, channel })
    }),
    fuzzParameters(1000),
  )
  t.pass()
})

t.test('parseUplinkTopic never throws, and whatever it accepts is exactly a topic the builder would make', async t => {
  const segment = fc.oneof(fc.constantFrom('anxin', 'v1', 'dev', 'up', 'down', 'ack', '+', '#', '', ...UPLINK_CHANNELS), fc.string({ unit: 'binary', maxLength: 12 }))
  const topicArb = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.array(segment, { maxLength: 9 }).map(parts => parts.join('/')),
    // A real topic with one segment replaced, dropped or added.
    fc.tuple(deviceIdArb, channelArb, fc.nat(5), segment, fc.constantFrom('replace', 'drop', 'add')).map(([deviceId, channel, at, other, how]) => {
      const parts = mqttTopics.uplink(deviceId, channel).split('/')
      if (how === 'replace') parts[at] = other
      else if (how === 'drop') parts.splice(at, 1)
      else parts.splice(at, 0, other)
      return parts.join('/')
    }),
  )
  fc.assert(
    fc.property(topicArb, topic => {
      const parsed = parseUplinkTopic(topic)
      if (parsed) assert.equal(mqttTopics.uplink(parsed.deviceId, parsed.channel), topic)
    }),
    fuzzParameters(3000),
  )
  t.pass()
})

t.test('downlink, subscription and foreign topics are not uplinks', async t => {
  fc.assert(
    fc.property(deviceIdArb, channelArb, (deviceId, channel) => {
      assert.equal(parseUplinkTopic(mqttTopics.ack(deviceId)), null)
      assert.equal(parseUplinkTopic(`anxin/v2/dev/${deviceId}/up/${channel}`), null)
      assert.equal(parseUplinkTopic(`${mqttTopics.uplink(deviceId, channel)}/`), null)
      assert.equal(parseUplinkTopic(`/${mqttTopics.uplink(deviceId, channel)}`), null)
      assert.equal(parseUplinkTopic(mqttTopics.uplink('', channel)), null)
    }),
    fuzzParameters(300),
  )
  t.pass()
})

t.test('device ids never hold topic separators or wildcards', async t => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), candidate => {
      if (deviceIdSchema.safeParse(candidate).success) assert.ok(!/[/+#\s]/.test(candidate) && candidate.length >= 3 && candidate.length <= 64)
    }),
    fuzzParameters(2000),
  )
  fc.assert(fc.property(deviceIdArb, id => deviceIdSchema.safeParse(id).success), fuzzParameters(500))
  t.pass()
})

t.test('deviceEventId is a deterministic version 5 UUID that tells different messages apart', async t => {
  const uuid = z.uuid()
  fc.assert(
    fc.property(deviceIdArb, messageIdArb, deviceIdArb, messageIdArb, (deviceA, messageA, deviceB, messageB) => {
      const id = deviceEventId(deviceA, messageA)
      assert.ok(uuid.safeParse(id).success, id)
      assert.equal(id[14], '5')
      assert.equal(deviceEventId(deviceA, messageA), id)
      if (deviceA !== deviceB || messageA !== messageB) assert.notEqual(deviceEventId(deviceB, messageB), id)
    }),
    fuzzParameters(1000),
  )
  t.pass()
})
