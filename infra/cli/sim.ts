import { parseArgs } from 'node:util'
import { createPool } from '@anxin/db'
import { runFleet } from '@anxin/simulators'
import { readStackSettings } from '../stack/index.ts'


/** `pnpm sim -- --devices 50 --rate 20 --duration 30 --sos 2`: plays the demo fleet against the local stack. */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    devices: { type: 'string', default: '50' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '30' },
    sos: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log('usage: pnpm sim -- [--devices N] [--rate MSGS_PER_S] [--duration SECONDS] [--sos PRESSES]')
  process.exit(0)
}
const settings = readStackSettings()
if (!settings) {
  console.error('no local stack settings (.run/stack.env): run "pnpm stack up" and "pnpm seed" first')
  process.exit(1)
}
const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'anxin-sim', max: 1 })
const { rows } = await pool
  .query<{ id: string }>(
    `SELECT d.id FROM devices d JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
     WHERE d.status = 'active' AND d.type IN ('watch', 'sos_pendant') ORDER BY d.id LIMIT $1`,
    [Number(values.devices)],
  )
  .finally(() => pool.end())
if (rows.length === 0) {
  console.error('no bound devices in the registry: run "pnpm seed" first')
  process.exit(1)
}
const report = await runFleet({
  url: settings.MQTT_URL,
  fleetSecret: settings.DEMO_FLEET_SECRET,
  deviceIds: rows.map(r => r.id),
  ratePerSecond: Number(values.rate),
  durationSeconds: Number(values.duration),
  sosPresses: Number(values.sos),
})
const latencies = report.sos.map(s => Math.round(s.latencyMs))
console.log(JSON.stringify({ ...report, sos: { acknowledged: report.sos.length, latenciesMs: latencies } }))
