import t from 'tap'
import { upsertAccount } from '@anxin/console'
import { hashPassword } from '@anxin/credentials'
import { signIn, waitUntil } from '@anxin/testing'
import { cutoffSoon, MINUTE } from './cutoff-soon.ts'
import { DESK_PASSWORD } from './console-desk.ts'
import { pipeline } from './pipeline.ts'

t.test('daily contact: "I\'m OK" before the cut-off is contact; silence raises one missed-contact alarm, escalated, and a visit for her carer', async t => {
  const p = await pipeline(t, { devices: 2 })
  const pool = p.db.pool
  const [okDevice, silentDevice] = p.devices as [(typeof p.devices)[0], (typeof p.devices)[0]]
  const okResident = okDevice.residentId!
  const silentResident = silentDevice.residentId!

  // The cut-off a few minutes from now, in the organisation's zone; the alert service's clock is moved past it.
  const { zone, date, cutoff, cutoffAt } = cutoffSoon()
  await pool.query(`UPDATE organisations SET timezone = $1 WHERE id = 'org-test'`, [zone])
  await pool.query(`INSERT INTO care_duty_settings (org_id, contact_cutoff) VALUES ('org-test', $1)`, [cutoff])
  // Both residents (born 1940, living alone) are required by the ledger. The silent one has her own carer.
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES ('c-own', 'org-test', '包户护理员', 'carer', '13800000011'),
    ('admin-1', 'org-test', '管理员', 'administrator', '3'), ('op-1', 'org-test', '值班员甲', 'operator', '4')`)
  await pool.query(`UPDATE residents SET assigned_carer_id = 'c-own', full_name = '沉默老人' WHERE id = $1`, [silentResident])
  await pool.query(`UPDATE residents SET full_name = '平安老人' WHERE id = $1`, [okResident])
  const hash = await hashPassword(DESK_PASSWORD)
  await upsertAccount(pool, 'op-1', 'op-1', hash)

  let offset = 0
  const now = () => new Date(Date.now() + offset)
  await p.startIngestion()
  const alert = await p.startAlert({ now })
  const escalation = await p.startEscalationHttp()
  const dispatch = await p.startDispatch({ escalationUrl: escalation.url })
  const console_ = await p.startConsole({ escalationUrl: escalation.url, dispatchUrl: dispatch.url })
  const watch = alert.contactWatch!

  const device = await p.device(okDevice)
  await device.sendEvent('im_ok')
  const signals = async () => (await pool.query<{ resident_id: string; kind: string; local_date: string; actor_id: string }>(
    `SELECT resident_id, kind, to_char(local_date, 'YYYY-MM-DD') AS local_date, actor_id FROM contact_signals ORDER BY id`)).rows
  t.ok(await waitUntil(async () => (await signals()).some(s => s.kind === 'checkin'), 15000), 'the "I\'m OK" press is recorded as a check-in')
  t.match((await signals()).find(s => s.kind === 'checkin'), { resident_id: okResident, local_date: date, actor_id: okDevice.deviceId })

  t.same(await watch.check(), [], 'before the cut-off nothing is decided')
  offset = cutoffAt + 2 * MINUTE + 1000 - Date.now()
  const [first, second] = await Promise.all([watch.check(), watch.check()])
  const decided = [...first, ...second].sort((a, b) => a.residentId.localeCompare(b.residentId))
  t.same(decided.map(x => [x.residentId, x.status]), [[okResident, 'contacted'], [silentResident, 'missed']], 'each decided once, although checked twice at once')
  t.same(await watch.check(), [], 'and a third check is a no-op')

  const alarms = await pool.query<{ id: string; severity: string; detail: Record<string, unknown> }>(
    `SELECT id, severity, detail FROM alarms WHERE type = 'missed_contact'`)
  t.equal(alarms.rowCount, 1, 'one missed-contact alarm')
  const alarm = alarms.rows[0]!
  t.match(alarm.detail, { date, cutoff, timeZone: zone })
  t.equal((await pool.query(`SELECT alarm_id FROM contact_days WHERE resident_id = $1`, [silentResident])).rows[0]?.alarm_id, alarm.id, 'the verdict names the alarm')
  const evidence = await pool.query(`SELECT event_id FROM alarm_evidence WHERE alarm_id = $1`, [alarm.id])
  t.same(evidence.rows, [{ event_id: `missed_contact:${silentResident}:${date}` }], 'the evidence names the date')

  t.ok(await waitUntil(async () => ((await pool.query('SELECT 1 FROM alarm_lifecycles WHERE alarm_id = $1', [alarm.id])).rowCount ?? 0) > 0, 15000), 'escalation records it')
  const tasks = async () => (await dispatch.service.http.inject({ url: `/alarms/${alarm.id}/tasks` })).json().tasks as Array<{ taskId: string; state: string; responderId: string | null }>
  t.ok(await waitUntil(async () => (await tasks()).length > 0, 15000), 'dispatch creates a visit task')
  t.match(await tasks(), [{ state: 'offered', responderId: 'c-own' }], 'offered to her assigned carer')

  const operator = await signIn(console_.url, 'op-1', DESK_PASSWORD)
  const report = await operator.call('GET', `/api/reports/daily-contact?date=${date}`)
  t.equal(report.status, 200, JSON.stringify(report.body))
  t.match(report.body, { date, timeZone: zone, cutoff: new Date(cutoffAt).toISOString(), required: 2, contacted: 1, missed: 1, pending: 0 })
  const items = report.body.items as Array<{ residentId: string; status: string; firstContact: { kind: string } | null; alarmId: string | null }>
  t.match(items.find(i => i.residentId === okResident), { status: 'contacted', firstContact: { kind: 'checkin' }, alarmId: null })
  t.match(items.find(i => i.residentId === silentResident), { status: 'missed', firstContact: null, alarmId: alarm.id })

  // Contact recorded after the verdict is kept (and shown) but does not undo the missed day: the operator reaches her by phone
  // on the alarm, and the carer arrives.
  const called = await operator.call('POST', `/api/alarms/${alarm.id}/calls`, { to: 'resident', outcome: 'answered' })
  t.equal(called.status, 200, JSON.stringify(called.body))
  t.ok(await waitUntil(async () => (await signals()).some(s => s.resident_id === silentResident && s.kind === 'call' && s.actor_id === 'op-1'), 5000), 'an answered call to the resident is a call signal')
  const task = (await tasks())[0]!
  t.ok((await dispatch.service.tasks.act(task.taskId, { kind: 'accept', by: 'c-own', at: new Date().toISOString(), arrivalDueAt: new Date(Date.now() + 600000).toISOString() })).ok)
  t.ok((await dispatch.service.tasks.act(task.taskId, { kind: 'arrive', by: 'c-own', at: new Date().toISOString() })).ok)
  t.ok(await waitUntil(async () => (await signals()).some(s => s.resident_id === silentResident && s.kind === 'visit' && s.actor_id === 'c-own'), 15000), 'the carer\'s arrival on the alarm is a visit signal')
  const after = await operator.call('GET', `/api/reports/daily-contact?date=${date}`)
  t.match((after.body.items as typeof items).find(i => i.residentId === silentResident), { status: 'missed', firstContact: { kind: 'call' } }, 'still missed, with the late contact shown')
})
