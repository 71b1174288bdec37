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

const SECTIONS = ['alert', 'escalation', 'sos', 'e2e', 'dispatch', 'floors', 'kafka_clients'] as const

/**
 * `pnpm bench`: runs the benchmarks on this machine and writes bench/results/latest.json and latest.md.
 * Sections not run this time (`--only`) keep their earlier results.
 */
const { values } = parseArgs({
  args: process.argv.slice(2).filter(a => a !== '--'),
  options: {
    steps: { type: 'string', default: '2000,4000,6000,7000,8000,10000' },
    seconds: { type: 'string', default: '20' },
    devices: { type: 'string', default: '500' },
    only: { type: 'string', default: 'rules,timers,sos,e2e,dispatch,floors' },
    'sos-presses': { type: 'string', default: '100' },
    'sos-background': { type: 'string', default: '2000' },
    'dispatch-burst': { type: 'string', default: '5000' },
    'dispatch-concurrency': { type: 'string', default: '16' },
    'dispatch-paced': { type: 'string', default: '50' },
  },
})
await stackUp(createLogger({ service: 'bench', level: 'warn' }))
const cleanup = cleanupStack()
try {
  const only = new Set(values.only.split(','))
  const rules = only.has('rules') ? benchRuleEvaluation({ residents: 1000, events: 300000 }) : null
  if (rules) console.error(JSON.stringify({ rules }))
  const timers = only.has('timers') ? await benchTimerPrecision(cleanup, { pending: 10000, spreadSeconds: 20, workers: 4 }) : null
  if (timers) console.error(JSON.stringify({ timers }))
  const sos = only.has('sos')
    ? await benchSosLatency(cleanup, { presses: Number(values['sos-presses']), backgroundMsgsPerS: Number(values['sos-background']), devices: 300 })
    : null
  if (sos) console.error(JSON.stringify({ sos }))
  const dispatch = only.has('dispatch')
    ? await benchDispatch(cleanup, {
        burst: Number(values['dispatch-burst']), pacedPerS: Number(values['dispatch-paced']), pacedSeconds: 10, staff: 10, concurrency: Number(values['dispatch-concurrency']),
      })
    : null
  // The machine's parts alone (issue 8's floors), and the Kafka client comparison whose kafkajs run is the
  // producer floor (the platform's client alone, same envelopes, acks=all).
  const kafkaClients = only.has('floors') ? await benchKafkaClients(cleanup, { messages: 200000, batch: 500, sosPresses: 200 }) : null
  const mosquittoFloor = only.has('floors') ? await benchMosquittoFloor(cleanup, { messages: 200000, publishers: 8, window: 200 }) : null
  const pgFloor = only.has('floors') ? await benchPgCopyFloor(cleanup, { rows: 500000 }) : null
  if (kafkaClients) console.error(JSON.stringify({ kafkaClients, mosquittoFloor, pgFloor }))
  const e2e = only.has('e2e')
    ? await benchEndToEnd(cleanup, { steps: values.steps.split(',').map(Number), seconds: Number(values.seconds), devices: Number(values.devices), maxDrainSeconds: 10 })
    : null
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
      sent: e2e.sent,
      lost: e2e.lost,
      qos: 1,
      devices: Number(values.devices),
      seconds_per_step: Number(values.seconds),
      steps: e2e.steps,
    },
    floors: kafkaClients && mosquittoFloor && pgFloor && {
      mosquitto_msgs_per_s: mosquittoFloor.msgsPerS,
      kafka_produce_msgs_per_s: kafkaClients.kafkajs.msgsPerS,
      pg_insert_rows_per_s: pgFloor.rowsPerS,
      measured:
        `mosquitto: ${mosquittoFloor.publishers} devices publishing ${mosquittoFloor.payloadBytes}-byte telemetry at QoS 1 to one QoS 1 subscriber, all from one Node process (so a client-side ceiling too); ` +
        'kafka: the platform\'s kafkajs producer alone, telemetry envelopes in batches of 500, acks=all; pg: psql COPY into the vitals table',
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
  writeFileSync(join(dir, 'latest.md'), report(result))
  console.log(report(result))
} finally {
  await cleanup.run()
}

/** A section carried over from an earlier run says when, and on what machine, it was measured. */
type Earlier = { measured_at?: string; machine?: Record<string, unknown> }

type Result = {
  measuredAt: string
  machine: Record<string, unknown>
  alert: ({ rules_events_per_s_per_core: number } & Earlier) | null
  escalation: ({ timer_p50_ms: number; timer_p99_ms: number; timer_max_ms: number; pending_timers: number; fired: number; due_per_s: number } & Earlier) | null
  sos: ({ p50_ms: number; p99_ms: number; max_ms: number; presses: number; lost: number; background_msgs_per_s: number; raised_p50_ms?: number; raised_p99_ms?: number } & Earlier) | null
  e2e: ({ sustained_msgs_per_s: number; sent: number; lost: number; devices: number; steps: Array<Record<string, number>> } & Earlier) | null
  dispatch: ({
    notifications_per_s: number; commands_per_s: number; first_delivery_p50_ms: number; first_delivery_p99_ms: number; first_delivery_max_ms: number
    lost: number; after_burst_lost: number; after_burst_commands: number; duplicates: number; burst_commands: number; channel_concurrency: number; paced_commands_per_s: number; paced_seconds: number
    paced_first_delivery_p50_ms: number; paced_first_delivery_p99_ms: number
  } & Earlier) | null
  floors: ({ mosquitto_msgs_per_s: number; kafka_produce_msgs_per_s: number; pg_insert_rows_per_s: number; measured: string } & Earlier) | null
  kafka_clients: ({ kafkajs: ClientFigures; platformatic: ClientFigures; verdict: string } & Earlier) | null
}

