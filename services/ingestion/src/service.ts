import Fastify, { type FastifyInstance } from 'fastify'
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import type pg from 'pg'
import { kafkaTopicNames } from '@anxin/contracts'
import { assertTopicsExist, createProducer, type Kafka, type Producer } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { DeviceRegistryCache } from './adapters/device-registry.ts'
import { KafkaBatcher } from './adapters/kafka-batcher.ts'
import { createIngestionMetrics, type IngestionMetrics } from './adapters/metrics.ts'
import { connectAckPublisher, startMqttIntake, type AckPublisher, type MqttIntake } from './adapters/mqtt-intake.ts'
import { DeviceRateLimiter } from './adapters/device-rate-limiter.ts'
import { SequenceTracker } from './adapters/sequence-tracker.ts'
import { createUplinkHandler } from './adapters/uplink-lanes.ts'
import { UrgentDedupe } from './adapters/urgent-dedupe.ts'
import { registerHealthRoutes } from '@anxin/service-kit'
import type { IngestionConfig } from './config.ts'

/** `now`: the clock receipt times are stamped with (tests play scenarios on an accelerated clock). */
export type IngestionDeps = { pool: pg.Pool; redis: Redis; kafka: Kafka; logger: Logger; now?: () => Date }

export type IngestionService = {
  http: FastifyInstance
  metrics: IngestionMetrics
  start: () => Promise<void>
  /** Stops intake first, then finishes the Kafka writes already accepted. The caller closes the clients it gave. */
  stop: () => Promise<void>
}

export function buildIngestion(deps: IngestionDeps, config: IngestionConfig): IngestionService {
  const log = deps.logger
  const metrics = createIngestionMetrics(() => batchers.reduce((n, b) => n + b.pending, 0))
  const topics = kafkaTopicNames(config.KAFKA_TOPIC_SUFFIX)
  const registry = new DeviceRegistryCache(deps.pool, log)
  const dedupe = new UrgentDedupe(deps.redis, { keyPrefix: config.REDIS_KEY_PREFIX, logger: log })
  const rateLimiter = new DeviceRateLimiter({ messagesPerSecond: config.DEVICE_RATE_PER_SECOND, burst: config.DEVICE_RATE_BURST })
  const sequences = new SequenceTracker(deps.redis, { keyPrefix: config.REDIS_KEY_PREFIX, windowMs: config.DEVICE_REPLAY_WINDOW_SECONDS * 1000, logger: log })
  const clockWindow = { maxAheadMs: config.DEVICE_CLOCK_MAX_AHEAD_SECONDS * 1000, maxBehindMs: config.DEVICE_CLOCK_MAX_BEHIND_SECONDS * 1000 }
  const stopping = new AbortController()
  let producers: Producer[] = []
  let batchers: KafkaBatcher[] = []
  let intake: MqttIntake | null = null
  let acks: AckPublisher | null = null

  const http = Fastify({ logger: false })
  registerHealthRoutes(http, {
    metrics: metrics.registry,
    ready: () => ({
      mqtt: (intake?.connected() ?? false) && (acks?.connected() ?? false),
      redis: deps.redis.status === 'ready',
      registry: registry.size >= 0 && intake !== null,
    }),
  })

  return {
    http,
    metrics,
    start: async () => {
      await assertTopicsExist(deps.kafka, Object.values(topics))
      await registry.start()
      const [urgentProducer, standardProducer] = [await createProducer(deps.kafka), await createProducer(deps.kafka)]
      producers = [urgentProducer!, standardProducer!]
      const onRetry = () => metrics.retries.inc({ step: 'kafka' })
      const urgentBatcher = new KafkaBatcher(urgentProducer!, log, { lingerMs: 0, maxBatch: 100, onRetry })
      const standardBatcher = new KafkaBatcher(standardProducer!, log, { onRetry })
      batchers = [urgentBatcher, standardBatcher]
      const mqttCredentials = {
        url: config.MQTT_URL,
        username: config.MQTT_USERNAME,
        password: config.MQTT_PASSWORD,
        instanceId: config.INGESTION_INSTANCE_ID,
        ca: config.MQTT_CA_FILE ? readFileSync(config.MQTT_CA_FILE) : undefined,
        logger: log,
      }
      acks = await connectAckPublisher(mqttCredentials)
      const handle = createUplinkHandler({
        now: deps.now,
        lookupDevice: id => registry.lookup(id),
        urgentBatcher,
        standardBatcher,
        dedupe,
        sendAck: acks.send,
        topics,
        metrics,
        logger: log,
        stopping: stopping.signal,
        rateLimiter,
        clockWindow,
        sequences,
      })
      rateLimiter.start()
      sequences.start()
      intake = await startMqttIntake({ ...mqttCredentials, shareGroup: config.MQTT_SHARE_GROUP, handle })
      log.info({ instance: config.INGESTION_INSTANCE_ID, devices: registry.size }, 'ingestion started')
    },
    stop: async () => {
      stopping.abort()
      await intake?.close()
      for (const batcher of batchers) await batcher.close()
      await acks?.close()
      rateLimiter.stop()
      await sequences.stop()
      for (const producer of producers) await producer.disconnect()
      await registry.stop()
      await http.close()
    },
  }
}
