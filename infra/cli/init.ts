import { loadConfig } from '@anxin/config'
import { declaredKafkaTopics } from '@anxin/contracts'
import { mosquittoPasswordHash } from '@anxin/credentials'
import { createPool, migratePool } from '@anxin/db'
import { createKafka, ensureTopics } from '@anxin/kafka'
import { createLogger } from '@anxin/logging'
import { writeBrokerFiles } from '../mosquitto/index.ts'
import { generateDemoDistrict, loadDistrict } from '../seed/index.ts'
import { initEnvSchema } from './init-config.ts'

/**
 * One-shot initialisation for containerised deployments (docker-compose's `init` service): migrate the
 * database, create the declared Kafka topics, optionally load the demo district, and render Mosquitto's
 * config, ACL and password file into a shared volume. The local stack does the same through `pnpm stack up`.
 */
const config = loadConfig('init', initEnvSchema)
const logger = createLogger({ service: 'init' })
const pool = createPool({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: 'anxin-init', max: 2 })
try {
  const migrated = await migratePool(pool, config.DATABASE_SCHEMA)
  logger.info({ applied: migrated.applied, timescale: migrated.timescale }, 'database migrated')
  const admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'anxin-init', logger }).admin()
  await admin.connect()
  logger.info({ created: await ensureTopics(admin, declaredKafkaTopics) }, 'kafka topics ready')
  await admin.disconnect()
  if (config.SEED_DEMO === 'true') logger.info(await loadDistrict(pool, generateDemoDistrict(), config.DEMO_FLEET_SECRET), 'demo district loaded')
  const devices = await pool.query<{ id: string; mqtt_password_hash: string }>(
    `SELECT id, mqtt_password_hash FROM devices WHERE status = 'active' ORDER BY id`,
  )
  writeBrokerFiles({
    dir: config.BROKER_CONFIG_DIR,
    port: config.BROKER_PORT,
    host: '0.0.0.0',
    logToFile: false,
    accounts: [{ username: config.MQTT_INGESTION_USERNAME, role: 'ingestion' }],
    passwords: [
      { username: config.MQTT_INGESTION_USERNAME, hash: mosquittoPasswordHash(config.MQTT_INGESTION_PASSWORD) },
      ...devices.rows.map(d => ({ username: d.id, hash: d.mqtt_password_hash })),
    ],
  })
  logger.info({ devices: devices.rowCount }, 'broker files written')
} finally {
  await pool.end()
}
