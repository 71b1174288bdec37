import { z } from 'zod'
import { httpEnv, kafkaEnv, loadConfig, loggingEnv } from '@anxin/config'

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(v => (v === '' ? undefined : v), schema.optional())

/**
 * A comma list of `label=value` pairs (`alert=http://alert:8083,recorder=http://recorder:8082`). Labels name
 * the subject in alarms, so they must be unique and short; values are checked by `value`.
 */
function labelledList(value: z.ZodType<string>, what: string) {
  return z
    .string()
    .default('')
    .transform((text, ctx) => {
      const out: Array<{ label: string; value: string }> = []
      for (const entry of text.split(',').map(e => e.trim()).filter(Boolean)) {
        const eq = entry.indexOf('=')
        const label = eq > 0 ? entry.slice(0, eq).trim() : ''
        const parsed = value.safeParse(eq > 0 ? entry.slice(eq + 1).trim() : '')
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(label) || !parsed.success) {
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not label=${what}` })
          continue
        }
        if (out.some(o => o.label === label)) ctx.addIssue({ code: 'custom', message: `label "${label}" is given twice` })
        out.push({ label, value: parsed.data })
      }
      return out
    })
}

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

export const watchdogEnvSchema = z.object({
  ...kafkaEnv,
  ...httpEnv,
  ...loggingEnv,
  HTTP_PORT: httpEnv.HTTP_PORT.default(8087),
  /** Services to probe: `name=http://host:port` (their base URL; /health/live and /health/ready are probed). */
  WATCHDOG_TARGETS: labelledList(z.url({ protocol: /^https?$/ }), 'http://host:port'),
  /** Kafka consumer groups whose progress is watched: `label=groupId`. */
  WATCHDOG_CONSUMER_GROUPS: labelledList(z.string().min(1).max(255), 'groupId'),
  /** Data folders whose free space is watched (PostgreSQL's, Kafka's): `label=/absolute/path`. */
  WATCHDOG_DISK_PATHS: labelledList(z.string().regex(/^\//, 'an absolute path'), '/absolute/path'),
  /**
   * A disk is low when EITHER its free space is under this share of the disk OR under the byte floor: a
   * small disk runs out in absolute terms (one burst of WAL or log segments), a large one in relative terms
   * long before the bytes floor is reached. The alarm should come early, never late.
   */
  WATCHDOG_DISK_MIN_FREE_PERCENT: z.coerce.number().min(0).max(101).default(10),
  WATCHDOG_DISK_MIN_FREE_BYTES: z.coerce.number().int().min(0).default(2 * 1024 ** 3),
  WATCHDOG_INTERVAL_MS: positiveInt(50, 60_000).default(1000),
  WATCHDOG_PROBE_TIMEOUT_MS: positiveInt(50, 60_000).default(1000),
  /**
   * How long one read of consumer offsets may take before Kafka counts as unreachable. Rounds in between
   * do not wait for it (they judge Kafka as "not known yet"), so a hung broker never holds up the service probes.
   */
  WATCHDOG_KAFKA_TIMEOUT_MS: positiveInt(100, 120_000).default(5000),
  /** Consecutive failed rounds before a service is unresponsive (or not ready, or Kafka unreachable). */
  WATCHDOG_UNRESPONSIVE_AFTER: positiveInt(1, 100).default(3),
  /** A group with lag whose committed offsets have not moved for this long is stalled. */
  WATCHDOG_STALL_AFTER_MS: positiveInt(100, 3_600_000).default(30_000),
  /** Raised and cleared alarms are POSTed here (the on-call engineer's pager); optional. */
  WATCHDOG_WEBHOOK_URL: optional(z.url({ protocol: /^https?$/ })),
  /** Signs webhook bodies (x-anxin-signature, packages/contracts webhook-signature.ts); optional. */
  WATCHDOG_WEBHOOK_SECRET: optional(z.string().min(16, 'at least 16 characters')),
})

export type WatchdogConfig = z.infer<typeof watchdogEnvSchema>

export function loadWatchdogConfig(env: Record<string, string | undefined> = process.env): WatchdogConfig {
  return loadConfig('watchdog', watchdogEnvSchema, env)
}
