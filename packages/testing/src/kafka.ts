import { declaredKafkaTopicsWithSuffix, kafkaTopicNames, type KafkaTopicNames } from '@anxin/contracts'
import { createKafka, ensureTopics, type Kafka } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import type { TestStack } from './stack.ts'
import { uniqueId } from './names.ts'
import type { Teardown } from './teardown.ts'

export type TestTopics = { kafka: Kafka; suffix: string; names: KafkaTopicNames }

/** Every declared topic, created under a suffix of this test's own and deleted when it ends. */
export async function testTopics(t: Teardown, stack: TestStack, logger: Logger): Promise<TestTopics> {
  const suffix = `.${uniqueId()}`
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: `test${suffix}`, logger })
  const admin = kafka.admin()
  const names = kafkaTopicNames(suffix)
  t.teardown(async () => {
    await admin.deleteTopics({ topics: Object.values(names) }).catch(() => {})
    await admin.disconnect()
  })
  await admin.connect()
  await ensureTopics(admin, declaredKafkaTopicsWithSuffix(suffix))
  return { kafka, suffix, names }
}
