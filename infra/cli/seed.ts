import { parseArgs } from 'node:util'
import { createPool } from '@anxin/db'
import { createLogger } from '@anxin/logging'
import { DEFAULT_RESIDENTS, DEFAULT_SEED, generateDemoDistrict, loadDistrict } from '../seed/index.ts'
import { ensureMosquitto, loadOrCreateStackSettings } from '../stack/index.ts'

/** Loads the demo district into the local stack's registry and gives the broker the new device credentials. */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: { residents: { type: 'string', default: String(DEFAULT_RESIDENTS) }, seed: { type: 'string', default: String(DEFAULT_SEED) } },
})
const logger = createLogger({ service: 'seed' })
const settings = loadOrCreateStackSettings()
const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'anxin-seed', max: 2 })
try {
  const district = generateDemoDistrict({ seed: Number(values.seed), residents: Number(values.residents) })
  const loaded = await loadDistrict(pool, district, settings.DEMO_FLEET_SECRET)
  await ensureMosquitto(settings)
  logger.info(loaded, 'demo district loaded')
} finally {
  await pool.end()
}
