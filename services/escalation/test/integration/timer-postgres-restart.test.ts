import t from 'tap'
import { randomUUID } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { createPool, migratePool } from '@anxin/db'
import { privatePostgres, waitUntil } from '@anxin/testing'
import { scheduleTimer } from '../../src/adapters/timer-store.ts'

t.test('PostgreSQL restarting (twice) in the middle of an escalation: every step still fires once, in order', async t => {
  const pg = await privatePostgres(t)
  const pool = createPool({ url: pg.url, schema: 'anxin', applicationName: 'timer-restart-test', max: 2 })
  t.teardown(() => pool.end())
  await migratePool(pool, 'anxin')
  await pool.query('CREATE TABLE timer_fire_log (key text NOT NULL, alarm_id uuid NOT NULL, level integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())')
  const start = Date.now() + 300
  for (let i = 0; i < 300; i++) {
    const alarmId = randomUUID()
    await scheduleTimer(pool, { key: `${alarmId}:escalate:0`, alarmId, kind: 'escalate', level: 0, dueAt: new Date(start + (i % 50) * 20).toISOString(), payload: {} })
  }
  const worker: ChildProcess = spawn(process.execPath, ['services/escalation/test/fixtures/timer-worker.ts'], {
    env: { ...process.env, DATABASE_URL: pg.url, DATABASE_SCHEMA: 'anxin', LEVELS: '3', STEP_MS: '400' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let workerOutput = ''
  worker.stdout!.on('data', chunk => (workerOutput = (workerOutput + String(chunk)).slice(-5000)))
  worker.stderr!.on('data', chunk => (workerOutput = (workerOutput + String(chunk)).slice(-5000)))
  worker.once('exit', (code, signal) => (workerOutput += `\n[worker exited: ${code ?? signal}]`))
  t.teardown(() => void worker.kill('SIGKILL'))
  const fired = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM timer_fire_log')).rows[0]!.n)
  await waitUntil(async () => (await fired()) >= 250, 20000, 10)
  const before = await fired()
  pg.restart()
  // And once more while the workers are catching up (some of them waiting for the next due time).
  await waitUntil(async () => (await fired().catch(() => 0)) >= 400, 30000, 20)
  pg.restart()
  const all = await waitUntil(async () => (await fired().catch(() => 0)) >= 900, 60000, 100)
  t.ok(all, 'all 900 steps fired after the restart')
  if (!all) t.comment(workerOutput)
  await new Promise(r => setTimeout(r, 500))
  t.ok(before < 900, `the restart came mid-run (${before} of 900 fired before it)`)
  const { rows } = await pool.query<{ total: string; distinct_keys: string }>('SELECT count(*) AS total, count(DISTINCT key) AS distinct_keys FROM timer_fire_log')
  t.equal(Number(rows[0]!.total), 900, 'none doubled')
  t.equal(Number(rows[0]!.distinct_keys), 900)
  const skipped = await pool.query(`SELECT alarm_id FROM timer_fire_log GROUP BY alarm_id HAVING array_agg(level ORDER BY at) <> ARRAY[0, 1, 2]`)
  t.equal(skipped.rowCount, 0, 'none skipped, in order')
})
