import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, postgresEnv } from '@anxin/config'

export const recorderEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8082),
  KAFKA_TOPIC_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  RECORDER_GROUP_ID: z.string().min(1).default('anxin-recorder'),
})

export type RecorderConfig = z.infer<typeof recorderEnvSchema>

export function loadRecorderConfig(env: Record<string, string | undefined> = process.env): RecorderConfig {
  return loadConfig('recorder', recorderEnvSchema, env)
}
