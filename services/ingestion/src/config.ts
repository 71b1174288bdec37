import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, mqttEnv, postgresEnv, redisEnv } from '@anxin/config'
import { hostname } from 'node:os'

export const ingestionEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  ...redisEnv,
  ...mqttEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8081),
  /** Stable per instance (e.g. the pod name), so a restart resumes the same broker sessions. */
  INGESTION_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default(`ingestion-${hostname()}`.slice(0, 40).replace(/[^A-Za-z0-9_-]/g, '-')),
  MQTT_SHARE_GROUP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('ingestion'),
  KAFKA_TOPIC_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  REDIS_KEY_PREFIX: z.string().default('anxin:'),
})

export type IngestionConfig = z.infer<typeof ingestionEnvSchema>

export function loadIngestionConfig(env: Record<string, string | undefined> = process.env): IngestionConfig {
  return loadConfig('ingestion', ingestionEnvSchema, env)
}
