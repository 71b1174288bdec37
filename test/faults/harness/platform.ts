import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createPool, migratePool } from '@anxin/db'
import { freePort, RUN_DIR, superviseServices, WATCHED_GROUPS, type SupervisedService } from '@anxin/infra/stack'
import {
  privateKafka,
  privatePostgres,
  privateRedis,
  registerTestDevices,
  smallDisk,
  testBroker,
  testLogger,
  testStack,
  type FixtureDevice,
  type PrivateKafka,
  type PrivatePostgres,
  type PrivateRedis,
  type SmallDisk,
  type Teardown,
  type TestBroker,
} from '@anxin/testing'
import { startDemoProviders } from '../../../infra/demo-providers/index.ts'
import type pg from 'pg'

export const FAULT_SERVICES = ['ingestion', 'recorder', 'alert', 'escalation', 'dispatch', 'console', 'watchdog'] as const
export type FaultService = (typeof FAULT_SERVICES)[number]

const SCHEMA = 'anxin'
const LINK_SECRET = 'fault-battery-link-secret-0123456789abcdef'
const GATEWAY_TOKEN = 'fault-battery-gateway-token'
const CALLBACK_SECRET = 'fault-battery-callback-secret'

/** Three steps, two seconds apart, each to the operator on duty on the console and by SMS. */
export const POLICY_STEPS = 3
export const STEP_WAIT_SECONDS = 2

export type FaultPlatform = {
  pool: pg.Pool
  kafka: PrivateKafka
  postgres: PrivatePostgres
  redis: PrivateRedis
  broker: TestBroker
  disks: { database: SmallDisk; kafka: SmallDisk }
  devices: FixtureDevice[]
  services: ReturnType<typeof superviseServices>
  restarts: Array<{ service: string; cause: 'exited' | 'unresponsive'; at: number }>
  ports: Record<FaultService, number>
  smsDir: string
  logDir: string
}

/**
 * The whole platform on infrastructure of its own, so a test may kill, freeze or fill any part of it without
 * disturbing other tests: Kafka and PostgreSQL each on a small disk of their own (tmpfs), Redis and
 * Mosquitto on their own ports, and every service (and the watchdog) as a real process under the supervisor
 * `pnpm start` uses, which restarts a service that dies or stops answering.
 */
