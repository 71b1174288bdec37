import { createPool } from '@anxin/db'
import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { installShutdown } from '@anxin/service-kit'
import { loadDispatchConfig } from './config.ts'
import { buildDispatch } from './service.ts'

const config = loadDispatchConfig()
const logger = createLogger({ service: 'dispatch', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-dispatch', max: 12 })
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-dispatch', logger })

const service = buildDispatch({ pool, kafka, logger }, config)
installShutdown(logger, async () => {
  await service.stop()
  await pool.end()
})
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