type ClientFigures = { msgsPerS: number; mbPerS: number; sosP50Ms: number; sosP99Ms: number; peakRssMiB: number; processCpuMs: number; lost: number; duplicates: number }

function earlier(section: Earlier): string {
  return section.measured_at ? ` _(earlier run: ${section.measured_at}, ${JSON.stringify(section.machine)})_` : ''
}

function report(r: Result): string {
  const lines = [`# Benchmark results (${r.measuredAt})`, '', `Machine: ${JSON.stringify(r.machine)}`, '']
  if (r.alert) lines.push(`**alert.rules_events_per_s_per_core = ${r.alert.rules_events_per_s_per_core}** (all rules on vitals + location + status envelopes, one core, no I/O)${earlier(r.alert)}`, '')
  if (r.escalation) {
    const e = r.escalation
    lines.push(`**Escalation timers: fire time minus due time p50 ${e.timer_p50_ms} ms, p99 ${e.timer_p99_ms} ms, max ${e.timer_max_ms} ms** (${e.pending_timers} pending, due at ${e.due_per_s}/s, ${e.fired} fired, PostgreSQL-backed)${earlier(e)}`, '')
  }
  if (r.sos) {
    lines.push(
      `**SOS press to alarm on the console: p50 ${r.sos.p50_ms} ms, p99 ${r.sos.p99_ms} ms, max ${r.sos.max_ms} ms** (${r.sos.presses} presses, ${r.sos.lost} lost, ` +
        `background telemetry ${r.sos.background_msgs_per_s} msg/s; MQTT -> ingestion -> Kafka -> alert -> Kafka -> console -> SSE to a signed-in operator; ` +
        `of which press to the alert's raised event in Kafka: p50 ${r.sos.raised_p50_ms ?? '?'} ms, p99 ${r.sos.raised_p99_ms ?? '?'} ms)${earlier(r.sos)}`,
      '',
    )
  }
  if (r.e2e) {
    const rows = r.e2e.steps.map(s => `| ${s.targetMsgsPerS} | ${s.generatorMsgsPerS} | ${s.sent} | ${s.stored} | ${s.behind} | ${s.endToEndMsgsPerS} | ${s.drainSeconds} |`)
    lines.push(
      `**e2e.sustained_msgs_per_s = ${r.e2e.sustained_msgs_per_s}**, e2e.lost = ${r.e2e.lost} of ${r.e2e.sent} sent, counted after a final drain (MQTT QoS 1 -> ingestion -> Kafka -> recorder -> PostgreSQL, with the alert service evaluating every reading, ${r.e2e.devices} devices)${earlier(r.e2e)}`,
      '',
      '| target msg/s | generator msg/s | sent | stored by end of drain | behind | end-to-end msg/s | drain s |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    )
  }
  if (r.floors) {
    const f = r.floors
    lines.push(
      `**Floors (each part alone): Mosquitto ${f.mosquitto_msgs_per_s} msg/s, Kafka produce ${f.kafka_produce_msgs_per_s} msg/s, PostgreSQL COPY ${f.pg_insert_rows_per_s} rows/s** (${f.measured})${earlier(f)}`,
      '',
    )
  }
  if (r.kafka_clients) {
    const k = r.kafka_clients
    const row = (name: string, c: ClientFigures) => `| ${name} | ${c.msgsPerS} | ${c.mbPerS} | ${c.sosP50Ms} | ${c.sosP99Ms} | ${c.processCpuMs} | ${c.peakRssMiB} | ${c.lost} / ${c.duplicates} |`
    lines.push(
      '**Kafka clients on the ingestion path** (docs/kafka-client.md):', '',
      '| client | telemetry msg/s | MB/s | SOS p50 ms | SOS p99 ms | CPU ms | peak RSS MiB | lost / duplicates |', '|---|---|---|---|---|---|---|---|',
      row('kafkajs', k.kafkajs), row('@platformatic/kafka', k.platformatic), '', `Verdict: ${k.verdict}${earlier(k)}`, '',
    )
  }
  if (r.dispatch) {
    const d = r.dispatch
    lines.push(
      `**dispatch.notifications_per_s = ${d.notifications_per_s}** (${d.commands_per_s} commands/s), notify command to first delivery under a burst of ${d.burst_commands} commands: ` +
        `**p50 ${d.first_delivery_p50_ms} ms, p99 ${d.first_delivery_p99_ms} ms, max ${d.first_delivery_max_ms} ms**; paced at ${d.paced_commands_per_s} commands/s for ${d.paced_seconds} s: ` +
        `**p50 ${d.paced_first_delivery_p50_ms} ms, p99 ${d.paced_first_delivery_p99_ms} ms**; ` +
        `${d.lost} commands lost (${d.after_burst_lost} of the ${d.after_burst_commands} sent after the burst), ${d.duplicates} duplicates ` +
        `(critical SOS on e-mail + webhook, 2 deliveries per command, CHANNEL_CONCURRENCY ${d.channel_concurrency}; Kafka -> dispatch -> real SMTP server and webhook receiver)${earlier(d)}`,
      '',
    )
  }
  return lines.join('\n')
}
