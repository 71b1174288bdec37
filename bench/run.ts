import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '@anxin/logging'
import { REPO_ROOT, stackUp } from '@anxin/infra/stack'
import { cleanupStack } from './cleanup.ts'
import { benchEndToEnd } from './e2e-throughput.ts'

/** `pnpm bench`: runs the benchmarks on this machine and writes bench/results/latest.json and latest.md. */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    steps: { type: 'string', default: '2000,4000,6000,7000,8000,10000' },
    seconds: { type: 'string', default: '20' },
    devices: { type: 'string', default: '500' },
  },
})
await stackUp(createLogger({ service: 'bench', level: 'warn' }))
const cleanup = cleanupStack()
try {
  const e2e = await benchEndToEnd(cleanup, {
    steps: values.steps.split(',').map(Number),
    seconds: Number(values.seconds),
    devices: Number(values.devices),
    maxDrainSeconds: 10,
  })
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    e2e: {
      sustained_msgs_per_s: e2e.sustainedMsgsPerS,
      lost: e2e.lost,
      qos: 1,
      devices: Number(values.devices),
      seconds_per_step: Number(values.seconds),
      steps: e2e.steps,
    },
  }
  const dir = join(REPO_ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`)
  writeFileSync(join(dir, 'latest.md'), report(result))
  console.log(report(result))
} finally {
  await cleanup.run()
}

function report(r: { measuredAt: string; machine: Record<string, unknown>; e2e: { sustained_msgs_per_s: number; lost: number; devices: number; steps: Array<Record<string, number>> } }): string {
  const rows = r.e2e.steps.map(s => `| ${s.targetMsgsPerS} | ${s.generatorMsgsPerS} | ${s.sent} | ${s.stored} | ${s.lost} | ${s.endToEndMsgsPerS} | ${s.drainSeconds} |`)
  return [
    `# Benchmark results (${r.measuredAt})`,
    '',
    `Machine: ${JSON.stringify(r.machine)}`,
    '',
    `**e2e.sustained_msgs_per_s = ${r.e2e.sustained_msgs_per_s}**, e2e.lost = ${r.e2e.lost} (MQTT QoS 1 -> ingestion -> Kafka -> recorder -> PostgreSQL, ${r.e2e.devices} devices)`,
    '',
    '| target msg/s | generator msg/s | sent | stored | lost | end-to-end msg/s | drain s |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}
