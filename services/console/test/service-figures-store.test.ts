import { randomUUID } from 'node:crypto'
import t from 'tap'
import type pg from 'pg'
import { appendAudit, verifyAuditChain, type AuditEntry } from '@anxin/audit'
import { withTransaction } from '@anxin/db'
import { testDatabase, testStack } from '@anxin/testing'
import { loadServiceFigures } from '../src/adapters/service-figures-store.ts'

// The report window: 2 March 2026 in Shanghai (UTC+8).
const FROM = '2026-03-01T16:00:00.000Z'
const TO = '2026-03-02T16:00:00.000Z'
const NOW = TO

async function registry(pool: pg.Pool): Promise<void> {
  await pool.query(`INSERT INTO organisations (id, name, timezone) VALUES ('org-a', '甲中心', 'Asia/Shanghai'), ('org-b', '乙中心', 'Europe/London')`)
  await pool.query(`INSERT INTO areas (id, org_id, name) VALUES ('area-n', 'org-a', '北区'), ('area-s', 'org-a', '南区'), ('area-x', 'org-b', 'X')`)
  for (const [id, org, area] of [['r-n1', 'org-a', 'area-n'], ['r-s1', 'org-a', 'area-s'], ['r-none', 'org-a', null], ['r-b1', 'org-b', 'area-x']]) {
    await pool.query(
      `INSERT INTO residents (id, org_id, area_id, full_name, gender, birth_date, address, living_situation, care_level)
       VALUES ($1, $2, $3, '测试老人', 'female', '1940-01-01', '测试地址', 'alone', 'independent')`,
      [id, org, area],
    )
  }
}

type Step = [action: string, secondsAfterRaise: number, actorKind?: AuditEntry['actorKind']]

/** An alarm as escalation records it: its lifecycle row and its audit rows, written through the hash chain. */
async function alarm(pool: pg.Pool, orgId: string, residentId: string, type: string, raisedAt: string, steps: Step[]): Promise<string> {
  const alarmId = randomUUID()
  const raised = Date.parse(raisedAt)
  await pool.query(
    `INSERT INTO alarm_lifecycles (alarm_id, org_id, resident_id, alarm_type, state, version, lifecycle) VALUES ($1, $2, $3, $4, 'raised', 1, $5)`,
    [alarmId, orgId, residentId, type, { alarmId, alarmType: type, raisedAt }],
  )
  await withTransaction(pool, async client => {
    const base = { orgId, alarmId, residentId, channel: 'system', detail: {} }
    await appendAudit(client, { ...base, actorKind: 'system', actorId: 'alert', action: 'raise', at: new Date(raised).toISOString(), detail: { alarmType: type } })
    for (const [action, s, actorKind = 'staff'] of steps) {
      await appendAudit(client, { ...base, actorKind, actorId: actorKind === 'system' ? 'escalation' : 'staff-1', action, at: new Date(raised + s * 1000).toISOString() })
    }
  })
  return alarmId
}

async function visitTask(pool: pg.Pool, orgId: string, residentId: string, state: string): Promise<void> {
  await pool.query(
    `INSERT INTO visit_tasks (task_id, alarm_id, sequence, org_id, resident_id, state, version, task) VALUES ($1, $2, 1, $3, $4, $5, 1, '{}')`,
    [randomUUID(), randomUUID(), orgId, residentId, state],
  )
}

async function deviceAlarm(pool: pg.Pool, orgId: string, residentId: string, type: string, status: string): Promise<void> {
  await pool.query(
    `INSERT INTO alarms (id, org_id, resident_id, device_id, scope, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
     VALUES ($1, $2, $3, $4, $4, $5, 'medium', 10, $6, $1, now(), now(), now())`,
    [randomUUID(), orgId, residentId, `dev-${randomUUID().slice(0, 8)}`, type, status],
  )
}

