import t from 'tap'
import { z } from 'zod'
import { deadLetterSchema } from '@anxin/contracts'
import { permanentError, transientError } from '@anxin/errors'
import { readTopic, testLogger, testStack, testTopics, uniqueId, waitUntil } from '@anxin/testing'
import { createProducer, publish, runConsumer } from '../src/index.ts'

const schema = z.object({ n: z.number().int() })

t.test('a transient failure is retried until it succeeds, and only then committed', async t => {
  const stack = await testStack()
  const { logger } = testLogger()
  const topics = await testTopics(t, stack, logger)
  const producer = await createProducer(topics.kafka)
  t.teardown(() => producer.disconnect())
  const topic = topics.names.deviceEvent
  await publish(producer, topic, [1, 2, 3].map(n => ({ key: 'k', value: { n } })))

  let failuresLeft = 3
  const handled: number[] = []
  const groupId = uniqueId('g')
  const consumer = await runConsumer({
    kafka: topics.kafka, groupId, topics: [topic], schema, logger,
    deadLetterProducer: producer, deadLetterTopic: topics.names.deadLetter,
    handle: async messages => {
      if (failuresLeft-- > 0) throw transientError('database_unavailable', 'down for a moment')
      handled.push(...messages.map(m => m.value.n))
    },
  })
  t.ok(await waitUntil(() => handled.length === 3, 20000), 'processed after the retries')
  t.same(handled, [1, 2, 3], 'in order, nothing skipped')
  await consumer.stop()

  // A new member of the same group starts after the committed offset: nothing is processed twice.
  const again: number[] = []
  const second = await runConsumer({
    kafka: topics.kafka, groupId, topics: [topic], schema, logger,
    deadLetterProducer: producer, deadLetterTopic: topics.names.deadLetter,
    handle: async messages => void again.push(...messages.map(m => m.value.n)),
  })
  await publish(producer, topic, [{ key: 'k', value: { n: 4 } }])
  t.ok(await waitUntil(() => again.length >= 1, 20000))
  t.same(again, [4])
  await second.stop()
})

t.test('a permanent failure dead-letters only the poison message; invalid messages never reach the handler', async t => {
  const stack = await testStack()
  const { logger } = testLogger()
  const topics = await testTopics(t, stack, logger)
  const producer = await createProducer(topics.kafka)
  t.teardown(() => producer.disconnect())
  const topic = topics.names.deviceEvent
  await publish(producer, topic, [{ key: 'k', value: { n: 1 } }, { key: 'k', value: { n: 13 } }, { key: 'k', value: { n: 'x' } }, { key: 'k', value: { n: 2 } }])

  const handled: number[] = []
  const consumer = await runConsumer({
    kafka: topics.kafka, groupId: uniqueId('g'), topics: [topic], schema, logger,
    deadLetterProducer: producer, deadLetterTopic: topics.names.deadLetter,
    handle: async messages => {
      if (messages.some(m => m.value.n === 13)) throw permanentError('row_rejected', 'thirteen is refused')
      handled.push(...messages.map(m => m.value.n))
    },
  })
  t.teardown(() => consumer.stop())
  t.ok(await waitUntil(() => handled.length === 2, 20000))
  t.same(handled.sort(), [1, 2])
  const letters = (await readTopic(topics.kafka, topics.names.deadLetter, { until: m => m.length >= 2 })).map(l => deadLetterSchema.parse(JSON.parse(l.value)))
  t.same(letters.map(l => l.reason).sort(), ['invalid_payload', 'processing_failed'])
  const poison = letters.find(l => l.reason === 'processing_failed')!
  t.match(poison.detail, /row_rejected: thirteen is refused/)
  t.same(JSON.parse(Buffer.from(poison.payloadBase64, 'base64').toString()), { n: 13 }, 'the original message is kept')
  t.equal(poison.origin.kind, 'kafka')
})

t.test('a slow handler on a long batch commits and heartbeats between chunks, so it keeps its place in the group', async t => {
  const stack = await testStack()
  const { logger } = testLogger()
  const topics = await testTopics(t, stack, logger)
  const producer = await createProducer(topics.kafka)
  t.teardown(() => producer.disconnect())
  const topic = topics.names.deviceEvent
  // 120 messages at 60 ms each take 7.2 s: longer than the 6 s session if handled as one batch.
  await publish(producer, topic, Array.from({ length: 120 }, (_, n) => ({ key: 'one-partition', value: { n } })))
  const handled: number[] = []
  const consumer = await runConsumer({
    kafka: topics.kafka, groupId: uniqueId('g'), topics: [topic], schema, logger, sessionTimeoutMs: 6000, maxMessagesPerHandle: 10,
    deadLetterProducer: producer, deadLetterTopic: topics.names.deadLetter,
    handle: async messages => {
      t.ok(messages.length <= 10, 'at most one chunk per call')
      for (const m of messages) {
        await new Promise(resolve => setTimeout(resolve, 60))
        handled.push(m.value.n)
      }
    },
  })
  t.teardown(() => consumer.stop())
  t.ok(await waitUntil(() => handled.length >= 120, 30000), 'every message handled')
  t.same(handled, Array.from({ length: 120 }, (_, n) => n), 'once each, in order: the member was never thrown out mid-batch')
  t.ok(consumer.healthy(), 'and the consumer is healthy')
})
