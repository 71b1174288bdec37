import { createKafka } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { installShutdown } from '@anxin/service-kit'
import { loadWatchdogConfig } from './config.ts'
import { buildWatchdog } from './service.ts'

const config = loadWatchdogConfig()
const logger = createLogger({ service: 'watchdog', level: config.LOG_LEVEL })
// Few, quick retries inside kafkajs (enough for its metadata refreshes): every round is a fresh attempt, and
// a refused connection must count within a second, not after kafkajs's usual minute of reconnecting.
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'anxin-watchdog', logger, retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500 },
})

const service = buildWatchdog({ kafka, logger }, config)
installShutdown(logger, () => service.stop())
await service.start()
await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT })
logger.info({ port: config.HTTP_PORT }, 'http listening')
