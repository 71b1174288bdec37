import { LOCAL_BROKER } from './mosquitto.ts'
import type { StackSettings } from './settings.ts'

/** The environment each platform service gets when it runs against the local stack. */
export type PlatformService = 'ingestion' | 'recorder' | 'alert' | 'escalation' | 'dispatch' | 'console'

/** Where the demo's stand-in providers listen (infra/demo-providers): a mailbox and an SMS / voice gateway. */
export const DEMO_PROVIDER_PORTS = { smtp: Number(process.env.DEMO_SMTP_PORT ?? 2525), gateway: Number(process.env.DEMO_GATEWAY_PORT ?? 8090) }

export function serviceEnv(service: PlatformService, settings: StackSettings): Record<string, string> {
  const common = {
    KAFKA_BROKERS: settings.KAFKA_BROKERS,
    DATABASE_URL: settings.DATABASE_URL,
    DATABASE_SCHEMA: settings.DATABASE_SCHEMA,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  }
  if (service === 'ingestion') {
    return {
      ...common,
      REDIS_URL: settings.REDIS_URL,
      MQTT_URL: settings.MQTT_URL,
      MQTT_USERNAME: settings.MQTT_INGESTION_USERNAME,
      MQTT_PASSWORD: settings.MQTT_INGESTION_PASSWORD,
      INGESTION_INSTANCE_ID: 'ingestion-local-1',
      HTTP_PORT: process.env.INGESTION_HTTP_PORT ?? '8081',
    }
  }
  if (service === 'escalation') return { ...common, HTTP_PORT: process.env.ESCALATION_HTTP_PORT ?? '8084' }
  if (service === 'dispatch') {
    const port = process.env.DISPATCH_HTTP_PORT ?? '8085'
    return {
      ...common,
      HTTP_PORT: port,
      ESCALATION_URL: `http://127.0.0.1:${process.env.ESCALATION_HTTP_PORT ?? '8084'}`,
      PUBLIC_BASE_URL: process.env.DISPATCH_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
      LINK_SECRETS: settings.DISPATCH_LINK_SECRET,
      SMTP_URL: `smtp://127.0.0.1:${DEMO_PROVIDER_PORTS.smtp}`,
      SMS_GATEWAY_URL: `http://127.0.0.1:${DEMO_PROVIDER_PORTS.gateway}`,
      SMS_GATEWAY_TOKEN: settings.SMS_GATEWAY_TOKEN,
      SMS_GATEWAY_CALLBACK_SECRET: settings.SMS_GATEWAY_CALLBACK_SECRET,
      VAPID_PUBLIC_KEY: settings.VAPID_PUBLIC_KEY,
      VAPID_PRIVATE_KEY: settings.VAPID_PRIVATE_KEY,
    }
  }
  if (service === 'console') {
    const port = process.env.CONSOLE_HTTP_PORT ?? '8086'
    return {
      ...common,
      HTTP_PORT: port,
      REDIS_URL: settings.REDIS_URL,
      ESCALATION_URL: `http://127.0.0.1:${process.env.ESCALATION_HTTP_PORT ?? '8084'}`,
      DISPATCH_URL: `http://127.0.0.1:${process.env.DISPATCH_HTTP_PORT ?? '8085'}`,
      PUBLIC_BASE_URL: process.env.CONSOLE_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
      DEVICE_MQTT_URL: settings.MQTT_URL,
      ...(process.env.MAP_TILE_URL ? { MAP_TILE_URL: process.env.MAP_TILE_URL } : {}),
    }
  }
  if (service === 'alert') return { ...common, REDIS_URL: settings.REDIS_URL, HTTP_PORT: process.env.ALERT_HTTP_PORT ?? '8083' }
  return { ...common, HTTP_PORT: process.env.RECORDER_HTTP_PORT ?? '8082' }
}

/** The broker credential sync (infra/cli/broker-sync.ts) against the local broker: its files and its pid file. */
export function brokerSyncEnv(settings: StackSettings): Record<string, string> {
  return {
    DATABASE_URL: settings.DATABASE_URL,
    DATABASE_SCHEMA: settings.DATABASE_SCHEMA,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    MQTT_INGESTION_USERNAME: settings.MQTT_INGESTION_USERNAME,
    MQTT_INGESTION_PASSWORD: settings.MQTT_INGESTION_PASSWORD,
    BROKER_CONFIG_DIR: LOCAL_BROKER.dir,
    BROKER_PID_FILE: LOCAL_BROKER.pidFile,
  }
}
