import { Redis } from 'ioredis'
import { createPool } from '@anxin/db'
import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { installShutdown } from '@anxin/service-kit'
import { loadConsoleConfig } from './config.ts'
import { buildConsole } from './service.ts'

const config = loadConsoleConfig()
const logger = createLogger({ service: 'console', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-console', max: 16 })
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 })
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-console', logger })

const service = buildConsole({ pool, redis, kafka, logger }, config)
installShutdown(logger, async () => {
  await service.stop()
  redis.disconnect()
  await pool.end()
})
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
