import { parseArgs } from 'node:util'
import { createLogger } from '@anxin/logging'
import { stackUp } from '@anxin/infra/stack'
import { cleanupStack } from './cleanup.ts'
import { platformUnderLoad } from './load/platform-under-load.ts'
import { keptUp } from './load/ramp.ts'

/**
 * `pnpm load -- --devices 5000 --from 2000 --step 1000 --seconds 30`: load mode. Connects thousands of
 * devices, each on its own MQTT connection with its own password, to a platform of its own (ingestion,
 * recorder, alert as processes, on the local stack), and raises the telemetry rate step by step until the
 * platform falls behind; prints each step and the ceiling.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    devices: { type: 'string', default: '5000' },
    from: { type: 'string', default: '2000' },
    step: { type: 'string', default: '1000' },
    to: { type: 'string', default: '30000' },
    seconds: { type: 'string', default: '30' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log('usage: pnpm load -- [--devices N] [--from MSGS_PER_S] [--step MSGS_PER_S] [--to MSGS_PER_S] [--seconds PER_STEP]')
  process.exit(0)
}
await stackUp(createLogger({ service: 'load', level: 'warn' }))
const cleanup = cleanupStack()
try {
  const started = performance.now()
  const platform = await platformUnderLoad(cleanup, { devices: Number(values.devices) })
  console.log(`${platform.devices} devices connected in ${Math.round((performance.now() - started) / 1000)} s`)
  // Untimed warm-up: every device heard from a few times, so the alert service has loaded each resident's
  // profile and state, and a Kafka just started has warmed its JIT, before any step is judged.
  const from = Number(values.from)
  const warmUpSeconds = Math.max(15, Math.ceil((3 * platform.devices) / from))
  const warm = await platform.step(from, warmUpSeconds, 60)
  console.log(`warm-up: ${warm.sent} messages at ${from} msg/s over ${warmUpSeconds} s, drained in ${warm.drainSeconds} s (not judged)`)
  let ceiling = 0
  for (let rate = from; rate <= Number(values.to); rate += Number(values.step)) {
    const s = await platform.step(rate, Number(values.seconds), 10)
    const cpu = s.usage.parts.map(p => `${p.name} ${p.cpuCores}`).join(', ')
    console.log(
      `${rate} msg/s: generator ${s.generatorMsgsPerS}, stored ${s.stored}/${s.sent}, behind ${s.behind}, drain ${s.drainSeconds} s, ` +
        `lag recorder ${s.lagAtEnd.recorder} alert ${s.lagAtEnd.alert}; cores: ${cpu}`,
    )
    if (!keptUp(s)) break
    ceiling = rate
  }
  const { sent, lost } = await platform.finalDrain(120)
  console.log(`ceiling: ${ceiling} msg/s with ${values.devices} devices (${values.seconds} s steps); ${sent} sent, ${lost} lost after the final drain`)
} finally {
  await cleanup.run()
}
