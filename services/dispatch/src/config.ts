import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, postgresEnv } from '@anxin/config'

// A provider left unset in docker-compose arrives as an empty string: that means "not configured" too.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(v => (v === '' ? undefined : v), schema.optional())
const optionalUrl = optional(z.url())
const secretList = z
  .string()
  .transform(s => s.split(',').map(p => p.trim()).filter(Boolean))
  .pipe(z.array(z.string().min(32, 'each link secret needs at least 32 characters')).min(1))

export const dispatchEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8085),
  KAFKA_TOPIC_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  DISPATCH_GROUP_ID: z.string().min(1).default('anxin-dispatch'),
  /** Where escalation's lifecycle API answers (POST /alarms/:id/actions). */
  ESCALATION_URL: z.url(),
  /** The address responders open links on (this service's public address behind the proxy). */
  PUBLIC_BASE_URL: z.url(),
  /** Signs action links and responder sessions; comma-separated, the first signs (rotate by prepending). */
  LINK_SECRETS: secretList,
  /** E-mail: smtp://user:pass@host:port (or smtps://). Absent: no e-mail channel. */
  SMTP_URL: optionalUrl,
  MAIL_FROM: z.string().min(3).default('安心监护中心 <alarm@anxin.local>'),
  /** The SMS / voice-call gateway (see src/channels/sms-gateway.ts for its contract). Absent: no SMS or phone. */
  SMS_GATEWAY_URL: optionalUrl,
  SMS_GATEWAY_TOKEN: optional(z.string().min(1)),
  /** Shared with the gateway: its delivery receipts and call results are signed with it. */
  SMS_GATEWAY_CALLBACK_SECRET: optional(z.string().min(16)),
  /** Web push (VAPID). Absent: no push to the responder page. */
  VAPID_PUBLIC_KEY: optional(z.string().min(20)),
  VAPID_PRIVATE_KEY: optional(z.string().min(20)),
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:)/).default('mailto:ops@anxin.local'),
  /**
   * Push endpoints and webhook URLs that people register must be https on a public address (a browser's push
   * service always is); plain http and local addresses only for tests and demos on one machine, since a
   * registered URL is one this service will call (src/adapters/endpoint-check.ts).
   */
  ALLOW_LOCAL_ENDPOINTS: z.enum(['true', 'false']).default('false').transform(v => v === 'true'),
  /** Deliveries each channel has in flight at once: a slow provider fills only its own lane. */
  CHANNEL_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
  /** Retries of one channel (exponential backoff with jitter) and how long a sent message may go unconfirmed. */
  RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  RETRY_BASE_DELAY_MS: z.coerce.number().int().min(10).max(60000).default(1000),
  CONFIRM_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
  CONFIRM_SECONDS_CRITICAL: z.coerce.number().int().min(1).max(3600).default(60),
  /** How often due retries, unconfirmed deliveries, offer expiries and arrival deadlines are looked for. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(60000).default(1000),
})

export type DispatchConfig = z.infer<typeof dispatchEnvSchema>

export function loadDispatchConfig(env: Record<string, string | undefined> = process.env): DispatchConfig {
  return loadConfig('dispatch', dispatchEnvSchema, env)
}
