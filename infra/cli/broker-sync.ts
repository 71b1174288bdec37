import { join } from 'node:path'
import { loadConfig } from '@anxin/config'
import { createPool } from '@anxin/db'
import { createLogger } from '@anxin/logging'
import { CredentialSync, pidByName, pidFromFile } from '../mosquitto/index.ts'
import { brokerSyncEnvSchema } from './broker-sync-config.ts'

/**
 * Keeps the broker's password file equal to the registry and reloads the broker when it changes, so a newly
 * provisioned device can connect and a revoked one is cut off at once. `pnpm start` runs it beside the
 * services against the local broker; docker-compose runs it in the broker's PID namespace.
 */
const config = loadConfig('broker-sync', brokerSyncEnvSchema)
const logger = createLogger({ service: 'broker-sync', level: config.LOG_LEVEL })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-broker-sync', max: 2 })
const pidFile = config.BROKER_PID_FILE
const sync = new CredentialSync({
  pool,
  passwordFile: join(config.BROKER_CONFIG_DIR, 'passwd'),
  serviceLogins: [{ username: config.MQTT_INGESTION_USERNAME, password: config.MQTT_INGESTION_PASSWORD }],
  brokerPid: () => (pidFile ? pidFromFile(pidFile) : pidByName(config.BROKER_PROCESS_NAME)),
  logger,
  debounceMs: config.SYNC_DEBOUNCE_MS,
  resyncIntervalMs: config.SYNC_RESYNC_INTERVAL_MS,
})
logger.info(await sync.start(), 'broker credential sync running')

let stopping = false
async function shutdown(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'stopping')
  await sync.stop()
  await pool.end()
  process.exit(0)
}
process.once('SIGINT', () => void shutdown('SIGINT'))
process.once('SIGTERM', () => void shutdown('SIGTERM'))
