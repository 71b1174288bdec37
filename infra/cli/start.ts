import { parseArgs } from 'node:util'
import { createPool } from '@anxin/db'
import { createLogger } from '@anxin/logging'
import { lifeDevicesFromRegistry, lifeProfileFromRegistry, playDistrict, REGISTRY_RESIDENTS_SQL, type RegistryResidentRow } from '@anxin/simulators'
import { DEFAULT_RESIDENTS, generateDemoDistrict, loadConsoleAccounts, loadDistrict } from '../seed/index.ts'
import { join } from 'node:path'
import { startDemoProviders } from '../demo-providers/index.ts'
import { buildWebUi } from '../stack/web-ui.ts'
import { brokerSyncEnv, DEMO_PROVIDER_PORTS, ensureMosquitto, RUN_DIR, serviceEnv, stackUp, superviseServices, waitForPort, type PlatformService } from '../stack/index.ts'

/**
 * `pnpm start`: the local stack, the demo district, every platform service, and the district's residents
 * living their days on their devices (simulators/src/life: vitals with a daily rhythm, sleep, walks, wandering,
 * falls, SOS, check-ins, charging, drop-outs) until Ctrl-C (or for `--for SECONDS`). `--speed` runs the
 * simulated clock faster than the wall clock; device times then run ahead of the platform's by as much.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    for: { type: 'string' },
    speed: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    residents: { type: 'string', default: String(DEFAULT_RESIDENTS) },
  },
})
const logger = createLogger({ service: 'start' })
const settings = await stackUp(logger)

const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'anxin-start', max: 2 })
const district = generateDemoDistrict({ residents: Number(values.residents) })
logger.info(await loadDistrict(pool, district, settings.DEMO_FLEET_SECRET), 'demo district loaded')
const accounts = await loadConsoleAccounts(pool, district, settings.DEMO_CONSOLE_PASSWORD)
await ensureMosquitto(settings)
const providers = await startDemoProviders({
  outboxDir: join(RUN_DIR, 'outbox'), smtpPort: DEMO_PROVIDER_PORTS.smtp, gatewayPort: DEMO_PROVIDER_PORTS.gateway,
  gatewayToken: settings.SMS_GATEWAY_TOKEN, callbackSecret: settings.SMS_GATEWAY_CALLBACK_SECRET, logger,
})

const PLATFORM: PlatformService[] = ['ingestion', 'recorder', 'alert', 'escalation', 'dispatch', 'console', 'watchdog']
await buildWebUi(logger)
// The broker credential sync runs beside the services: devices provisioned or revoked on the console reach
// the broker's password file (and the broker) at once.
const services = superviseServices(
  [
    { name: 'broker-sync', entry: 'infra/cli/broker-sync.ts', env: brokerSyncEnv(settings) },
    ...PLATFORM.map(name => ({ name, entry: `services/${name}/src/main.ts`, env: serviceEnv(name, settings) })),
  ],
  logger,
)
for (const name of PLATFORM) await waitForPort(Number(serviceEnv(name, settings).HTTP_PORT), { timeoutMs: 60000 })
console.log(`
安心 Anxin is running with the demo district (${district.residents.length} residents, ${district.devices.length} devices).
  ingestion  http://127.0.0.1:${serviceEnv('ingestion', settings).HTTP_PORT}/health/ready   /metrics
  recorder   http://127.0.0.1:${serviceEnv('recorder', settings).HTTP_PORT}/health/ready   /metrics
  alert      http://127.0.0.1:${serviceEnv('alert', settings).HTTP_PORT}/health/ready   /metrics
  escalation http://127.0.0.1:${serviceEnv('escalation', settings).HTTP_PORT}/health/ready   /metrics   POST /alarms/:id/actions
  dispatch   http://127.0.0.1:${serviceEnv('dispatch', settings).HTTP_PORT}/health/ready   /metrics   GET /alarms/:id/timeline
  console    http://127.0.0.1:${serviceEnv('console', settings).HTTP_PORT}/   (API: /api/openapi.json)
  watchdog   http://127.0.0.1:${serviceEnv('watchdog', settings).HTTP_PORT}/system-alarms   /metrics   (system alarms: the console's red banner)
             sign in as ${[...new Set(accounts.filter(a => !a.username.startsWith('staff-')).map(a => a.username))].join(', ')} with password ${settings.DEMO_CONSOLE_PASSWORD}
  outbox     ${providers.outboxDir}/mail (e-mails: open a link to act as the responder), ${providers.outboxDir}/sms
  mqtt       ${settings.MQTT_URL} (device credentials follow the registry: broker-sync)    kafka ${settings.KAFKA_BROKERS}    postgres ${settings.DATABASE_URL} (schema ${settings.DATABASE_SCHEMA})
  logs       .run/logs/
Press Ctrl-C to stop the services (the stack keeps running; "pnpm stack down" stops it).
`)

const { rows } = await pool.query<RegistryResidentRow & { devices: Array<{ id: string; type: string }> }>(REGISTRY_RESIDENTS_SQL, [null])
const residents = rows.map(row => ({ profile: lifeProfileFromRegistry(row), devices: lifeDevicesFromRegistry(row.devices) })).filter(r => r.devices.length > 0)
const startedAt = new Date()
const stop = new AbortController()
process.once('SIGINT', () => stop.abort())
process.once('SIGTERM', () => stop.abort())
logger.info({ residents: residents.length, speed: Number(values.speed), rates: 'demo' }, 'demo district living its days')
const played = await playDistrict({
  url: settings.MQTT_URL,
  fleetSecret: settings.DEMO_FLEET_SECRET,
  residents,
  seed: Number(values.seed),
  speed: Number(values.speed),
  durationSeconds: values.for ? Number(values.for) : Number.POSITIVE_INFINITY,
  rates: 'demo',
  signal: stop.signal,
})
// A timed run lets the last messages land before stopping, so what was sent can be checked against what was
// stored: a telemetry message is stored when any of its rows (vitals, location, status) is. An SOS or fall
// that carries a position is stored as a location row too, and is not telemetry.
const storedTelemetry = async () =>
  Number(
    (await pool.query<{ n: string }>(
      `SELECT count(DISTINCT event_id) AS n FROM (
         SELECT event_id FROM vitals WHERE received_at >= $1
         UNION ALL SELECT event_id FROM device_status WHERE received_at >= $1
         UNION ALL SELECT l.event_id FROM locations l WHERE l.received_at >= $1
           AND NOT EXISTS (SELECT 1 FROM device_events e WHERE e.event_id = l.event_id AND e.lane = 'alarm' AND e.received_at >= $1)) t`,
      [startedAt],
    )).rows[0]!.n,
  )
if (!stop.signal.aborted) {
  const drainDeadline = Date.now() + 20000
  while ((await storedTelemetry()) < played.telemetry && Date.now() < drainDeadline) await new Promise(r => setTimeout(r, 200))
  logger.info({ ...played, telemetrySent: played.telemetry, telemetryStored: await storedTelemetry() }, 'demo finished')
}
await services.stop()
await providers.stop()
await pool.end()