t.test('figures from the audit log, scoped by organisation and area', async t => {
  const { pool } = await testDatabase(t, await testStack())
  await registry(pool)

  // org-a, area-n: answered in 45 s, someone at the door after 20 min; dispatch's own rows in between.
  await alarm(pool, 'org-a', 'r-n1', 'sos', '2026-03-02T02:00:00Z', [
    ['notify', 1, 'system'], ['view_alarm', 5], ['link_opened', 8, 'contact'], ['acknowledge', 45], ['task_created', 50, 'system'],
    ['dispatch', 60], ['arrive', 1200], ['resolve', 1800], ['close', 1900],
  ])
  // area-n: cleared by itself after 20 s, nobody needed to answer.
  await alarm(pool, 'org-a', 'r-n1', 'heart_rate_high', '2026-03-02T03:00:00Z', [['notify', 2, 'system'], ['auto_resolve', 20, 'system']])
  // area-n: answered in 30 s, resolved, reopened an hour later and answered again: counted once, 30 s.
  await alarm(pool, 'org-a', 'r-n1', 'sos', '2026-03-02T06:00:00Z', [['acknowledge', 30], ['resolve', 100], ['reopen', 3600], ['acknowledge', 3700]])
  // area-n: raised a second before the window, answered inside it: not this window's.
  await alarm(pool, 'org-a', 'r-n1', 'sos', '2026-03-01T15:59:59Z', [['acknowledge', 10]])
  // area-s: dispatched (the acknowledgement) after 150 s, arrival after 1500 s; 23:30 local.
  await alarm(pool, 'org-a', 'r-s1', 'fall', '2026-03-02T15:30:00Z', [['escalate', 90, 'staff'], ['dispatch', 150], ['arrive', 1500]])
  // area-s: a device alarm: counted, not in the answer times.
  await alarm(pool, 'org-a', 'r-s1', 'device_offline', '2026-03-02T04:00:00Z', [['auto_resolve', 900, 'system']])
  // no area: never answered, a miss for both targets (organisation-wide figures only).
  await alarm(pool, 'org-a', 'r-none', 'sos', '2026-03-02T05:00:00Z', [['notify', 1, 'system'], ['escalate', 300, 'system']])
  // Another organisation, same window: ignored.
  await alarm(pool, 'org-b', 'r-b1', 'sos', '2026-03-02T02:00:00Z', [['acknowledge', 500], ['arrive', 9000]])
  await alarm(pool, 'org-b', 'r-b1', 'fall', '2026-03-02T07:00:00Z', [])
  // An audit row about no alarm (a read of health data): ignored.
  await withTransaction(pool, client => appendAudit(client, {
    orgId: 'org-a', alarmId: null, residentId: 'r-n1', actorKind: 'staff', actorId: 'staff-1', action: 'view_resident', channel: 'console',
    at: '2026-03-02T08:00:00.000Z', detail: {},
  }))

  for (const [resident, state] of [['r-n1', 'accepted'], ['r-s1', 'completed'], ['r-s1', 'offered'], ['r-n1', 'cancelled'], ['r-none', 'unassigned']]) {
    await visitTask(pool, 'org-a', resident!, state!)
  }
  await visitTask(pool, 'org-b', 'r-b1', 'accepted')
  await deviceAlarm(pool, 'org-a', 'r-n1', 'device_offline', 'open')
  await deviceAlarm(pool, 'org-a', 'r-s1', 'device_offline', 'cleared')
  await deviceAlarm(pool, 'org-a', 'r-s1', 'device_offline', 'open')
  await deviceAlarm(pool, 'org-a', 'r-n1', 'low_battery', 'open')
  await deviceAlarm(pool, 'org-b', 'r-b1', 'device_offline', 'open')

  t.equal(await verifyAuditChain(pool, 'org-a'), null, 'the fixture kept the hash chain intact')
  t.equal(await verifyAuditChain(pool, 'org-b'), null)

  const hours = (f: { byHour: Array<{ hour: number; count: number }> }) => Object.fromEntries(f.byHour.filter(h => h.count > 0).map(h => [h.hour, h.count]))

  const all = await loadServiceFigures(pool, { orgId: 'org-a', areaId: null, from: FROM, to: TO, now: NOW })
  t.same(all, {
    from: FROM, to: TO, now: NOW, timeZone: 'Asia/Shanghai',
    alarms: 6,
    acknowledgedWithin60s: 2 / 4, // 45 s and 30 s; 150 s and the unanswered one miss; the auto-cleared one is neutral
    acknowledgedWithin180s: 3 / 4,
    ackSeconds: { median: 45, p90: 150 },
    arrivalSeconds: { median: 1200, p90: 1500 },
    byType: [{ type: 'sos', count: 3 }, { type: 'device_offline', count: 1 }, { type: 'fall', count: 1 }, { type: 'heart_rate_high', count: 1 }],
    byHour: all.byHour,
    openTasks: 3,
    offlineDevices: 2,
  })
  t.same(hours(all), { 10: 1, 11: 1, 12: 1, 13: 1, 14: 1, 23: 1 }, 'local hours in Shanghai')

  const north = await loadServiceFigures(pool, { orgId: 'org-a', areaId: 'area-n', from: FROM, to: TO, now: NOW })
  t.match(north, {
    alarms: 3, acknowledgedWithin60s: 1, acknowledgedWithin180s: 1, ackSeconds: { median: 30, p90: 45 }, arrivalSeconds: { median: 1200, p90: 1200 },
    byType: [{ type: 'sos', count: 2 }, { type: 'heart_rate_high', count: 1 }], openTasks: 1, offlineDevices: 1,
  })
  t.same(hours(north), { 10: 1, 11: 1, 14: 1 })

  const south = await loadServiceFigures(pool, { orgId: 'org-a', areaId: 'area-s', from: FROM, to: TO, now: NOW })
  t.match(south, {
    alarms: 2, acknowledgedWithin60s: 0, acknowledgedWithin180s: 1, ackSeconds: { median: 150, p90: 150 }, arrivalSeconds: { median: 1500, p90: 1500 },
    byType: [{ type: 'device_offline', count: 1 }, { type: 'fall', count: 1 }], openTasks: 1, offlineDevices: 1,
  })

  const other = await loadServiceFigures(pool, { orgId: 'org-a', areaId: 'area-x', from: FROM, to: TO, now: NOW })
  t.match(other, { alarms: 0, acknowledgedWithin60s: null, openTasks: 0, offlineDevices: 0 }, "another organisation's area shows nothing")

  const b = await loadServiceFigures(pool, { orgId: 'org-b', areaId: null, from: FROM, to: TO, now: NOW })
  t.match(b, { timeZone: 'Europe/London', alarms: 2, acknowledgedWithin60s: 0, ackSeconds: { median: 500 }, openTasks: 1, offlineDevices: 1 })
  t.same(hours(b), { 2: 1, 7: 1 }, 'London is on UTC in March before the change')

  const early = await loadServiceFigures(pool, { orgId: 'org-a', areaId: null, from: FROM, to: TO, now: '2026-03-02T02:00:50.000Z' })
  t.match(early, { alarms: 1, acknowledgedWithin60s: 1, ackSeconds: { median: 45 }, arrivalSeconds: { median: null } }, 'as at an earlier time')

  const empty = await loadServiceFigures(pool, { orgId: 'org-a', areaId: null, from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', now: NOW })
  t.match(empty, { alarms: 0, acknowledgedWithin60s: null, acknowledgedWithin180s: null, ackSeconds: { median: null, p90: null }, openTasks: 3 })

  await t.rejects(loadServiceFigures(pool, { orgId: 'org-nobody', areaId: null, from: FROM, to: TO, now: NOW }), RangeError)
  await t.rejects(loadServiceFigures(pool, { orgId: 'org-a', areaId: null, from: 'yesterday', to: TO, now: NOW }), RangeError)
})

// Speed is measured in bench/, not asserted here; this checks the set-based queries stay right at volume.
t.test('figures over 150k audit rows of two organisations are exact', async t => {
  const { pool } = await testDatabase(t, await testStack())
  await pool.query(`INSERT INTO organisations (id, name) VALUES ('org-bulk', 'bulk'), ('org-other', 'other')`)
  await pool.query(`INSERT INTO areas (id, org_id, name) VALUES ('area-1', 'org-bulk', '1'), ('area-2', 'org-bulk', '2')`)
  await pool.query(
    `INSERT INTO residents (id, org_id, area_id, full_name, gender, birth_date, address, living_situation, care_level)
     SELECT 'res-' || i, 'org-bulk', 'area-' || (1 + i % 2), 'x', 'male', '1940-01-01', 'x', 'alone', 'independent' FROM generate_series(1, 500) i`,
  )
  // 10,000 alarms over 30 days, 10 rows each (half of them rows the figures ignore), bulk-written: the hash chain
  // is not what is measured here. A second organisation of the same size shares the table.
  for (const org of ['org-bulk', 'org-other']) {
    const alarms = org === 'org-bulk' ? 10_000 : 5_000
    await pool.query(
      `INSERT INTO alarm_lifecycles (alarm_id, org_id, resident_id, alarm_type, state, version, lifecycle)
       SELECT md5($1 || i)::uuid, $1, 'res-' || (1 + i % 500), (ARRAY['sos', 'fall', 'heart_rate_high', 'low_battery'])[1 + i % 4], 'closed', 10, '{}'
       FROM generate_series(1, $2::int) i`,
      [org, alarms],
    )
    await pool.query(
      `INSERT INTO audit_log (org_id, alarm_id, resident_id, actor_kind, actor_id, action, channel, at, detail, prev_hash, hash)
       SELECT $1, md5($1 || i)::uuid, 'res-' || (1 + i % 500), CASE WHEN s.action IN ('raise', 'notify', 'task_created') THEN 'system' ELSE 'staff' END,
              'x', s.action, 'system', timestamptz '2026-02-01T00:00:00Z' + i * interval '259 seconds' + s.after * interval '1 second',
              '{}', '', md5($1 || i || s.action)
       FROM generate_series(1, $2::int) i
       CROSS JOIN LATERAL (VALUES ('raise', 0), ('notify', 1), ('view_alarm', 20), ('link_opened', 25), ('acknowledge', 30 + i % 120),
                          ('task_created', 200), ('dispatch', 210), ('arrive', 1200 + i % 900), ('resolve', 2400), ('close', 2500)) AS s(action, after)`,
      [org, alarms],
    )
  }
  await pool.query('ANALYZE audit_log, alarm_lifecycles, residents')
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')
  t.equal(rows[0]!.n, 150_000)

  const query = { orgId: 'org-bulk', areaId: null, from: '2026-02-01T00:00:00Z', to: '2026-03-04T00:00:00Z', now: '2026-03-05T00:00:00Z' }
  const oneArea = await loadServiceFigures(pool, { ...query, areaId: 'area-1' })
  t.equal(oneArea.alarms, 5_000, 'area 1 holds the residents with odd numbers: half the alarms')
  const whole = await loadServiceFigures(pool, query)
  t.equal(whole.alarms, 10_000)
  const people = Array.from({ length: 10_000 }, (_, k) => k + 1).filter(i => i % 4 !== 3) // i % 4 === 3: low_battery
  t.equal(whole.acknowledgedWithin60s, people.filter(i => i % 120 <= 30).length / people.length)
  t.equal(whole.acknowledgedWithin180s, 1)
})
