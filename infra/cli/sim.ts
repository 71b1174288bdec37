import { parseArgs } from 'node:util'
import { createPool } from '@anxin/db'
import { lifeDevicesFromRegistry, lifeProfileFromRegistry, playDistrict, REGISTRY_RESIDENTS_SQL, runFleet, type RegistryResidentRow } from '@anxin/simulators'
import { readStackSettings } from '../stack/index.ts'

const USAGE = `usage: pnpm sim -- [--mode district|flat] [options]

  --mode district (default)  the registry's residents live their days on their bound devices: sleep and bed
                             sensors, meals, walks, wandering, falls, SOS, check-ins, charging, drop-outs
    --speed N                simulated seconds per wall second (default 60: a day in 24 minutes)
    --seed N                 same seed, same lives (default 1)
    --rates demo|realistic   how often rare events happen (default demo: falls, SOS and wandering within minutes)
    --residents N            at most N residents (default: all with a bound device)
    --duration SECONDS       wall-clock length of the run (default: until Ctrl-C)
    --from ISO_TIME          simulated start (default: now)

  --mode flat                round-robin telemetry from bound watches and pendants, for load
    --devices N              (default 50)
    --rate MSGS_PER_S        (default 20)
    --duration SECONDS       (default 30)
    --sos PRESSES            (default 1)`

/** `pnpm sim`: plays the registry's devices against the local stack, lifelike (district) or flat. */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    mode: { type: 'string', default: 'district' },
    devices: { type: 'string', default: '50' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string' },
    sos: { type: 'string', default: '1' },
    speed: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    rates: { type: 'string', default: 'demo' },
    residents: { type: 'string' },
    from: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (values.mode !== 'district' && values.mode !== 'flat') fail(`--mode must be district or flat, not ${values.mode}`)
if (values.rates !== 'demo' && values.rates !== 'realistic') fail(`--rates must be demo or realistic, not ${values.rates}`)
const settings = readStackSettings()
if (!settings) fail('no local stack settings (.run/stack.env): run "pnpm stack up" and "pnpm seed" first')
const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'anxin-sim', max: 1 })

if (values.mode === 'flat') {
  const { rows } = await pool
    .query<{ id: string }>(
      `SELECT d.id FROM devices d JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
       WHERE d.status = 'active' AND d.type IN ('watch', 'sos_pendant') ORDER BY d.id LIMIT $1`,
      [Number(values.devices)],
    )
    .finally(() => pool.end())
  if (rows.length === 0) fail('no bound devices in the registry: run "pnpm seed" first')
  const report = await runFleet({
    url: settings.MQTT_URL,
    fleetSecret: settings.DEMO_FLEET_SECRET,
    deviceIds: rows.map(r => r.id),
    ratePerSecond: Number(values.rate),
    durationSeconds: Number(values.duration ?? '30'),
    sosPresses: Number(values.sos),
  })
  const latencies = report.sos.map(s => Math.round(s.latencyMs))
  console.log(JSON.stringify({ ...report, sos: { acknowledged: report.sos.length, latenciesMs: latencies } }))
} else {
  const { rows } = await pool
    .query<RegistryResidentRow & { devices: Array<{ id: string; type: string }> }>(REGISTRY_RESIDENTS_SQL, [values.residents ? Number(values.residents) : null])
    .finally(() => pool.end())
  const residents = rows.map(row => ({ profile: lifeProfileFromRegistry(row), devices: lifeDevicesFromRegistry(row.devices) })).filter(r => r.devices.length > 0)
  if (residents.length === 0) fail('no residents with bound devices in the registry: run "pnpm seed" first')
  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  process.once('SIGTERM', () => stop.abort())
  const speed = Number(values.speed)
  console.log(`playing ${residents.length} residents (${residents.reduce((n, r) => n + r.devices.length, 0)} devices) at ${speed}x, seed ${values.seed}, ${values.rates} rates; Ctrl-C stops`)
  const report = await playDistrict({
    url: settings.MQTT_URL,
    fleetSecret: settings.DEMO_FLEET_SECRET,
    residents,
    seed: Number(values.seed),
    speed,
    durationSeconds: values.duration ? Number(values.duration) : Number.POSITIVE_INFINITY,
    rates: values.rates,
    ...(values.from ? { from: Date.parse(values.from) } : {}),
    signal: stop.signal,
  })
  console.log(JSON.stringify(report))
}

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}
