import { randomUUID } from 'node:crypto'
import { testDatabase, testLogger, testStack, type Teardown } from '@anxin/testing'
import { TimerRunner } from '../services/escalation/src/adapters/timer-runner.ts'

/**
 * Timer precision of the escalation service's durable timers: `pending` timers due over `spreadSeconds`,
 * fired by the real TimerRunner against PostgreSQL; lateness is fire time minus due time.
 */
export async function benchTimerPrecision(t: Teardown, options: { pending: number; spreadSeconds: number; workers: number }) {
  const db = await testDatabase(t, await testStack())
  const { logger } = testLogger('bench')
  const start = Date.now() + 3000
  const rows = Array.from({ length: options.pending }, (_, i) => {
    const alarmId = randomUUID()
    return [`${alarmId}:escalate:0`, alarmId, new Date(start + Math.floor((i * options.spreadSeconds * 1000) / options.pending)).toISOString()]
  })
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000)
    await db.pool.query(
      `INSERT INTO escalation_timers (key, alarm_id, kind, level, due_at)
       SELECT k, a::uuid, 'escalate', 0, d::timestamptz FROM unnest($1::text[], $2::text[], $3::text[]) AS x(k, a, d)`,
      [chunk.map(r => r[0]), chunk.map(r => r[1]), chunk.map(r => r[2])],
    )
  }
  const lateMs: number[] = []
  const runner = new TimerRunner({ pool: db.pool, logger, workers: options.workers, handle: async () => {}, onFired: (_timer, late) => void lateMs.push(late) })
  runner.start()
  const deadline = Date.now() + options.spreadSeconds * 1000 + 60000
  while (lateMs.length < options.pending && Date.now() < deadline) await new Promise(r => setTimeout(r, 200))
  await runner.stop()
  lateMs.sort((a, b) => a - b)
  const at = (p: number) => Math.round(lateMs[Math.min(lateMs.length - 1, Math.ceil((p / 100) * lateMs.length) - 1)]! * 10) / 10
  return { pending: options.pending, fired: lateMs.length, p50Ms: at(50), p99Ms: at(99), maxMs: Math.round(lateMs.at(-1)! * 10) / 10, firesPerS: Math.round(options.pending / options.spreadSeconds) }
}
