import { Kafka, logLevel, type LogEntry } from 'kafkajs'
import type { Logger } from '@anxin/logging'

export type KafkaOptions = {
  brokers: string[]
  clientId: string
  logger: Logger
  /** Overrides the connection retries: a prober that retries on its own schedule wants none (the watchdog). */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number }
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
}

/** A kafkajs client whose own logs go through the service's pino logger (no message contents, only metadata). */
export function createKafka(options: KafkaOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' })
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    // Keep retrying through a broker restart rather than giving up after kafkajs's default ~30 s.
    retry: { initialRetryTime: 250, maxRetryTime: 5000, retries: 20, ...options.retry },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...rest } = entry
        log[levels[level] ?? 'info']({ kafka: rest }, message)
      },
  })
}
