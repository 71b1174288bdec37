import type pg from 'pg'
import { LoadFleet, connectFleet, runFleet } from '@anxin/simulators'
import { registerTestDevices, testBroker, testDatabase, testStack, uniqueId, type BrokerCredential, type Teardown, type TestBroker, type TestStack } from '@anxin/testing'
import type { StepResult } from './load/platform-under-load.ts'
import { trackUsage } from './usage/process-usage.ts'
import { stackParts } from './usage/stack-parts.ts'
import { FLOWS, nodeRedVersion, pgVersion, startNodeRed, type NodeRedFlow } from './peers/node-red/process.ts'

/**
 * A step as the platform's own load steps report it, with no Kafka lag to read; `storedMsgsPerS` is the rows
 * stored per second from the first send to the moment the last row was in the table, and `usage` covers
 * Node-RED, Mosquitto, PostgreSQL and the load generator.
 */
export type NodeRedStep = Omit<StepResult, 'endToEndMsgsPerS' | 'lagAtEnd'> & { storedMsgsPerS: number }

export type NodeRedFlowResult = {
  flow: NodeRedFlow
  /** Best step held: every message in the table within 1 s of the last send, generator at rate. */
  sustainedMsgsPerS: number
  sent: number
  lost: number
  steps: NodeRedStep[]
  /** Node-RED's CPU seconds (user + system) from after start-up to the end of the final drain. */
  cpuSeconds: number
  peakRssMiB: number
  /** What ended the stepping: Node-RED fell behind, the load generator could not keep the rate, or no step failed. */
  stoppedBy: 'node-red' | 'generator' | 'none'
}

/** The load: devices publishing telemetry at QoS 1 at an overall rate; `sent` counts what the broker acknowledged. */
export type LoadGenerator = {
  play: (ratePerSecond: number, seconds: number) => Promise<{ sent: number; failed: number; generatorMsgsPerS: number }>
  close: () => unknown
}
export type ConnectLoad = (brokerUrl: string, devices: BrokerCredential[]) => Promise<LoadGenerator>

export type NodeRedResult = {
  /** The better flow's sustained rate (`peers.node_red_msgs_per_s`). */
  msgsPerS: number
  flow: NodeRedFlow
  /** Over both flows, warm-ups included: every message sent must be in a table after the final drains. */
  sent: number
  lost: number
  /** The better flow's steps. */
  steps: NodeRedStep[]
  /** Node-RED's version. */
  version: string
  /** The pg version the flows' PostgreSQL function node loads (node-red-contrib-postgresql is not in the registry reachable here). */
  pg: string
  devices: number
  flows: NodeRedFlowResult[]
}

export type NodeRedOptions = {
  steps: number[]
  seconds: number
  devices: number
  maxDrainSeconds: number
  flows?: NodeRedFlow[]
  /** Defaults to `loadFleet`, the end-to-end benchmark's generator. */
  connectLoad?: ConnectLoad
}

/** The end-to-end benchmark's load: `LoadFleet`, one lean MQTT connection per device. */
export const loadFleet: ConnectLoad = async (brokerUrl, devices) =>
  LoadFleet.connect(brokerUrl, devices.map(d => ({ deviceId: d.username, password: d.password })))

/** The simulator fleet: one `SimulatedDevice` (an mqtt.js client) per device; it costs more CPU per message than `loadFleet`. */
export const simulatorFleet: ConnectLoad = async (brokerUrl, devices) => {
  // The fixture derived each password from this secret; `connectFleet` derives the same.
  const fleet = await connectFleet(brokerUrl, 'test-fleet-secret', devices.map(d => d.username))
  return {
    play: async (ratePerSecond, seconds) => {
      const started = performance.now()
      const report = await runFleet({ url: brokerUrl, fleetSecret: '', deviceIds: [], ratePerSecond, durationSeconds: seconds }, fleet)
      const sendSeconds = (performance.now() - started) / 1000
      return { sent: report.telemetrySent, failed: report.telemetryFailed, generatorMsgsPerS: Math.round(report.telemetrySent / sendSeconds) }
    },
    close: () => Promise.all(fleet.map(d => d.close())),
  }
}

/**
 * The peer measurement: a Node-RED flow doing the plain storage part of the platform's job (MQTT in at QoS
 * 1 -> vitals rows in PostgreSQL) on the same load as the end-to-end benchmark: the same simulated devices,
 * payloads and QoS, stepped up until the flow falls behind. No validation, Kafka, alert evaluation, resident
 * lookup, or location and status rows: the figure for a flow tool storing the same readings, not a like-for-like platform.
 * Two flows: one INSERT per message, and batches (join node, 500 messages or 100 ms) with one multi-row
 * INSERT. Each runs in a fresh Node-RED process against a fresh schema; `msgsPerS` is the better of the two.
 */
export async function benchNodeRed(t: Teardown, options: NodeRedOptions): Promise<NodeRedResult> {
  const stack = await testStack()
  const registry = await testDatabase(t, stack)
  const prefix = uniqueId('nr')
  const { bound } = await registerTestDevices(registry.pool, { count: options.devices, prefix })
  const credentials = bound.map(d => ({ username: d.deviceId, password: d.password }))
  const broker = await testBroker(t, stack, credentials)
  const load = await (options.connectLoad ?? loadFleet)(broker.url, credentials)
  t.teardown(() => load.close())

  const flows: NodeRedFlowResult[] = []
  for (const flow of options.flows ?? FLOWS) flows.push(await benchFlow(t, stack, broker, load, flow, options))
  const best = flows.reduce((a, b) => (b.sustainedMsgsPerS > a.sustainedMsgsPerS ? b : a))
  return {
    msgsPerS: best.sustainedMsgsPerS,
    flow: best.flow,
    sent: flows.reduce((n, f) => n + f.sent, 0),
    lost: flows.reduce((n, f) => n + f.lost, 0),
    steps: best.steps,
    version: nodeRedVersion(),
    pg: pgVersion(),
    devices: options.devices,
    flows,
  }
}

