import { createPool } from '@anxin/db'
import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { loadRecorderConfig } from './config.ts'
import { buildRecorder } from './service.ts'
import { installShutdown } from '@anxin/service-kit'

const config = loadRecorderConfig()
const logger = createLogger({ service: 'recorder', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-recorder', max: 6 })
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-recorder', logger })

const service = buildRecorder({ pool, kafka, logger }, config)
installShutdown(logger, async () => {
  await service.stop()
  await pool.end()
})
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
