import { parseArgs } from 'node:util'
import { createPool } from '@anxin/db'
import { createLogger } from '@anxin/logging'
import { runFleet } from '@anxin/simulators'
import { DEFAULT_RESIDENTS, generateDemoDistrict, loadConsoleAccounts, loadDistrict } from '../seed/index.ts'
import { join } from 'node:path'
import { startDemoProviders } from '../demo-providers/index.ts'
import { buildWebUi } from '../stack/web-ui.ts'
import { brokerSyncEnv, DEMO_PROVIDER_PORTS, ensureMosquitto, RUN_DIR, serviceEnv, stackUp, superviseServices, waitForPort, type PlatformService } from '../stack/index.ts'

/**
 * `pnpm start`: the local stack, the demo district, every platform service, and the demo fleet playing
 * telemetry and the odd SOS, until Ctrl-C (or for `--for SECONDS`).
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: { for: { type: 'string' }, rate: { type: 'string', default: '20' }, residents: { type: 'string', default: String(DEFAULT_RESIDENTS) } },
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

const PLATFORM: PlatformService[] = ['ingestion', 'recorder', 'alert', 'escalation', 'dispatch', 'console']
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
             sign in as ${[...new Set(accounts.filter(a => !a.username.startsWith('staff-')).map(a => a.username))].join(', ')} with password ${settings.DEMO_CONSOLE_PASSWORD}
  outbox     ${providers.outboxDir}/mail (e-mails: open a link to act as the responder), ${providers.outboxDir}/sms
  mqtt       ${settings.MQTT_URL} (device credentials follow the registry: broker-sync)    kafka ${settings.KAFKA_BROKERS}    postgres ${settings.DATABASE_URL} (schema ${settings.DATABASE_SCHEMA})
  logs       .run/logs/
Press Ctrl-C to stop the services (the stack keeps running; "pnpm stack down" stops it).
`)

const wearables = district.devices.filter(d => d.type === 'watch' || d.type === 'sos_pendant').map(d => d.id)
const deadline = values.for ? Date.now() + Number(values.for) * 1000 : Number.POSITIVE_INFINITY
const countVitals = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vitals')).rows[0]!.n)
const vitalsBefore = await countVitals()
let telemetrySent = 0
const stop = new AbortController()
process.once('SIGINT', () => stop.abort())
process.once('SIGTERM', () => stop.abort())
while (!stop.signal.aborted && Date.now() < deadline) {
  const seconds = Math.max(1, Math.min(30, Math.ceil((deadline - Date.now()) / 1000)))
  const report = await runFleet({
    url: settings.MQTT_URL,
    fleetSecret: settings.DEMO_FLEET_SECRET,
    deviceIds: wearables,
    ratePerSecond: Number(values.rate),
    durationSeconds: seconds,
    sosPresses: seconds >= 30 ? 1 : 0,
  })
  telemetrySent += report.telemetrySent
  logger.info({ sent: report.telemetrySent, sos: report.sos.length, vitalsStored: (await countVitals()) - vitalsBefore }, 'demo fleet cycle')
}
// A timed run lets the last readings land before stopping, so what was sent can be checked against what was stored.
if (!stop.signal.aborted) {
  const drainDeadline = Date.now() + 20000
  while ((await countVitals()) - vitalsBefore < telemetrySent && Date.now() < drainDeadline) await new Promise(r => setTimeout(r, 200))
  logger.info({ telemetrySent, vitalsStored: (await countVitals()) - vitalsBefore }, 'demo finished')
}
await services.stop()
await providers.stop()
await pool.end()
