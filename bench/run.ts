import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '@anxin/logging'
import { REPO_ROOT, stackUp } from '@anxin/infra/stack'
import { cleanupStack } from './cleanup.ts'
import { benchDispatch } from './dispatch-throughput.ts'
import { benchMosquittoFloor, benchPgCopyFloor } from './floors.ts'
import { benchKafkaClients } from './kafka-clients.ts'
import { benchEndToEnd } from './e2e-throughput.ts'
import { benchRuleEvaluation } from './alert-rules.ts'
import { benchSosLatency } from './sos-latency.ts'
import { benchTimerPrecision } from './timer-precision.ts'
import { benchNodeRed } from './node-red.ts'
import { renderChart } from './report/chart.ts'
import { chartFromResult } from './report/chart-input.ts'
import { markdownReport } from './report/markdown.ts'
import type { Result } from './report/result.ts'

const SECTIONS = ['alert', 'escalation', 'sos', 'e2e', 'services', 'peers', 'dispatch', 'floors', 'kafka_clients'] as const

/**
 * `pnpm bench`: runs the benchmarks on this machine and writes bench/results/latest.json and latest.md.
 * Sections not run this time (`--only`) keep their earlier results.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    rates: { type: 'string', default: '4000,6000,7000,8000,8500,9000,9500,10000,11000,12000' },
  // The peer's ramp goes on past ours: a plain storage flow has far less to do, and its ceiling is the point.
  'peer-rates': { type: 'string', default: '4000,6000,8000,10000,12000,14000,16000,18000,20000,22000,24000,26000,28000' },
    'ramp-seconds': { type: 'string', default: '20' },
    'hold-seconds': { type: 'string', default: '60' },
    devices: { type: 'string', default: '500' },
    only: { type: 'string', default: 'rules,timers,sos,e2e,peers,dispatch,floors' },
    'sos-presses': { type: 'string', default: '500' },
    'sos-background': { type: 'string', default: '5000' },
    'sos-warm-up': { type: 'string', default: '20' },
    'dispatch-burst': { type: 'string', default: '5000' },
    'dispatch-concurrency': { type: 'string', default: '16' },
    'dispatch-paced': { type: 'string', default: '50' },
  },
})
await stackUp(createLogger({ service: 'bench', level: 'warn' }))

/**
 * Runs one section and tears down what it started before the next begins: a section's services left idling
 * (consumers polling, timers, heartbeats) took a quarter of a core from every section after it.
 */
async function alone<T>(measure: (t: ReturnType<typeof cleanupStack>) => Promise<T>): Promise<T> {
  const scope = cleanupStack()
  try {
    return await measure(scope)
  } finally {
    await scope.run()
    await new Promise(resolve => setTimeout(resolve, 3000)) // SIGTERMed services finish shutting down
  }
}

const only = new Set(values.only.split(','))
const rules = only.has('rules') ? benchRuleEvaluation({ residents: 1000, events: 300000 }) : null
if (rules) console.error(JSON.stringify({ rules }))
const timers = only.has('timers') ? await alone(t => benchTimerPrecision(t, { pending: 10000, spreadSeconds: 20, workers: 4 })) : null
if (timers) console.error(JSON.stringify({ timers }))
const sos = only.has('sos')
  ? await alone(t => benchSosLatency(t, {
      presses: Number(values['sos-presses']), backgroundMsgsPerS: Number(values['sos-background']), devices: 300, warmUpSeconds: Number(values['sos-warm-up']),
    }))
  : null
if (sos) console.error(JSON.stringify({ sos }))
const dispatch = only.has('dispatch')
  ? await alone(t => benchDispatch(t, {
      burst: Number(values['dispatch-burst']), pacedPerS: Number(values['dispatch-paced']), pacedSeconds: 10, staff: 10, concurrency: Number(values['dispatch-concurrency']),
    }))
  : null
// The machine's parts alone (issue 8's floors), and the Kafka client comparison whose kafkajs run is the
// producer floor (the platform's client alone, same envelopes, acks=all).
const kafkaClients = only.has('floors') ? await alone(t => benchKafkaClients(t, { messages: 200000, batch: 500, sosPresses: 200, rounds: 3 })) : null
const mosquittoFloor = only.has('floors') ? await alone(t => benchMosquittoFloor(t, { messages: 200000, publishers: 8, window: 200 })) : null
const pgFloor = only.has('floors') ? await alone(t => benchPgCopyFloor(t, { rows: 500000 })) : null
if (kafkaClients) console.error(JSON.stringify({ kafkaClients, mosquittoFloor, pgFloor }))
const e2e = only.has('e2e')
  ? await alone(t => benchEndToEnd(t, {
      rates: values.rates.split(',').map(Number), rampSeconds: Number(values['ramp-seconds']), holdSeconds: Number(values['hold-seconds']), devices: Number(values.devices),
    }))
  : null
