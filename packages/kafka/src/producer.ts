import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs'

/**
 * A producer that waits for all in-sync replicas (acks=all) and is idempotent, so its own retries never
 * write a message twice. Each lane (urgent, telemetry) gets its own producer so neither queues behind the
 * other.
 */
export async function createProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Murmur2 on the key, as the Java client does: a device's messages always land in the same partition.
    createPartitioner: Partitioners.DefaultPartitioner,
    // An idempotent producer must not give up: a send resolves once Kafka has the batch, however long the
    // broker is away. Callers that need a deadline race the promise themselves.
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: Number.MAX_SAFE_INTEGER },
  })
  await producer.connect()
  return producer
}

export type OutgoingRecord = { key: string; value: unknown; headers?: Record<string, string> }

export function toKafkaMessage(record: OutgoingRecord): Message {
  return { key: record.key, value: JSON.stringify(record.value), headers: record.headers ?? {} }
}

/** Sends and resolves only when the brokers have durably acknowledged every message. */
export async function publish(producer: Producer, topic: string, records: OutgoingRecord[], timeoutMs = 10000): Promise<void> {
  if (records.length === 0) return
  await producer.send({ topic, acks: -1, timeout: timeoutMs, messages: records.map(toKafkaMessage) })
}
