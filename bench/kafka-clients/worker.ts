import { sosRecord, telemetryBatches } from './envelopes.ts'
import type { Driver, WorkerJob } from './driver.ts'

/**
 * One client in a process of its own, so its CPU time and peak memory are its own. Started by
 * `benchKafkaClients` with the job as the IPC message; answers with its measurements and exits.
 */
export type WorkerResult = {
  client: WorkerJob['client']
  sent: number
  seconds: number
  msgsPerS: number
  mbPerS: number
  /** CPU spent inside the client's send calls (user + system, this process), per 10k messages. */
  cpuMsPer10kMsgs: number
  sosPresses: number
  sosP50Ms: number
  sosP99Ms: number
  sosMaxMs: number
  /** Whole process: module load, connect, both phases, close. */
  processCpuMs: number
  peakRssMiB: number
  /** Resident memory with the client loaded but before it connected. */
  idleRssMiB: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const round1 = (n: number): number => Math.round(n * 10) / 10
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000

async function run(job: WorkerJob): Promise<WorkerResult> {
  const { connect } = (await import(job.client === 'kafkajs' ? './kafkajs-driver.ts' : './platformatic-driver.ts')) as { connect: (b: string[]) => Promise<Driver> }
  const idleRssMiB = process.memoryUsage.rss() / 2 ** 20
  const driver = await connect(job.brokers)
  try {
    // Warm-up: metadata, producer id and connections, outside the clock.
    await driver.sendOne(job.alarmTopic, sosRecord(`${job.runId}-warm`, 0))

    const batches = telemetryBatches({ messages: job.messages, batch: job.batch, devices: job.devices, runId: job.runId, seed: 86 })
    let sent = 0
    let bytes = 0
    let sendMs = 0
    let sendCpuMs = 0
    while (sent < job.messages) {
      // Building the envelopes is the same work for either client, so it stays off the clock.
      const records = batches.next()
      const cpu = process.cpuUsage()
      const started = performance.now()
      await driver.sendBatch(job.telemetryTopic, records)
      sendMs += performance.now() - started
      sendCpuMs += cpuMs(process.cpuUsage(cpu))
      sent += records.length
      // Counted after the send, from the JSON each client wrote (same serialisation for both).
      for (const r of records) bytes += Buffer.byteLength(JSON.stringify(r.value))
    }

    const latencies: number[] = []
    for (let press = 1; press <= job.sosPresses; press++) {
      const record = sosRecord(job.runId, press)
      const started = performance.now()
      await driver.sendOne(job.alarmTopic, record)
      latencies.push(performance.now() - started)
      // Presses are moments apart, not a tight loop: the producer is idle between them, as in production.
      await new Promise(r => setTimeout(r, 10))
    }
    latencies.sort((a, b) => a - b)
    const seconds = sendMs / 1000
    return {
      client: job.client,
      sent,
      seconds: round1(seconds),
      msgsPerS: Math.round(sent / seconds),
      mbPerS: round1(bytes / 2 ** 20 / seconds),
      cpuMsPer10kMsgs: round1((sendCpuMs / sent) * 10000),
      sosPresses: latencies.length,
      sosP50Ms: round1(percentile(latencies, 50)),
      sosP99Ms: round1(percentile(latencies, 99)),
      sosMaxMs: round1(latencies.at(-1) ?? Number.NaN),
      processCpuMs: 0,
      peakRssMiB: 0,
      idleRssMiB: round1(idleRssMiB),
    }
  } finally {
    await driver.close()
  }
}

process.once('message', job => {
  run(job as WorkerJob).then(
    result => {
      const usage = process.resourceUsage()
      result.processCpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)
      result.peakRssMiB = round1(usage.maxRSS / 1024)
      process.send!({ ok: true, result }, () => process.exit(0))
    },
    (error: unknown) => process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
  )
})
