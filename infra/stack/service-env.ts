import type { StackSettings } from './settings.ts'

/** The environment each platform service gets when it runs against the local stack. */
export function serviceEnv(service: 'ingestion' | 'recorder' | 'alert' | 'escalation', settings: StackSettings): Record<string, string> {
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
  if (service === 'alert') return { ...common, REDIS_URL: settings.REDIS_URL, HTTP_PORT: process.env.ALERT_HTTP_PORT ?? '8083' }
  return { ...common, HTTP_PORT: process.env.RECORDER_HTTP_PORT ?? '8082' }
}
