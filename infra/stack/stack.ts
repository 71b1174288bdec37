import type { Logger } from '@anxin/logging'
import { ensureKafka, kafkaRunning, stopKafka } from './kafka.ts'
import { ensureMosquitto, mosquittoRunning, stopMosquitto } from './mosquitto.ts'
import { isPortOpen } from './ports.ts'
import { ensurePostgres } from './postgres.ts'
import { ensureRedis } from './redis.ts'
import { loadOrCreateStackSettings, readStackSettings, type StackSettings } from './settings.ts'

/** Brings up everything the platform needs, in dependency order. Safe to run again at any time. */
export async function stackUp(logger: Logger): Promise<StackSettings> {
  const settings = loadOrCreateStackSettings()
  const migrations = await ensurePostgres(settings)
  logger.info({ applied: migrations.applied, timescale: migrations.timescale }, 'postgres ready')
  await ensureRedis(settings)
  logger.info('redis ready')
  const created = await ensureKafka(settings, logger)
  logger.info({ created }, 'kafka ready')
  const broker = await ensureMosquitto(settings)
  logger.info({ broker, port: settings.MQTT_PORT }, 'mosquitto ready')
  return settings
}

/** Stops the project's own servers (Kafka, Mosquitto); the machine's PostgreSQL and Redis are left running. */
export async function stackDown(): Promise<void> {
  const settings = readStackSettings()
  await stopMosquitto()
  if (settings) stopKafka(settings)
}

export type StackStatus = Record<'postgres' | 'redis' | 'kafka' | 'mosquitto', boolean>

export async function stackStatus(): Promise<StackStatus> {
  const settings = readStackSettings() ?? loadOrCreateStackSettings()
  return {
    postgres: await isPortOpen(Number(new URL(settings.DATABASE_URL).port || 5432)),
    redis: await isPortOpen(Number(new URL(settings.REDIS_URL).port || 6379)),
    kafka: kafkaRunning(settings),
    mosquitto: mosquittoRunning() && (await isPortOpen(Number(settings.MQTT_PORT))),
  }
}
