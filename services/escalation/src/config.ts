import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, postgresEnv } from '@anxin/config'

export const escalationEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8084),
  KAFKA_TOPIC_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  ESCALATION_GROUP_ID: z.string().min(1).default('anxin-escalation'),
  TIMER_WORKERS: z.coerce.number().int().min(1).max(32).default(4),
  /** How often to look for alarms whose escalation has stalled, and how old a change must be to count. */
  STALL_AUDIT_INTERVAL_MS: z.coerce.number().int().min(100).default(30000),
  STALL_GRACE_SECONDS: z.coerce.number().int().min(0).default(30),
})

export type EscalationConfig = z.infer<typeof escalationEnvSchema>

export function loadEscalationConfig(env: Record<string, string | undefined> = process.env): EscalationConfig {
  return loadConfig('escalation', escalationEnvSchema, env)
}
