import t from 'tap'
import { readFileSync } from 'node:fs'
import { upsertAccount } from '@anxin/console'
import { hashPassword } from '@anxin/credentials'
import { createPool } from '@anxin/db'
import { CredentialSync } from '@anxin/infra/mosquitto'
import { SimulatedDevice } from '@anxin/simulators'
import { signIn, testLogger, waitUntil, type ConsoleClient } from '@anxin/testing'
import { cutoffSoon, MINUTE } from './cutoff-soon.ts'
import { DESK_PASSWORD } from './console-desk.ts'
import { pipeline } from './pipeline.ts'

/** The district's residents as an administrator's spreadsheet exports them: Chinese headers, one impossible date. */
const DISTRICT_CSV = [
  '编号,姓名,性别,出生日期,电话,地址,户号,居住情况,照护等级,紧急联系人1姓名,紧急联系人1关系,紧急联系人1电话',
  'dz-1,王秀兰,女,1938-04-12,13812340001,幸福路 1 号,hh-1,独居,自理,王强,儿子,13900000001',
  'dz-2,刘桂芳,女,1938-09-30,13812340002,幸福路 2 号,hh-2,独居,半失能,刘明,女儿,13900000002',
  'dz-3,张建国,男,1960-06-15,13812340003,幸福路 3 号,,与配偶同住,自理,李红,配偶,13900000003',
  'dz-4,赵德明,男,1938-02-30,,幸福路 4 号,,独居,自理,,,',
].join('\r\n')

async function uploadCsv(url: string, client: ConsoleClient, csv: string, fileName: string) {
  const response = await fetch(`${url}/api/imports/residents`, {
    method: 'POST', body: `\uFEFF${csv}\r\n`,
    headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'text/csv; charset=utf-8', 'x-file-name': encodeURIComponent(fileName) },
  })
  return { status: response.status, body: await response.json() }
}

/**
 * Issue 7 end to end: an administrator loads a district from CSV, assigns a carer, provisions a pendant that
 * then connects to a real Mosquitto kept by the credential sync, reads the ledger, and after the day's cut-off
 * the compliance report shows who was contacted and who was missed, the miss having raised an alarm and a
 * visit task for her carer.
 */
