import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { AlarmEvent } from '@anxin/contracts'
import { startServiceProcess, waitUntil } from '@anxin/testing'

const startEscalationProcess = (env: Record<string, string>) => startServiceProcess('services/escalation/src/main.ts', env, 'escalation started')
import { pipeline } from './pipeline.ts'


t.test('1,000 alarms in escalation, kill -9 the service, restart after a pause: every due step fired once, none skipped, none doubled', async t => {
  const p = await pipeline(t, { devices: 1 })
  const pool = p.db.pool
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role) VALUES ('st-op', 'org-test', '值班员', 'operator')`)
  await pool.query(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ('rot', 'org-test', 'operator', '{st-op}', '2026-01-01', 24)`)
  await pool.query(
    `INSERT INTO residents (id, org_id, full_name, gender, birth_date, address, living_situation, care_level)
     SELECT 'kr' || g, 'org-test', '老人', 'female', '1940-01-01', '地址', 'alone', 'independent' FROM generate_series(1, 1000) g`,
  )
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('ladder', 'org-test', 'three steps', $1, 600, 600, 3600)`,
    [JSON.stringify([0, 1, 2].map(() => ({ targets: [{ kind: 'on_duty', role: 'operator' }], waitSeconds: 2, channels: ['console'] })))],
  )
  const env = { ...p.ingestionEnv, ESCALATION_GROUP_ID: `escalation-${p.ingestionEnv.INGESTION_INSTANCE_ID}`, TIMER_WORKERS: '4' }
  let service = await startEscalationProcess(env)
  t.teardown(() => void service.kill('SIGKILL'))

  const now = new Date().toISOString()
  const events: AlarmEvent[] = Array.from({ length: 1000 }, (_, i) => {
    const alarmId = randomUUID()
    return {
      eventId: randomUUID(), schemaVersion: 1, kind: 'raised', alarmId, incidentId: alarmId, version: 1, orgId: 'org-test',
      residentId: `kr${i + 1}`, deviceId: null, type: 'sos', severity: 'critical', priority: 400, status: 'open', occurrences: 1,
      startedAt: now, occurredAt: now, causeEventId: null, reason: null, detail: {},
    }
  })
  const producer = p.topics.kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  await producer.send({ topic: p.topics.names.alarm, messages: events.map(e => ({ key: e.residentId, value: JSON.stringify(e) })) })

  const notified = async () => Number((await pool.query(`SELECT count(*) AS n FROM audit_log WHERE action = 'notify'`)).rows[0].n)
  t.ok(await waitUntil(async () => (await notified()) >= 1200, 60000, 20), 'escalation under way')
  service.kill('SIGKILL')
  const atKill = await notified()
  await new Promise(r => setTimeout(r, 3000))
  service = await startEscalationProcess(env)
  t.ok(await waitUntil(async () => (await notified()) >= 3000, 90000, 100), 'all steps notified after the restart')
  await new Promise(r => setTimeout(r, 1000))

  t.ok(atKill < 3000, `the kill came mid-escalation (${atKill} of 3000 notifications sent before it)`)
  t.equal(await notified(), 3000, 'exactly 3 notifications per alarm: none doubled')
  const perAlarm = await pool.query(
    `SELECT alarm_id FROM audit_log WHERE action = 'notify' GROUP BY alarm_id HAVING count(*) <> 3`,
  )
  t.equal(perAlarm.rowCount, 0, 'every alarm got each of its three steps')
  const levels = await pool.query(
    `SELECT count(*) AS n FROM escalation_timers WHERE kind = 'escalate' AND fired_at IS NOT NULL`,
  )
  t.equal(Number(levels.rows[0].n), 3000, 'every escalation timer fired')
  const skipped = await pool.query(
    `SELECT alarm_id FROM escalation_timers WHERE kind = 'escalate' GROUP BY alarm_id HAVING array_agg(level ORDER BY fired_at) <> ARRAY[0, 1, 2]`,
  )
  t.equal(skipped.rowCount, 0, 'levels fired in order, none skipped')
  const lifecycles = await pool.query(`SELECT count(*) AS n FROM alarm_lifecycles WHERE escalation_level = 2 AND state = 'notified'`)
  t.equal(Number(lifecycles.rows[0].n), 1000)
})
