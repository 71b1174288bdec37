import Fastify, { type FastifyInstance } from 'fastify'
import type pg from 'pg'
import { deviceEnvelopeSchema, kafkaTopicNames, type DeviceEnvelope } from '@anxin/contracts'
import { assertTopicsExist, createProducer, runConsumer, type Kafka, type Producer, type RunningConsumer } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { toTimeSeriesRows } from './domain/time-series-rows.ts'
import { createRecorderMetrics, type RecorderMetrics } from './adapters/metrics.ts'
import { writeTimeSeries } from './adapters/time-series-writer.ts'
import { registerHealthRoutes } from '@anxin/service-kit'
import type { RecorderConfig } from './config.ts'

export type RecorderDeps = { pool: pg.Pool; kafka: Kafka; logger: Logger }
export type RecorderService = { http: FastifyInstance; metrics: RecorderMetrics; start: () => Promise<void>; stop: () => Promise<void> }

/** Stores every device envelope in the time-series tables; commits Kafka offsets only after the insert. */
export function buildRecorder(deps: RecorderDeps, config: RecorderConfig): RecorderService {
  const metrics = createRecorderMetrics()
  const topics = kafkaTopicNames(config.KAFKA_TOPIC_SUFFIX)
  const sources = [topics.deviceTelemetry, topics.deviceEvent, topics.deviceAlarm]
  let consumer: RunningConsumer | null = null
  let deadLetterProducer: Producer | null = null
  let consuming = false

  const http = Fastify({ logger: false })
  registerHealthRoutes(http, { metrics: metrics.registry, ready: () => ({ kafka: consuming }) })

  async function handle(messages: Array<{ value: DeviceEnvelope }>): Promise<void> {
    const written = await writeTimeSeries(deps.pool, toTimeSeriesRows(messages.map(m => m.value)))
    for (const [table, count] of Object.entries(written)) if (count > 0) metrics.rows.inc({ table }, count)
  }

  return {
    http,
    metrics,
    start: async () => {
      await assertTopicsExist(deps.kafka, [...sources, topics.deadLetter])
      deadLetterProducer = await createProducer(deps.kafka)
      consumer = await runConsumer({
        kafka: deps.kafka,
        groupId: config.RECORDER_GROUP_ID,
        topics: sources,
        deadLetterTopic: topics.deadLetter,
        schema: deviceEnvelopeSchema,
        handle,
        deadLetterProducer,
        logger: deps.logger,
        onProcessed: (count, topic) => metrics.consumed.inc({ topic }, count),
        onDeadLetter: reason => metrics.deadLetters.inc({ reason }),
      })
      consuming = true
      deps.logger.info({ topics: sources }, 'recorder started')
    },
    stop: async () => {
      consuming = false
      await consumer?.stop()
      await deadLetterProducer?.disconnect()
      await http.close()
    },
  }
}
