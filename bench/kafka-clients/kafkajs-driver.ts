import { createKafka } from '../../packages/kafka/src/client.ts'
import { createProducer, toKafkaMessage, type OutgoingRecord } from '../../packages/kafka/src/producer.ts'
import { createLogger } from '@anxin/logging'
import type { Driver } from './driver.ts'

/** kafkajs exactly as the platform configures it (packages/kafka): idempotent, acks=all, murmur2 by key, no compression. */
export async function connect(brokers: string[]): Promise<Driver> {
  const kafka = createKafka({ brokers, clientId: 'bench-kafkajs', logger: createLogger({ service: 'bench', level: 'warn', destination: process.stderr }) })
  // Ingestion gives each lane its own producer; so does the bench.
  const [telemetry, urgent] = [await createProducer(kafka), await createProducer(kafka)]
  const messages = (records: OutgoingRecord[]) => records.map(toKafkaMessage)
  return {
    // The telemetry batcher's write (services/ingestion/src/adapters/kafka-batcher.ts).
    sendBatch: async (topic, records) => void (await telemetry!.sendBatch({ topicMessages: [{ topic, messages: messages(records) }], acks: -1, timeout: 10000 })),
    // The urgent batcher with linger 0 writes each SOS on its own through the same call.
    sendOne: async (topic, record) => void (await urgent!.sendBatch({ topicMessages: [{ topic, messages: messages([record]) }], acks: -1, timeout: 10000 })),
    close: async () => {
      await telemetry!.disconnect()
      await urgent!.disconnect()
    },
  }
}
