import type pg from 'pg'
import { LoadFleet } from '@anxin/simulators'
import { pipelineEnv, registerTestDevices, startServiceProcess, testBroker, testDatabase, testLogger, testStack, testTopics, uniqueId, type Teardown } from '@anxin/testing'
import { progressReader } from '../usage/consumer-lag.ts'
import { trackUsage, type UsageWindow } from '../usage/process-usage.ts'
import { childPart, stackParts } from '../usage/stack-parts.ts'

/**
 * The load generator makes a few hundred devices send what thousands would (tens of messages a second each):
 * far over a real watch's rate limit, so the benchmarks lift it (ingestion's DEVICE_RATE_* settings).
 */
export const UNTHROTTLED_DEVICES = { DEVICE_RATE_PER_SECOND: '1000000', DEVICE_RATE_BURST: '1000000' } as const

export type StepResult = {
  targetMsgsPerS: number
  seconds: number
  sent: number
  sendFailed: number
  generatorMsgsPerS: number
  stored: number
  /** Sent but not yet in the database when the step's drain window ended (a backlog, not a loss). */
  behind: number
  /** Messages stored per second, from the first send to the moment the last row was in the database. */
  endToEndMsgsPerS: number
  drainSeconds: number
  /** Kafka consumer lag on the telemetry topic as the broker acknowledged the step's last message. */
  lagAtEnd: { recorder: number; alert: number }
  /** CPU and peak memory of every part while the step ran (send and drain). */
  usage: UsageWindow
}

export type PlatformUnderLoad = {
  devices: number
  /** Plays `rate` for `seconds`, then waits up to `maxDrainSeconds` for every message to be in the database. */
  step: (rate: number, seconds: number, maxDrainSeconds: number) => Promise<StepResult>
  /** Waits (up to `seconds`) until every message sent so far is stored; returns how many are still missing. */
  finalDrain: (seconds: number) => Promise<{ sent: number; lost: number }>
}

/**
 * The telemetry path as in production, for load: a private database schema, Kafka topics and Mosquitto
 * (per-device passwords, deny-by-default ACL), with ingestion, the recorder and the alert service each in its
 * own process (the alert service evaluates every reading, competing for the cores as it would), and `devices`
 * devices connected, each on its own MQTT connection.
 */
export async function platformUnderLoad(t: Teardown, options: { devices: number }): Promise<PlatformUnderLoad> {
  const stack = await testStack()
  const { logger } = testLogger('bench')
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  const prefix = uniqueId('b')
  const { bound } = await registerTestDevices(db.pool, { count: options.devices, prefix })
  const broker = await testBroker(t, stack, bound.map(d => ({ username: d.deviceId, password: d.password })))
  // BENCH_SERVICE_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the services under load.
  const env: Record<string, string> = { ...pipelineEnv({ stack, db, topics, broker, prefix }), ...UNTHROTTLED_DEVICES, NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS ?? '' }
  const alertGroup = `alert-${prefix}`
  const ingestion = await startServiceProcess('services/ingestion/src/main.ts', env, 'ingestion started')
  t.teardown(() => void ingestion.kill('SIGTERM'))
  const recorder = await startServiceProcess('services/recorder/src/main.ts', env, 'recorder started')
  t.teardown(() => void recorder.kill('SIGTERM'))
  const alert = await startServiceProcess('services/alert/src/main.ts', { ...env, ALERT_GROUP_ID: alertGroup }, 'alert started')
  t.teardown(() => void alert.kill('SIGTERM'))
  const fleet = await LoadFleet.connect(broker.url, bound.map(d => ({ deviceId: d.deviceId, password: d.password })))
  t.teardown(() => fleet.close())

  const parts = [
    { name: 'load generator', rootPid: () => process.pid },
    { name: 'mosquitto', rootPid: broker.pid },
    childPart('ingestion', ingestion),
    childPart('recorder', recorder),
    childPart('alert', alert),
    ...stackParts(),
  ]
  let sentSoFar = 0
  const progress = await progressReader(topics.kafka, topics.names.deviceTelemetry, [env.RECORDER_GROUP_ID!, alertGroup])
  t.teardown(() => progress.close())
  const telemetryProgress = async () => {
    const { produced, lag } = await progress.read()
    return { produced, recorder: lag[env.RECORDER_GROUP_ID!]!, alert: lag[alertGroup]! }
  }

  return {
    devices: fleet.connected,
    step: async (rate, seconds, maxDrainSeconds) => {
      const before = await countRows(db.pool)
      const usage = trackUsage(parts)
      const started = performance.now()
      const report = await fleet.play(rate, seconds)
      sentSoFar += report.sent
      const sendSeconds = (performance.now() - started) / 1000
      const atEnd = await telemetryProgress()
      const lagAtEnd = { recorder: atEnd.recorder, alert: atEnd.alert }
      const expected = before + report.sent
      const drainDeadline = performance.now() + maxDrainSeconds * 1000
      // Drained when the telemetry topic holds every message sent so far (ingestion has them all) and both
      // consumers have committed all of it (the recorder commits only after its insert). Asking Kafka is
      // cheap, where counting a table of millions of rows every 100 ms would load the machine being measured;
      // the table is counted after, untimed, to check that every message is really there.
      let drainedAt: number | null = null
      while (drainedAt === null && performance.now() < drainDeadline) {
        const now = await telemetryProgress()
        if (now.recorder === 0 && now.alert === 0 && now.produced >= sentSoFar) drainedAt = performance.now()
        else await new Promise(r => setTimeout(r, 50))
      }
      const usageWindow = usage.stop()
      let stored = await countRows(db.pool)
      while (stored < expected && performance.now() < drainDeadline) {
        await new Promise(r => setTimeout(r, 250))
        stored = await countRows(db.pool)
      }
      const totalSeconds = ((drainedAt ?? performance.now()) - started) / 1000
      return {
        targetMsgsPerS: rate,
        seconds,
        sent: report.sent,
        sendFailed: report.failed,
        generatorMsgsPerS: report.generatorMsgsPerS,
        stored: stored - before,
        behind: expected - stored,
        endToEndMsgsPerS: Math.round((stored - before) / totalSeconds),
        drainSeconds: Math.round((totalSeconds - sendSeconds) * 100) / 100,
        lagAtEnd,
        usage: usageWindow,
      }
    },
    finalDrain: async seconds => {
      const deadline = performance.now() + seconds * 1000
      let stored = await countRows(db.pool)
      while (stored < sentSoFar && performance.now() < deadline) {
        await new Promise(r => setTimeout(r, 250))
        stored = await countRows(db.pool)
      }
      return { sent: sentSoFar, lost: sentSoFar - stored }
    },
  }
}

/** Rows in the test schema's vitals table: every telemetry message carries vitals, so one row per message. */
async function countRows(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM vitals')).rows[0]!.n)
}
