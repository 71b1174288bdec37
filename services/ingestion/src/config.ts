import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, mqttEnv, postgresEnv, redisEnv } from '@anxin/config'
import { hostname } from 'node:os'
import { DEVICE_CLOCK_WINDOW_DEFAULTS, DEVICE_RATE_LIMIT_DEFAULTS, DEVICE_REPLAY_WINDOW_DEFAULT_SECONDS } from '@anxin/contracts'

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
  /** For an `mqtts://` MQTT_URL signed by a private CA: the CA certificate (PEM) to trust. */
  MQTT_CA_FILE: z.string().min(1).optional(),
  /** Per device and channel (telemetry, event); the alarm channel is never limited. */
  DEVICE_RATE_PER_SECOND: z.coerce.number().positive().default(DEVICE_RATE_LIMIT_DEFAULTS.messagesPerSecond),
  DEVICE_RATE_BURST: z.coerce.number().int().min(1).default(DEVICE_RATE_LIMIT_DEFAULTS.burst),
  /** Telemetry and events whose device time is further ahead of / behind receipt are refused. */
  DEVICE_CLOCK_MAX_AHEAD_SECONDS: z.coerce.number().int().positive().default(DEVICE_CLOCK_WINDOW_DEFAULTS.maxAheadSeconds),
  DEVICE_CLOCK_MAX_BEHIND_SECONDS: z.coerce.number().int().positive().default(DEVICE_CLOCK_WINDOW_DEFAULTS.maxBehindSeconds),
  /** Keep it above DEVICE_CLOCK_MAX_AHEAD_SECONDS (see domain/replay-check.ts). */
  DEVICE_REPLAY_WINDOW_SECONDS: z.coerce.number().int().positive().default(DEVICE_REPLAY_WINDOW_DEFAULT_SECONDS),
})

export type IngestionConfig = z.infer<typeof ingestionEnvSchema>

export function loadIngestionConfig(env: Record<string, string | undefined> = process.env): IngestionConfig {
  return loadConfig('ingestion', ingestionEnvSchema, env)
}