// The peer on the same load: same devices count, same generator, same payloads and QoS.
const nodeRed = only.has('peers') ? await alone(t => benchNodeRed(t, { steps: values['peer-rates'].split(',').map(Number), seconds: Number(values['ramp-seconds']), devices: Number(values.devices), maxDrainSeconds: 10 })) : null
const dir = join(REPO_ROOT, 'bench/results')
const previous = existsSync(join(dir, 'latest.json')) ? (JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as Partial<Result>) : {}
const measured = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  alert: rules && { rules_events_per_s_per_core: rules.eventsPerS, rules_events: rules.events, residents: 1000 },
  escalation: timers && {
    timer_p50_ms: timers.p50Ms,
    timer_p99_ms: timers.p99Ms,
    timer_max_ms: timers.maxMs,
    pending_timers: timers.pending,
    fired: timers.fired,
    due_per_s: timers.firesPerS,
  },
  sos: sos && {
    p50_ms: sos.p50Ms,
    p99_ms: sos.p99Ms,
    max_ms: sos.maxMs,
    presses: sos.presses,
    lost: sos.lost,
    background_msgs_per_s: sos.backgroundMsgsPerS,
    raised_p50_ms: sos.raisedP50Ms,
    raised_p99_ms: sos.raisedP99Ms,
    measured: 'device SOS publish -> ingestion -> Kafka -> alert -> Kafka -> console feed writer -> PostgreSQL -> SSE pushed to a signed-in operator client; raised_*: to the alert service\'s raised event read from Kafka',
  },
  e2e: e2e && {
    sustained_msgs_per_s: e2e.sustainedMsgsPerS,
    held_seconds: e2e.held?.seconds ?? 0,
    sent: e2e.sent,
    lost: e2e.lost,
    qos: 1,
    devices: e2e.devices,
    steps: e2e.steps.map(s => ({ ...s, usage: undefined })),
  },
  services: e2e?.held ? { msgs_per_s: e2e.held.endToEndMsgsPerS, seconds: e2e.held.usage.seconds, parts: e2e.held.usage.parts } : null,
  peers: nodeRed && {
    node_red_msgs_per_s: nodeRed.msgsPerS,
    node_red: {
      version: nodeRed.version,
      best_flow: nodeRed.flow,
      sent: nodeRed.sent,
      lost: nodeRed.lost,
      devices: nodeRed.devices,
      flows: nodeRed.flows.map(f => ({ flow: f.flow, sustained_msgs_per_s: f.sustainedMsgsPerS, cpu_seconds: f.cpuSeconds, peak_rss_mib: f.peakRssMiB, stopped_by: f.stoppedBy, steps: f.steps.map(s => ({ ...s, usage: undefined })) })),
      measured:
        'Node-RED ' + nodeRed.version + ', flow MQTT in (QoS 1) -> function -> pg 8 INSERT into the vitals table, per message and batched (join node, 500 messages or 100 ms, one multi-row INSERT); ' +
        'the same devices, load generator, payloads and QoS as e2e; no validation, Kafka, rules, or location and status rows; Node-RED acknowledges MQTT on receipt, before storing',
    },
  },
  floors: kafkaClients && mosquittoFloor && pgFloor && {
    mosquitto_msgs_per_s: mosquittoFloor.msgsPerS,
    kafka_produce_msgs_per_s: kafkaClients.kafkajs.msgsPerS,
    pg_insert_rows_per_s: pgFloor.rowsPerS,
    measured:
      `mosquitto: ${mosquittoFloor.publishers} devices publishing ${mosquittoFloor.payloadBytes}-byte telemetry at QoS 1 to one QoS 1 subscriber, all from one Node process (so a client-side ceiling too); ` +
      'kafka: the platform\'s kafkajs producer alone, telemetry envelopes in batches of 500, acks=all (median of 3 rounds); pg: psql COPY into the vitals table',
  },
  kafka_clients: kafkaClients,
  dispatch: dispatch && {
    notifications_per_s: dispatch.burst.notificationsPerS,
    commands_per_s: dispatch.burst.commandsPerS,
    first_delivery_p50_ms: dispatch.burst.p50Ms,
    first_delivery_p99_ms: dispatch.burst.p99Ms,
    first_delivery_max_ms: dispatch.burst.maxMs,
    lost: dispatch.burst.lost + dispatch.paced.lost + dispatch.afterBurst.lost,
    duplicates: dispatch.burst.duplicates + dispatch.paced.duplicates + dispatch.afterBurst.duplicates,
    undelivered: dispatch.burst.undelivered + dispatch.paced.undelivered + dispatch.afterBurst.undelivered,
    after_burst_lost: dispatch.afterBurst.lost,
    after_burst_commands: dispatch.afterBurst.commands,
    burst_commands: dispatch.burst.commands,
    burst_intake_commands_per_s: dispatch.burst.intakeCommandsPerS,
    burst_intake_p50_ms: dispatch.burst.intakeP50Ms,
    burst_intake_p99_ms: dispatch.burst.intakeP99Ms,
    paced_commands_per_s: dispatch.pacedPerS,
    paced_seconds: dispatch.pacedSeconds,
    paced_first_delivery_p50_ms: dispatch.paced.p50Ms,
    paced_first_delivery_p99_ms: dispatch.paced.p99Ms,
    paced_first_delivery_max_ms: dispatch.paced.maxMs,
    channels: dispatch.channels,
    channel_concurrency: dispatch.concurrency,
    staff: dispatch.staff,
    measured: 'notify command produced to Kafka -> dispatch (own process) -> first of its deliveries accepted by the SMTP server or the webhook receiver',
  },
}
// A section that was not run is null here: the earlier measurement stays, stamped with when and on what
// machine it was taken (the top-level measuredAt and machine are this run's).
const carried = Object.fromEntries(
  SECTIONS.filter(name => measured[name] === null && previous[name]).map(name => [name, { measured_at: previous.measuredAt, machine: previous.machine, ...previous[name] }]),
)
const fresh = Object.fromEntries(Object.entries(measured).filter(([, v]) => v !== null))
const result = { ...previous, ...carried, ...fresh } as Result
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`)
writeFileSync(join(dir, 'latest.md'), markdownReport(result))
writeFileSync(join(dir, 'latest.svg'), renderChart(chartFromResult(result)))
console.log(markdownReport(result))
