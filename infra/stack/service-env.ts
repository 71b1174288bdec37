import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { LOCAL_BROKER } from './mosquitto.ts'
import { RUN_DIR, type StackSettings } from './settings.ts'

/** The environment each platform service gets when it runs against the local stack. */
export type PlatformService = 'ingestion' | 'recorder' | 'alert' | 'escalation' | 'dispatch' | 'console' | 'watchdog'

/** Each service's HTTP port on this machine (the *_HTTP_PORT variables move them, as the start test does). */
const localPort = (service: Exclude<PlatformService, 'watchdog'>): string =>
  process.env[`${service.toUpperCase()}_HTTP_PORT`] ?? String({ ingestion: 8081, recorder: 8082, alert: 8083, escalation: 8084, dispatch: 8085, console: 8086 }[service])

/** The consumer groups the services use by default (each service's config.ts); alert's per-instance registry group is left out. */
export const WATCHED_GROUPS = 'recorder=anxin-recorder,alert=anxin-alert,alert-urgent=anxin-alert-urgent,alert-lifecycle=anxin-alert-lifecycle,' +
  'escalation=anxin-escalation,dispatch=anxin-dispatch,dispatch-lifecycle=anxin-dispatch-lifecycle,console-alarms=anxin-console-alarms,console-lifecycle=anxin-console-lifecycle'

/** The machine's PostgreSQL cluster folder (Debian: /var/lib/postgresql/<version>/main, as infra/stack/postgres.ts starts it). */
function postgresDataDir(): string {
  if (process.env.POSTGRES_DATA_DIR) return process.env.POSTGRES_DATA_DIR
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : []
  const cluster = versions.map(v => `/var/lib/postgresql/${v}/main`).find(dir => existsSync(dir))
  return cluster ?? '/var/lib/postgresql'
}

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
      // The demo plays devices on a simulated clock (`--speed`) running ahead of the platform's, day after
      // day, and as many times as fast: the device-time window, the replay window and the per-device rate
      // limit are opened up here, never in production.
      DEVICE_RATE_PER_SECOND: '100',
      DEVICE_CLOCK_MAX_AHEAD_SECONDS: String(10 * 365 * 24 * 3600),
      DEVICE_REPLAY_WINDOW_SECONDS: String(10 * 365 * 24 * 3600),
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
      WATCHDOG_URL: `http://127.0.0.1:${process.env.WATCHDOG_HTTP_PORT ?? '8087'}`,
      PUBLIC_BASE_URL: process.env.CONSOLE_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
      DEVICE_MQTT_URL: settings.MQTT_URL,
      ...(process.env.MAP_TILE_URL ? { MAP_TILE_URL: process.env.MAP_TILE_URL } : {}),
    }
  }
  if (service === 'watchdog') {
    const services = ['ingestion', 'recorder', 'alert', 'escalation', 'dispatch', 'console'] as const
    return {
      KAFKA_BROKERS: settings.KAFKA_BROKERS,
      LOG_LEVEL: common.LOG_LEVEL,
      HTTP_PORT: process.env.WATCHDOG_HTTP_PORT ?? '8087',
      WATCHDOG_TARGETS: services.map(name => `${name}=http://127.0.0.1:${localPort(name)}`).join(','),
      WATCHDOG_CONSUMER_GROUPS: WATCHED_GROUPS,
      WATCHDOG_DISK_PATHS: `postgres=${postgresDataDir()},kafka=${join(RUN_DIR, 'kafka', 'data')}`,
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
