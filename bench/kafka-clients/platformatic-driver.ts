import { compatibilityPartitioner, Producer, ProduceAcks, stringSerializers, type MessageToProduce } from '@platformatic/kafka'
import type { OutgoingRecord } from '../../packages/kafka/src/producer.ts'
import type { Driver } from './driver.ts'

type Message = MessageToProduce<string, string, string, string>

/**
 * @platformatic/kafka set up as kafkajs is in packages/kafka: idempotent (which implies one request in flight),
 * acks=all, no compression, and the Java-compatible murmur2 partitioner (the same partition for a key as
 * kafkajs's DefaultPartitioner), so per-device order and placement are unchanged.
 */
function producer(clientId: string, brokers: string[]) {
  return new Producer({
    clientId,
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: 'none',
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    timeout: 10000,
    retries: Number.MAX_SAFE_INTEGER,
    retryDelay: 250,
  })
}

function toMessage(topic: string, record: OutgoingRecord): Message {
  return { topic, key: record.key, value: JSON.stringify(record.value), headers: record.headers ?? {} }
}

export async function connect(brokers: string[]): Promise<Driver> {
  const telemetry = producer('bench-platformatic-telemetry', brokers)
  const urgent = producer('bench-platformatic-urgent', brokers)
  return {
    sendBatch: async (topic, records) => void (await telemetry.send({ messages: records.map(r => toMessage(topic, r)) })),
    sendOne: async (topic, record) => void (await urgent.send({ messages: [toMessage(topic, record)] })),
    close: async () => {
      await telemetry.close()
      await urgent.close()
    },
  }
}