t.test('care registry: district from CSV, provisioned pendant checks in, ledger, and the next day a compliance report whose miss raised an alarm and a carer task', async t => {
  const p = await pipeline(t, { devices: 0 })
  const pool = p.db.pool
  const { logger } = testLogger('broker-sync')

  // 1. The broker's password file follows the registry; the ingestion login is kept in it. The sync holds a
  // listening connection, so it has a pool of its own (the test's is small and shared by every service).
  const syncPool = createPool({ url: p.db.url, schema: p.db.schema, applicationName: 'anxin-broker-sync-test', max: 2 })
  const sync = new CredentialSync({ pool: syncPool, passwordFile: p.broker.passwordFile, serviceLogins: [p.broker.ingestion], logger, brokerPid: p.broker.pid, debounceMs: 20, resyncIntervalMs: 60000 })
  t.teardown(async () => {
    await sync.stop()
    await syncPool.end()
  })
  await sync.start()

  // The cut-off a few minutes from now, in the organisation's zone; the alert service's clock is moved past it later.
  const { zone, date, cutoff, cutoffAt } = cutoffSoon()
  await pool.query(`UPDATE organisations SET timezone = $1 WHERE id = 'org-test'`, [zone])

  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES ('admin-1', 'org-test', '管理员', 'administrator', '13800000001'),
    ('op-1', 'org-test', '值班员甲', 'operator', '13800000002'), ('c-own', 'org-test', '包户护理员', 'carer', '13800000011')`)
  const hash = await hashPassword(DESK_PASSWORD)
  await upsertAccount(pool, 'admin-1', 'admin-1', hash)
  await upsertAccount(pool, 'op-1', 'op-1', hash)

  let offset = 0
  const now = () => new Date(Date.now() + offset)
  await p.startIngestion()
  const alert = await p.startAlert({ now })
  const escalation = await p.startEscalationHttp()
  const dispatch = await p.startDispatch({ escalationUrl: escalation.url })
  const console_ = await p.startConsole({ escalationUrl: escalation.url, dispatchUrl: dispatch.url })
  const admin = await signIn(console_.url, 'admin-1', DESK_PASSWORD)
  const operator = await signIn(console_.url, 'op-1', DESK_PASSWORD)

  const settings = await admin.call('PUT', '/api/orgs/care-duty-settings', { contactCutoff: cutoff, deviceActivityCounts: false })
  t.equal(settings.status, 200, `the administrator sets the daily cut-off: ${JSON.stringify(settings.body)}`)

  // 2. The district arrives as a CSV with Chinese headers.
  const imported = await uploadCsv(console_.url, admin, DISTRICT_CSV, '幸福社区.csv')
  t.equal(imported.status, 200, JSON.stringify(imported.body))
  t.match(imported.body, { fileName: '幸福社区.csv', rowsTotal: 4, rowsAccepted: 3, rowsRefused: 1, warnings: [] }, 'three residents accepted, one refused')
  const rows = imported.body.rows as Array<{ row: number; status: string; residentId: string | null; problems: string[]; codes: string[] }>
  t.same(rows.filter(r => r.status === 'accepted').map(r => r.residentId), ['dz-1', 'dz-2', 'dz-3'], 'the good rows are registered under their own ids')
  const refused = rows.find(r => r.status === 'refused')
  t.match(refused, { row: 5, codes: ['birthDate.invalid_date'] }, 'the impossible birth date is refused')
  t.ok(refused?.problems.some(problem => problem.startsWith('出生日期')), `the reason names the field: ${refused?.problems.join(' | ')}`)
  t.equal((await admin.call('GET', '/api/residents/dz-4')).status, 404, 'nothing of the refused row is registered')

  // 3. 定人包户: the carer takes the household of the resident who will be missed.
  const household = await admin.call('PATCH', '/api/households/hh-2', { assignedCarerId: 'c-own' })
  t.equal(household.status, 200, JSON.stringify(household.body))
  t.match(household.body, { id: 'hh-2', assignedCarer: { id: 'c-own' }, members: [{ id: 'dz-2' }] }, 'hh-2 has its carer')
  t.match((await admin.call('GET', '/api/residents/dz-2')).body, { assignedCarer: { id: 'c-own' } }, 'and she has him as her assigned carer')

  // 4. A pendant is provisioned, bound to the first resident, connects with the credentials shown once and presses "I'm OK".
  const provisioned = await admin.call('POST', '/api/devices', { id: 'DZ-PENDANT-1', type: 'sos_pendant' })
  t.equal(provisioned.status, 201, JSON.stringify(provisioned.body))
  const { username, password } = provisioned.body.credentials as { username: string; password: string }
  const bound = await admin.call('POST', `/api/devices/${username}/binding`, { residentId: 'dz-1' })
  t.ok(bound.status === 200 || bound.status === 201, `the pendant is bound to 王秀兰: ${bound.status} ${JSON.stringify(bound.body)}`)
  t.ok(await waitUntil(() => readFileSync(p.broker.passwordFile, 'utf8').includes(`${username}:`), 5000, 10), 'the credential sync writes the new device into the broker\'s password file')
  t.ok(readFileSync(p.broker.passwordFile, 'utf8').includes(`${p.broker.ingestion.username}:`), 'and keeps the ingestion login')
  const pendant = new SimulatedDevice({ url: p.broker.url, deviceId: username, password, ackTimeoutMs: 2000 })
  t.teardown(() => pendant.close())
  t.ok(await waitUntil(() => pendant.connect().then(() => true, () => false), 5000, 50), 'the pendant connects with the credentials shown once')
  await pendant.sendEvent('im_ok')
  const signals = async () => (await pool.query<{ resident_id: string; kind: string; local_date: string; actor_id: string }>(
    `SELECT resident_id, kind, to_char(local_date, 'YYYY-MM-DD') AS local_date, actor_id FROM contact_signals ORDER BY id`)).rows
  t.ok(await waitUntil(async () => (await signals()).some(s => s.kind === 'checkin'), 15000), 'ingestion accepts the "I\'m OK" press and the alert service records a check-in')
  t.same(await signals(), [{ resident_id: 'dz-1', kind: 'checkin', local_date: date, actor_id: username }], 'one check-in, for 王秀兰, today, by her pendant')

  // 5. The ledger derives the flags from the birth dates and the households.
  const ledger = await operator.call('GET', '/api/ledger')
  t.equal(ledger.status, 200, JSON.stringify(ledger.body))
  const entries = ledger.body.items as Array<{ residentId: string; flags: string[]; derived: string[]; manual: string[] }>
  for (const id of ['dz-1', 'dz-2']) {
    const entry = entries.find(e => e.residentId === id)
    t.ok(entry, `${id} is in the ledger`)
    t.ok(entry?.derived.includes('very_old') && entry.derived.includes('living_alone'), `${id} is very old and living alone, derived: ${JSON.stringify(entry)}`)
    t.same(entry?.manual, [], `${id} has no manual flag: nobody typed them in`)
  }
  t.notOk(entries.find(e => e.residentId === 'dz-3')?.flags.includes('very_old'), 'the resident born in 1960 is not very old')
  t.equal(ledger.body.counts.very_old, 2, 'two very old residents counted')

  // 6. The cut-off passes (plus the settle time) on the alert service's clock.
  const watch = alert.contactWatch!
  t.same(await watch.check(), [], 'before the cut-off nothing is decided')
  offset = cutoffAt + 2 * MINUTE + 1000 - Date.now()
  await watch.check()
  const days = await pool.query<{ resident_id: string; status: string; alarm_id: string | null }>(
    `SELECT resident_id, status, alarm_id FROM contact_days WHERE to_char(local_date, 'YYYY-MM-DD') = $1 ORDER BY resident_id`, [date])
  t.same(days.rows.map(r => [r.resident_id, r.status]), [['dz-1', 'contacted'], ['dz-2', 'missed']], 'the checked-in resident is contacted, the other very old one missed; the younger one is not required')

  const alarms = await pool.query<{ id: string; resident_id: string; detail: Record<string, unknown> }>(`SELECT id, resident_id, detail FROM alarms WHERE type = 'missed_contact'`)
  t.equal(alarms.rowCount, 1, 'exactly one missed-contact alarm')
  const alarm = alarms.rows[0]!
  t.match(alarm, { resident_id: 'dz-2', detail: { date, cutoff, timeZone: zone } }, 'for 刘桂芳, naming the day, cut-off and zone')
  t.equal(days.rows[1]?.alarm_id, alarm.id, 'the verdict names the alarm')
  t.ok(await waitUntil(async () => ((await pool.query('SELECT 1 FROM alarm_lifecycles WHERE alarm_id = $1', [alarm.id])).rowCount ?? 0) > 0, 15000), 'escalation records it')
  const tasks = async () => (await dispatch.service.http.inject({ url: `/alarms/${alarm.id}/tasks` })).json().tasks as Array<{ state: string; responderId: string | null }>
  t.ok(await waitUntil(async () => (await tasks()).length > 0, 15000), 'dispatch creates a visit task')
  t.match(await tasks(), [{ state: 'offered', responderId: 'c-own' }], 'offered to her household\'s carer')

  // 7. The compliance report for that day, as the operator reads it and exports it.
  const report = await operator.call('GET', `/api/reports/daily-contact?date=${date}`)
  t.equal(report.status, 200, JSON.stringify(report.body))
  t.match(report.body, { date, timeZone: zone, cutoff: new Date(cutoffAt).toISOString(), required: 2, contacted: 1, missed: 1, pending: 0 }, 'required 2, contacted 1, missed 1')
  const items = report.body.items as Array<{ residentId: string; status: string; firstContact: { kind: string } | null; alarmId: string | null }>
  t.same(items.map(i => i.residentId).sort(), ['dz-1', 'dz-2'], 'only the very old residents living alone are required')
  t.match(items.find(i => i.residentId === 'dz-1'), { status: 'contacted', firstContact: { kind: 'checkin' }, alarmId: null }, '王秀兰 contacted by check-in')
  t.match(items.find(i => i.residentId === 'dz-2'), { status: 'missed', firstContact: null, alarmId: alarm.id }, '刘桂芳 missed, with her alarm')

  const csv = await fetch(`${console_.url}/api/reports/daily-contact.csv?date=${date}`, { headers: { cookie: operator.cookie } })
  t.equal(csv.status, 200, 'the CSV answers')
  t.match(csv.headers.get('content-type'), 'text/csv')
  const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n')
  t.equal(lines.length, 3, 'a header and one line per required resident')
  t.ok(lines.some(l => l.includes('dz-1') && l.includes('已联系') && l.includes('报平安')), `王秀兰's line: contacted by check-in\n${lines.join('\n')}`)
  t.ok(lines.some(l => l.includes('dz-2') && l.includes('未联系') && l.includes(alarm.id)), '刘桂芳\'s line: missed, with the alarm id')
})
