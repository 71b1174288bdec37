import { Redis } from 'ioredis'
import { createPool } from '@anxin/db'
import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { loadIngestionConfig } from './config.ts'
import { buildIngestion } from './service.ts'
import { installShutdown } from '@anxin/service-kit'

const config = loadIngestionConfig()
const logger = createLogger({ service: 'ingestion', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-ingestion', max: 4 })
// Fail fast instead of queueing: Redis only deduplicates, and an SOS must never wait for it.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 250 })
redis.on('error', () => {})
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-ingestion', logger })

const service = buildIngestion({ pool, redis, kafka, logger }, config)
installShutdown(logger, async () => {
  await service.stop()
  redis.disconnect()
  await pool.end()
})
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
