import { hostname } from 'node:os'
import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, postgresEnv, redisEnv } from '@anxin/config'

export const alertEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  ...redisEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8083),
  KAFKA_TOPIC_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  REDIS_KEY_PREFIX: z.string().default('anxin:'),
  ALERT_GROUP_ID: z.string().min(1).default('anxin-alert'),
  /** Names this instance's own consumer group for registry changes (every instance drops its own cached profiles). */
  ALERT_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default(`alert-${hostname()}`.slice(0, 40).replace(/[^A-Za-z0-9_-]/g, '-')),
  /** How often silence (device offline, inactivity) is checked. */
  ALERT_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(60000).default(5000),
  /** Seconds after a fall during which "I'm OK" cancels it. */
  FALL_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
})

export type AlertConfig = z.infer<typeof alertEnvSchema>

export function loadAlertConfig(env: Record<string, string | undefined> = process.env): AlertConfig {
  return loadConfig('alert', alertEnvSchema, env)
}