async function benchFlow(t: Teardown, stack: TestStack, broker: TestBroker, load: LoadGenerator, flow: NodeRedFlow, options: NodeRedOptions): Promise<NodeRedFlowResult> {
  // A schema of its own per flow, so each flow's rows are counted alone.
  const db = await testDatabase(t, stack)
  const url = new URL(stack.databaseUrl)
  // Node-RED reads the uplink as ingestion does, with the ingestion account: the only one the ACL lets read it.
  const nodeRed = await startNodeRed(flow, {
    mqtt: { host: '127.0.0.1', port: broker.port, username: broker.ingestion.username, password: broker.ingestion.password },
    pg: {
      host: url.hostname,
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      schema: db.schema,
    },
  })
  t.teardown(() => nodeRed.stop())
  try {
    // "Connected" comes before the subscription is granted, and a clean session drops what arrives before it:
    // publish until a row lands, then let the count settle. Messages sent until then are not counted.
    const subscribeDeadline = performance.now() + 30_000
    while ((await countRows(db.pool)) === 0) {
      if (performance.now() > subscribeDeadline) throw new Error(`Node-RED (${flow}) stored nothing:\n${nodeRed.output()}`)
      await load.play(50, 1)
      await new Promise(r => setTimeout(r, 500))
    }
    const base = await settledCount(db.pool)
    // Warm-up (JIT, pool): must land whole, or the flow is broken and the steps would mean nothing.
    const warm = await load.play(200, 2)
    if ((await waitForRows(db.pool, base + warm.sent, 30)).stored < base + warm.sent) {
      throw new Error(`Node-RED (${flow}) stored ${(await countRows(db.pool)) - base} of ${warm.sent} warm-up messages:\n${nodeRed.output()}`)
    }
    const cpuAtStart = nodeRed.cpuSeconds()
    let sent = warm.sent
    const parts = [
      { name: 'node-red', rootPid: () => nodeRed.pid },
      { name: 'mosquitto', rootPid: broker.pid },
      { name: 'load generator', rootPid: () => process.pid },
      ...stackParts().filter(p => p.name === 'postgresql'),
    ]
    const steps: NodeRedStep[] = []
    for (const rate of options.steps) {
      const before = await countRows(db.pool)
      const usage = trackUsage(parts)
      const started = performance.now()
      const report = await load.play(rate, options.seconds)
      const sendSeconds = (performance.now() - started) / 1000
      sent += report.sent
      const { stored } = await waitForRows(db.pool, before + report.sent, options.maxDrainSeconds)
      const totalSeconds = (performance.now() - started) / 1000
      const step: NodeRedStep = {
        targetMsgsPerS: rate,
        seconds: options.seconds,
        sent: report.sent,
        sendFailed: report.failed,
        generatorMsgsPerS: report.generatorMsgsPerS,
        stored: stored - before,
        behind: before + report.sent - stored,
        storedMsgsPerS: Math.round((stored - before) / totalSeconds),
        drainSeconds: Math.round((totalSeconds - sendSeconds) * 100) / 100,
        usage: usage.stop(),
      }
      steps.push(step)
      console.error(JSON.stringify({ nodeRed: flow, ...step }))
      if (step.behind > 0 || step.generatorMsgsPerS < rate * 0.95) break
    }
    // Loss is judged at the end, once Node-RED has had time to work through any backlog it holds in memory.
    const stored = (await waitForRows(db.pool, base + sent, 120)).stored - base
    const last = steps.at(-1)
    const stoppedBy = !last ? 'none' : last.generatorMsgsPerS < last.targetMsgsPerS * 0.95 ? 'generator' : last.behind > 0 ? 'node-red' : 'none'
    const held = steps.filter(s => s.behind === 0 && s.generatorMsgsPerS >= s.targetMsgsPerS * 0.95 && s.drainSeconds <= 1)
    return {
      flow,
      sustainedMsgsPerS: held.length ? Math.max(...held.map(s => s.storedMsgsPerS)) : 0,
      sent,
      lost: sent - stored,
      steps,
      cpuSeconds: Math.round((nodeRed.cpuSeconds() - cpuAtStart) * 10) / 10,
      peakRssMiB: nodeRed.peakRssMiB(),
      stoppedBy,
    }
  } finally {
    await nodeRed.stop()
  }
}

/** The row count once it has not changed for a second. */
async function settledCount(pool: pg.Pool): Promise<number> {
  let last = -1
  let count = await countRows(pool)
  while (count !== last) {
    await new Promise(r => setTimeout(r, 1000))
    last = count
    count = await countRows(pool)
  }
  return count
}

/** Polls the row count until it reaches `expected` or `seconds` pass; returns the last count. */
async function waitForRows(pool: pg.Pool, expected: number, seconds: number): Promise<{ stored: number }> {
  const deadline = performance.now() + seconds * 1000
  let stored = await countRows(pool)
  while (stored < expected && performance.now() < deadline) {
    await new Promise(r => setTimeout(r, 100))
    stored = await countRows(pool)
  }
  return { stored }
}

async function countRows(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vitals')).rows[0]!.n)
}
