import { createPool } from '@anxin/db'
import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { installShutdown } from '@anxin/service-kit'
import { loadEscalationConfig } from './config.ts'
import { buildEscalation } from './service.ts'

const config = loadEscalationConfig()
const logger = createLogger({ service: 'escalation', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-escalation', max: config.TIMER_WORKERS + 4 })
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-escalation', logger })

const service = buildEscalation({ pool, kafka, logger }, config)
installShutdown(logger, async () => {
  await service.stop()
  await pool.end()
})
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
