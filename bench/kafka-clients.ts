import { execFile, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { testLogger, testStack, testTopics, uniqueId, type Teardown, type TestTopics } from '@anxin/testing'
import { CLIENTS, type ClientName, type WorkerJob } from './kafka-clients/driver.ts'
import type { WorkerResult } from './kafka-clients/worker.ts'

const WORKER = fileURLToPath(new URL('./kafka-clients/worker.ts', import.meta.url))
const DEVICES = 2000

export type ClientResult = WorkerResult & {
  /** Read back from Kafka: messages whose event id arrived once, more than once, or never. */
  delivered: number
  duplicates: number
  lost: number
  latestVersion: string | null
  latestReleasedAt: string | null
}

/** Runs one client's worker process and waits for its measurements. */
function runWorker(job: WorkerJob): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', m => {
      const reply = m as { ok: true; result: WorkerResult } | { ok: false; error: string }
      if (reply.ok) resolve(reply.result)
      else reject(new Error(`${job.client} worker: ${reply.error}`))
    })
    child.once('exit', code => reject(new Error(`${job.client} worker exited with ${code}`)))
    child.send(job)
  })
}

/**
 * Reads a topic back from the beginning and counts each event id (ingestion's `event-id` header): every
 * message sent must be there exactly once. Also records the partition of each key, to check that both
 * clients place a device's messages in the same partition.
 */
async function readBack(topics: TestTopics, topic: string, expected: number, partitionOfKey?: Map<string, number>) {
  const seen = new Map<string, number>()
  const consumer = topics.kafka.consumer({ groupId: `readback-${uniqueId()}`, maxWaitTimeInMs: 100, maxBytes: 64 * 2 ** 20 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const id = String(m.headers?.['event-id'] ?? '')
          seen.set(id, (seen.get(id) ?? 0) + 1)
          if (partitionOfKey && m.key) partitionOfKey.set(m.key.toString(), batch.partition)
        }
      },
    })
    const deadline = Date.now() + 120_000
    while (seen.size < expected && Date.now() < deadline) await new Promise(r => setTimeout(r, 100))
    // A moment longer, so a duplicate arriving just after the last expected message is counted too.
    await new Promise(r => setTimeout(r, 1000))
  } finally {
    await consumer.disconnect()
  }
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0)
  return { delivered: seen.size, duplicates, lost: Math.max(0, expected - seen.size) }
}

/** The newest stable release and its date, from the npm registry (null when the registry cannot be asked). */
async function latestRelease(name: string): Promise<{ version: string | null; at: string | null }> {
  try {
    const { stdout } = await promisify(execFile)('pnpm', ['view', name, 'dist-tags', 'time', '--json'], { timeout: 20000 })
    const info = JSON.parse(stdout) as { 'dist-tags': { latest: string }; time: Record<string, string> }
    const version = info['dist-tags'].latest
    return { version, at: info.time.modified ?? info.time[version] ?? null }
  } catch {
    return { version: null, at: null }
  }
}

const PACKAGES: Record<ClientName, string> = { kafkajs: 'kafkajs', platformatic: '@platformatic/kafka' }

/**
 * The ingestion path's Kafka writes with kafkajs (as packages/kafka configures it) and with @platformatic/kafka
 * configured the same way, side by side against the same broker: telemetry envelopes in batches with
 * acks=all (throughput), single SOS records on a producer of their own (latency), CPU and peak memory of a
 * process running only that client, and every message read back exactly once. Each client writes to a topic
 * set of its own; the broker is warmed up first so neither client pays for the JVM's start.
 */
export async function benchKafkaClients(t: Teardown, options: { messages: number; batch: number; sosPresses: number; rounds: number }) {
  const stack = await testStack()
  const { logger } = testLogger('bench')
  // The same device ids for both clients (each writes to its own topics), so their key placement can be compared.
  const runId = uniqueId('k')
  const job = (client: ClientName, topics: TestTopics, messages: number, sosPresses: number): WorkerJob => ({
    client, brokers: stack.kafkaBrokers, telemetryTopic: topics.names.deviceTelemetry, alarmTopic: topics.names.deviceAlarm,
    messages, batch: options.batch, devices: DEVICES, sosPresses, runId,
  })

  const warmup = await testTopics(t, stack, logger)
  for (const client of CLIENTS) await runWorker(job(client, warmup, Math.min(options.messages, 20000), 20))

  const placement: Record<string, Map<string, number>> = {}
  // One run on two shared cores is noisy (the broker and the client compete), so the clients take turns for
  // several rounds, the order swapped each round, and the verdict is on the medians.
  const rounds: Array<Record<ClientName, ClientResult>> = []
  for (let round = 0; round < options.rounds; round++) {
    const results = {} as Record<ClientName, ClientResult>
    for (const client of round % 2 === 0 ? CLIENTS : [...CLIENTS].reverse()) {
      const topics = await testTopics(t, stack, logger)
      const measured = await runWorker(job(client, topics, options.messages, options.sosPresses))
      placement[client] = new Map()
      const telemetry = await readBack(topics, topics.names.deviceTelemetry, options.messages, placement[client])
      // The urgent topic also holds the one warm-up SOS each worker sends before the clock starts.
      const alarms = await readBack(topics, topics.names.deviceAlarm, options.sosPresses + 1)
      const release = await latestRelease(PACKAGES[client])
      results[client] = {
        ...measured,
        delivered: telemetry.delivered + alarms.delivered,
        duplicates: telemetry.duplicates + alarms.duplicates,
        lost: telemetry.lost + alarms.lost,
        latestVersion: release.version,
        latestReleasedAt: release.at,
      }
      console.error(JSON.stringify({ kafkaClients: results[client] }))
    }
    rounds.push(results)
  }
  const results = { kafkajs: medianResult(rounds.map(r => r.kafkajs)), platformatic: medianResult(rounds.map(r => r.platformatic)) }
  const keys = [...placement.kafkajs!.keys()]
  const partitionMismatches = keys.filter(k => placement.platformatic!.get(k) !== placement.kafkajs!.get(k)).length
  return {
    kafkajs: results.kafkajs,
    platformatic: results.platformatic,
    partitionMismatches,
    rounds: rounds.map(r => ({ kafkajs: pick(r.kafkajs), platformatic: pick(r.platformatic) })),
    verdict: verdict(results.kafkajs, results.platformatic, partitionMismatches),
  }
}

