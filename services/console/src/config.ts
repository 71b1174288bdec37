import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv, postgresEnv, redisEnv } from '@anxin/config'

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(v => (v === '' ? undefined : v), schema.optional())

export const consoleEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  ...redisEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8086),
  REDIS_KEY_PREFIX: z.string().default('anxin:'),
  KAFKA_TOPIC_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /** One group writes the feed; every instance pushes it (they all follow the feed table). */
  CONSOLE_GROUP_ID: z.string().min(1).default('anxin-console'),
  /** Escalation's lifecycle API (alarm actions, who is on duty) and dispatch's API (timeline, tasks). */
  ESCALATION_URL: z.url(),
  DISPATCH_URL: z.url(),
  /** The watchdog (services/watchdog) whose system alarms the console shows as a banner; absent: no banner. */
  WATCHDOG_URL: optional(z.url()),
  /** Sign-in cookies are marked Secure unless this is plain http (local demo, tests). */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8086'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  LOGIN_MAX_FAILURES_PER_USERNAME: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(10000).default(50),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(10).max(86400).default(900),
  /** A map tile URL template (https://tiles.example/{z}/{x}/{y}.png); absent: maps show the position without tiles. */
  /**
   * The broker address installers put into a device, shown with its credentials when it is provisioned
   * (the public name of the MQTT listener, not the address the services use inside the network).
   */
  DEVICE_MQTT_URL: z.string().regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL').default('mqtt://localhost:1883'),
  MAP_TILE_URL: optional(z.string().regex(/^https?:\/\/.+\{z\}.+\{x\}.+\{y\}/, 'a URL template with {z}, {x} and {y}')),
  /**
   * Whose X-Forwarded-For to believe for the client's address (sign-in throttling, audit): 'false' (the
   * default: nobody, the console faces clients directly), or the proxy addresses/CIDRs in front of it.
   * Believing everyone would let an attacker pick a fresh address for every guess.
   */
  TRUST_PROXY: z.string().default('false').transform(v => (v === 'false' ? false : v.split(',').map(p => p.trim()).filter(Boolean))),
  /** Password checks at once (each takes 64 MiB), and how many may wait before sign-ins are turned away. */
  SIGN_IN_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  SIGN_IN_QUEUE: z.coerce.number().int().min(0).max(10000).default(64),
  /** How long the live feed keeps events for browsers to resume from (a longer absence reloads the queue). */
  FEED_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** The built web UI (services/console/web/dist). */
  WEB_ROOT: z.string().default(fileURLToPath(new URL('../web/dist', import.meta.url))),
})

export type ConsoleConfig = z.infer<typeof consoleEnvSchema>

export function loadConsoleConfig(env: Record<string, string | undefined> = process.env): ConsoleConfig {
  return loadConfig('console', consoleEnvSchema, env)
}