export async function faultPlatform(t: Teardown, options: { residents: number; group: string }): Promise<FaultPlatform> {
  const { logger } = testLogger('faults')
  const stack = await testStack()
  const disks = { database: smallDisk(t, 512), kafka: smallDisk(t, 768) }
  // A small WAL: the default (up to 1 GB between checkpoints) would fill the small disk by itself.
  const postgres = await privatePostgres(t, { parentDir: disks.database.path, settings: { max_wal_size: '96MB', min_wal_size: '32MB' } })
  const kafka = await privateKafka(t, { dir: join(disks.kafka.path, 'run'), logger })
  const redis = await privateRedis(t)
  const databaseUrl = postgres.url
  const pool = createPool({ url: databaseUrl, schema: SCHEMA, applicationName: 'anxin-fault-battery', max: 4 })
  pool.on('error', () => {})
  t.teardown(() => pool.end())
  await migratePool(pool, SCHEMA)

  const { bound: devices } = await registerTestDevices(pool, { count: options.residents, prefix: 'F' })
  await seedDesk(pool)
  const broker = await testBroker(t, stack, devices.map(d => ({ username: d.deviceId, password: d.password })))

  const workDir = mkdtempSync(join(tmpdir(), 'anxin-faults-'))
  t.teardown(() => rmSync(workDir, { recursive: true, force: true }))
  // Kept after the run (and in CI's clone) to read what each service said while it was being hurt.
  const logDir = join(RUN_DIR, 'faults', options.group)
  rmSync(logDir, { recursive: true, force: true })
  const outboxDir = join(workDir, 'outbox')
  const [smtpPort, gatewayPort] = [await freePort(), await freePort()]
  const providers = await startDemoProviders({ outboxDir, smtpPort, gatewayPort, gatewayToken: GATEWAY_TOKEN, callbackSecret: CALLBACK_SECRET, logger })
  t.teardown(() => providers.stop())

  const ports = Object.fromEntries(await Promise.all(FAULT_SERVICES.map(async s => [s, await freePort()] as const))) as Record<FaultService, number>
  const url = (s: FaultService) => `http://127.0.0.1:${ports[s]}`
  const common = { KAFKA_BROKERS: kafka.brokers, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'info' }
  const env: Record<FaultService, Record<string, string>> = {
    ingestion: {
      ...common, REDIS_URL: redis.url, MQTT_URL: broker.url, MQTT_USERNAME: broker.ingestion.username, MQTT_PASSWORD: broker.ingestion.password,
      INGESTION_INSTANCE_ID: 'ingestion-faults-1',
      // The fleet's ten watches each send 30 readings a second, standing in for 300 watches: not throttled.
      DEVICE_RATE_PER_SECOND: '100',
    },
    recorder: { ...common },
    alert: { ...common, REDIS_URL: redis.url },
    escalation: { ...common },
    dispatch: {
      ...common, ESCALATION_URL: url('escalation'), PUBLIC_BASE_URL: url('dispatch'), LINK_SECRETS: LINK_SECRET, SWEEP_INTERVAL_MS: '200',
      SMS_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`, SMS_GATEWAY_TOKEN: GATEWAY_TOKEN, SMS_GATEWAY_CALLBACK_SECRET: CALLBACK_SECRET,
    },
    console: {
      ...common, REDIS_URL: redis.url, ESCALATION_URL: url('escalation'), DISPATCH_URL: url('dispatch'), PUBLIC_BASE_URL: url('console'),
      WATCHDOG_URL: url('watchdog'),
    },
    watchdog: {
      KAFKA_BROKERS: kafka.brokers, LOG_LEVEL: 'info', WATCHDOG_INTERVAL_MS: '500',
      WATCHDOG_TARGETS: FAULT_SERVICES.filter(s => s !== 'watchdog').map(s => `${s}=${url(s)}`).join(','),
      WATCHDOG_CONSUMER_GROUPS: WATCHED_GROUPS,
      WATCHDOG_DISK_PATHS: `database=${disks.database.path},kafka=${disks.kafka.path}`,
      WATCHDOG_DISK_MIN_FREE_BYTES: String(32 * 1024 * 1024), WATCHDOG_DISK_MIN_FREE_PERCENT: '5', WATCHDOG_STALL_AFTER_MS: '5000',
    },
  }
  const restarts: FaultPlatform['restarts'] = []
  const supervised: SupervisedService[] = FAULT_SERVICES.map(s => ({
    name: s, entry: `services/${s}/src/main.ts`, env: { ...env[s], HTTP_PORT: String(ports[s]) },
  }))
  const services = superviseServices(supervised, logger, { logDir, liveness: { intervalMs: 1000, timeoutMs: 1000, failures: 3 }, onRestart: event => restarts.push(event) })
  t.teardown(() => services.stop())
  for (const s of FAULT_SERVICES) await untilReady(`${url(s)}/health/ready`, 90000, s)
  return { pool, kafka, postgres, redis, broker, disks, devices, services, restarts, ports, smsDir: join(outboxDir, 'sms'), logDir }
}

/** The organisation's desk: an operator on duty around the clock with a phone, and the SOS ladder. */
async function seedDesk(pool: pg.Pool): Promise<void> {
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES ('st-op', 'org-test', '值班员', 'operator', '13800000001')`)
  await pool.query(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ('rot', 'org-test', 'operator', '{st-op}', '2026-01-01', 24)`)
  const steps = Array.from({ length: POLICY_STEPS }, () => ({ targets: [{ kind: 'on_duty', role: 'operator' }], waitSeconds: STEP_WAIT_SECONDS, channels: ['console', 'sms'] }))
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('sos-ladder', 'org-test', 'SOS ladder', '{"alarmTypes":["sos","fall"]}', $1, 600, 600, 3600)`,
    [JSON.stringify(steps)],
  )
}

/** Resolves once `url` answers 2xx (polled every 250 ms); throws with the last answer after `timeoutMs`. */
export async function untilReady(url: string, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    const answer = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(async r => (r.ok ? null : `${r.status} ${await r.text()}`), (e: Error) => e.message)
    if (answer === null) return
    last = answer
    await new Promise(r => setTimeout(r, 250))
  }
  throw new Error(`${name} did not get ready within ${timeoutMs} ms: ${last}`)
}
