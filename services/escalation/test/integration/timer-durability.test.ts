import t from 'tap'
import { randomUUID } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { testDatabase, testStack, waitUntil } from '@anxin/testing'
import { scheduleTimer } from '../../src/adapters/timer-store.ts'

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['services/escalation/test/fixtures/timer-worker.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout!.on('data', chunk => {
      output += String(chunk)
      if (output.includes('timer worker started')) resolve(child)
    })
    child.stderr!.on('data', chunk => (output += String(chunk)))
    child.once('exit', code => reject(new Error(`timer worker exited (${code}): ${output}`)))
  })
}

t.test('1,000 alarms in escalation: kill -9 the timer process, restart after a pause: every step fires once, none skipped', async t => {
  const stack = await testStack()
  const db = await testDatabase(t, stack)
  await db.pool.query('CREATE TABLE timer_fire_log (key text NOT NULL, alarm_id uuid NOT NULL, level integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())')
  const alarms = Array.from({ length: 1000 }, () => randomUUID())
  const start = Date.now() + 500
  const client = await db.pool.connect()
  try {
    await client.query('BEGIN')
    for (const [i, alarmId] of alarms.entries()) {
      const timer = { key: `${alarmId}:escalate:0`, alarmId, kind: 'escalate', level: 0, dueAt: new Date(start + (i % 100) * 20).toISOString(), payload: {} }
      await scheduleTimer(client, timer)
      const again = await scheduleTimer(client, timer)
      if (again) t.fail(`scheduling ${timer.key} twice inserted it twice`)
    }
    await client.query('COMMIT')
  } finally {
    client.release()
  }
  const env = { DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, LEVELS: '3', STEP_MS: '300' }
  let worker = await startWorker(env)
  t.teardown(() => void worker.kill('SIGKILL'))
  const fired = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM timer_fire_log')).rows[0]!.n)
  await waitUntil(async () => (await fired()) >= 800, 20000, 10)
  worker.kill('SIGKILL')
  const firedBeforeKill = await fired()
  await new Promise(r => setTimeout(r, 1500))
  const restartAt = Date.now()
  worker = await startWorker(env)
  t.ok(await waitUntil(async () => (await fired()) >= 3000, 30000, 50), 'all 3,000 steps fired')
  await new Promise(r => setTimeout(r, 500))

  t.ok(firedBeforeKill > 0 && firedBeforeKill < 3000, `the kill came mid-run (${firedBeforeKill} of 3000 fired before it)`)
  const { rows } = await db.pool.query<{ total: string; distinct_keys: string }>('SELECT count(*) AS total, count(DISTINCT key) AS distinct_keys FROM timer_fire_log')
  t.equal(Number(rows[0]!.total), 3000, 'exactly 3,000 firings: none doubled')
  t.equal(Number(rows[0]!.distinct_keys), 3000)
  const skipped = await db.pool.query(
    `SELECT alarm_id FROM timer_fire_log GROUP BY alarm_id HAVING array_agg(level ORDER BY at) <> ARRAY[0, 1, 2]`,
  )
  t.equal(skipped.rowCount, 0, 'every alarm went through levels 0, 1, 2 in order')
  const pending = await db.pool.query(`SELECT count(*) AS n FROM escalation_timers WHERE fired_at IS NULL`)
  t.equal(Number(pending.rows[0].n), 0)
  const late = await db.pool.query<{ worst_ms: number }>(
    `SELECT max(extract(epoch FROM (fired_at - greatest(due_at, $1::timestamptz))) * 1000) AS worst_ms FROM escalation_timers`,
    [new Date(restartAt).toISOString()],
  )
  t.comment(`latest firing after max(due, restart): ${Math.round(Number(late.rows[0]!.worst_ms))} ms`)
  t.ok(Number(late.rows[0]!.worst_ms) < 15000, 'overdue steps fired promptly after the restart')
})