function pick(r: ClientResult) {
  return { msgsPerS: r.msgsPerS, sosP50Ms: r.sosP50Ms, sosP99Ms: r.sosP99Ms, processCpuMs: r.processCpuMs, peakRssMiB: r.peakRssMiB }
}

/** Median of each measured figure over the rounds; losses and duplicates are summed (one is too many). */
export function medianResult(runs: ClientResult[]): ClientResult {
  const median = (get: (r: ClientResult) => number) => {
    const sorted = runs.map(get).sort((a, b) => a - b)
    const mid = Math.floor(sorted.length / 2)
    return sorted.length % 2 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 10) / 10
  }
  return {
    ...runs[0]!,
    msgsPerS: median(r => r.msgsPerS),
    mbPerS: median(r => r.mbPerS),
    cpuMsPer10kMsgs: median(r => r.cpuMsPer10kMsgs),
    sosP50Ms: median(r => r.sosP50Ms),
    sosP99Ms: median(r => r.sosP99Ms),
    sosMaxMs: median(r => r.sosMaxMs),
    processCpuMs: median(r => r.processCpuMs),
    peakRssMiB: Math.max(...runs.map(r => r.peakRssMiB)),
    delivered: runs.reduce((n, r) => n + r.delivered, 0),
    duplicates: runs.reduce((n, r) => n + r.duplicates, 0),
    lost: runs.reduce((n, r) => n + r.lost, 0),
  }
}

/**
 * Keep kafkajs unless the alternative is clearly better with nothing lost: at least 1.5x the throughput, or a
 * p99 under two thirds of kafkajs's (and at least 2 ms lower), and never with a worse SOS p99. Maintenance is weighed as a reason to revisit,
 * not to switch on its own: a switch touches every producer and consumer in the platform.
 */
export function verdict(k: ClientResult, p: ClientResult, partitionMismatches: number): string {
  const ratio = p.msgsPerS / k.msgsPerS
  const p99Better = p.sosP99Ms <= k.sosP99Ms * (2 / 3) && k.sosP99Ms - p.sosP99Ms >= 2
  // The urgent lane is what the platform exists for: a faster telemetry lane never buys a slower SOS.
  const p99Worse = p.sosP99Ms > k.sosP99Ms * 1.5 && p.sosP99Ms - k.sosP99Ms >= 2
  const clean = (r: ClientResult) => r.lost === 0 && r.duplicates === 0
  const facts =
    `throughput ${p.msgsPerS} vs ${k.msgsPerS} msg/s (${ratio.toFixed(2)}x), SOS p99 ${p.sosP99Ms} vs ${k.sosP99Ms} ms, ` +
    `peak RSS ${p.peakRssMiB} vs ${k.peakRssMiB} MiB (platformatic vs kafkajs); ` +
    `kafkajs ${k.latestVersion ?? '?'} released ${k.latestReleasedAt?.slice(0, 10) ?? '?'}, @platformatic/kafka ${p.latestVersion ?? '?'} released ${p.latestReleasedAt?.slice(0, 10) ?? '?'}`
  if (!clean(p) || partitionMismatches > 0) {
    return `keep kafkajs: @platformatic/kafka lost ${p.lost}, duplicated ${p.duplicates} or placed ${partitionMismatches} keys differently; ${facts}`
  }
  if (!clean(k)) return `kafkajs lost or duplicated messages (${k.lost} lost, ${k.duplicates} duplicated): investigate before deciding; ${facts}`
  if (p99Worse) return `keep kafkajs: @platformatic/kafka's urgent-lane p99 is worse (${p.sosP99Ms} vs ${k.sosP99Ms} ms); ${facts}`
  if (ratio >= 1.5 || p99Better) {
    return `switch candidate: @platformatic/kafka is clearly better (${ratio >= 1.5 ? 'throughput' : 'urgent-lane p99'}) with nothing lost, and is actively maintained; ${facts}`
  }
  return `keep kafkajs: @platformatic/kafka is not clearly better (needs >=1.5x throughput or a clearly lower p99); kafkajs's maintenance is the risk to watch; ${facts}`
}
