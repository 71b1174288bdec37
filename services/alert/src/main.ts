import { Redis } from 'ioredis'
import { createPool } from '@anxin/db'
import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { installShutdown } from '@anxin/service-kit'
import { loadAlertConfig } from './config.ts'
import { buildAlert } from './service.ts'

const config = loadAlertConfig()
const logger = createLogger({ service: 'alert', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-alert', max: 8 })
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, commandTimeout: 2000 })
redis.on('error', () => {})
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-alert', logger })

const service = buildAlert({ pool, redis, kafka, logger }, config)
installShutdown(logger, async () => {
  await service.stop()
  redis.disconnect()
  await pool.end()
})
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
