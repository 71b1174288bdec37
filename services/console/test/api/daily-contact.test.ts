import t from 'tap'
import { consoleApp, type ConsoleApp } from './console-app.ts'
import { auditRows } from './registry-helpers.ts'

type Report = {
  date: string; timeZone: string; cutoff: string; required: number; contacted: number; missed: number; pending: number
  items: Array<{ residentId: string; fullName: string; areaId: string | null; areaName: string | null; status: string; firstContact: { kind: string; at: string; by: string | null } | null; alarmId: string | null }>
}

// A fixed clock: 10:00 in Shanghai on 10 March 2026 (the fixture's organisations use the default zone).
const NOW = new Date('2026-03-10T02:00:00Z')
const ALARM = '3f1c2b9a-1111-4a4a-8b8b-000000000001'

async function app(t: Parameters<typeof consoleApp>[0]): Promise<ConsoleApp> {
  const a = await consoleApp(t, { now: () => NOW })
  await a.db.pool.query(`UPDATE organisations SET timezone = 'Asia/Shanghai'`)
  // res-a1 (born 1939, alone) is required by the ledger; res-a2 lives with a spouse and is not.
  await a.db.pool.query(`UPDATE residents SET created_at = '2026-01-01T00:00:00Z'`)
  return a
}

const report = async (a: ConsoleApp, query: string, who: Parameters<ConsoleApp['as']>[0] = 'operator'): Promise<Report> => {
  const r = await a.as(who, 'GET', `/api/reports/daily-contact${query}`)
  if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`)
  return r.json() as Report
}

t.test('logging a call and a visit: checks, the contacts list, the audit', async t => {
  const a = await app(t)
  const call = await a.as('operator', 'POST', '/api/residents/res-a1/contacts', { kind: 'call', notes: '声音正常' })
  t.equal(call.statusCode, 201, call.body)
  t.match(call.json(), { kind: 'call', at: NOW.toISOString(), localDate: '2026-03-10', by: 'operator a-oper' })

  // 23:59 Shanghai on 9 March is 15:59Z: that day, not the UTC one.
  const late = await a.as('operator', 'POST', '/api/residents/res-a1/contacts', { kind: 'visit', at: '2026-03-09T15:59:00Z' })
  t.equal(late.json().localDate, '2026-03-09')
  const early = await a.as('operator', 'POST', '/api/residents/res-a1/contacts', { kind: 'visit', at: '2026-03-09T16:01:00Z' })
  t.equal(early.json().localDate, '2026-03-10', '00:01 local is the next day')

  t.equal((await a.as('operator', 'POST', '/api/residents/res-a1/contacts', { kind: 'call', at: '2026-03-10T03:00:00Z' })).statusCode, 400, 'not in the future')
  t.equal((await a.as('operator', 'POST', '/api/residents/res-a1/contacts', { kind: 'call', at: '2026-03-02T00:00:00Z' })).statusCode, 400, 'not older than 7 days')
  t.equal((await a.as('operator', 'POST', '/api/residents/res-a1/contacts', { kind: 'checkin' })).statusCode, 400, 'only calls and visits are logged by hand')
  t.equal((await a.as('otherOrgOperator', 'POST', '/api/residents/res-a1/contacts', { kind: 'call' })).statusCode, 404, 'another organisation')
  t.equal((await a.as('areaOperator', 'POST', '/api/residents/res-a1/contacts', { kind: 'call' })).statusCode, 404, 'another area')
  t.equal((await a.as('auditor', 'POST', '/api/residents/res-a1/contacts', { kind: 'call' })).statusCode, 403)
  t.equal((await a.as('administrator', 'POST', '/api/residents/res-a1/contacts', { kind: 'call' })).statusCode, 403)

  // The assigned carer logs a visit; not a call, and not for someone else's resident; the doctor is not the carer.
  t.equal((await a.as('carer', 'POST', '/api/residents/res-a1/contacts', { kind: 'visit' })).statusCode, 201)
  t.equal((await a.as('carer', 'POST', '/api/residents/res-a1/contacts', { kind: 'call' })).statusCode, 403)
  t.equal((await a.as('carer', 'POST', '/api/residents/res-a2/contacts', { kind: 'visit' })).statusCode, 403)
  t.equal((await a.as('doctor', 'POST', '/api/residents/res-a1/contacts', { kind: 'visit' })).statusCode, 403)
  // A household's carer answers for its members.
  await a.db.pool.query(`INSERT INTO households (id, org_id, area_id, address, assigned_carer_id) VALUES ('hh-2', 'org-a', 'area-2', '阳光路 9 号', 'a-doctor')`)
  await a.db.pool.query(`UPDATE residents SET household_id = 'hh-2' WHERE id = 'res-a2'`)
  t.equal((await a.as('doctor', 'POST', '/api/residents/res-a2/contacts', { kind: 'visit' })).statusCode, 201)

  const list = await a.as('operator', 'GET', '/api/residents/res-a1/contacts?days=7')
  t.equal(list.statusCode, 200)
  const items = list.json().items as Array<{ kind: string; localDate: string; by: string | null }>
  t.same(items.map(i => [i.kind, i.localDate]), [['call', '2026-03-10'], ['visit', '2026-03-10'], ['visit', '2026-03-10'], ['visit', '2026-03-09']])
  t.equal((await a.as('carer', 'GET', '/api/residents/res-a1/contacts')).statusCode, 403, 'reading is residents.read')
  t.equal((await a.as('operator', 'GET', '/api/residents/res-a1/contacts?days=40')).statusCode, 400)

  const logged = await auditRows(a, 'log_contact')
  t.equal(logged.length, 5)
  t.match(logged[0], { actor_id: 'a-oper', resident_id: 'res-a1', detail: { kind: 'call', notes: '声音正常' } })
  t.equal((await auditRows(a, 'view_contacts')).length, 1)
})

t.test('the compliance report: contacted, missed and pending, how and by whom, in scope', async t => {
  const a = await app(t)
  await a.db.pool.query(`INSERT INTO residents (id, org_id, area_id, full_name, gender, birth_date, address, living_situation, care_level, created_at)
    VALUES ('res-a3', 'org-a', 'area-2', '张玉兰', 'female', '1936-05-05', '阳光路 12 号', 'alone', 'independent', '2026-01-01T00:00:00Z'),
           ('res-a4', 'org-a', 'area-1', '刘德明', 'male', '1937-05-05', '阳光路 15 号', 'alone', 'independent', '2026-01-01T00:00:00Z')`)
  // res-a4 is very old and alone but excused by hand; res-a2 is not required by the ledger but required by hand.
  await a.db.pool.query(`INSERT INTO contact_requirements (resident_id, required) VALUES ('res-a4', false), ('res-a2', true)`)
  await a.db.pool.query(`INSERT INTO contact_signals (org_id, resident_id, kind, at, local_date, source_id, actor_kind, actor_id) VALUES
    ('org-a', 'res-a1', 'checkin', '2026-03-09T01:00:00Z', '2026-03-09', 'ev-1', 'device', 'dev-1'),
    ('org-a', 'res-a2', 'device_activity', '2026-03-09T00:30:00Z', '2026-03-09', 'activity:res-a2:2026-03-09', 'device', 'dev-2'),
    ('org-a', 'res-a2', 'call', '2026-03-09T03:00:00Z', '2026-03-09', 'console:1', 'staff', 'a-oper')`)
  await a.db.pool.query(`INSERT INTO contact_days (resident_id, local_date, org_id, status, decided_at, alarm_id) VALUES
    ('res-a1', '2026-03-09', 'org-a', 'contacted', '2026-03-09T10:02:00Z', null),
    ('res-a2', '2026-03-09', 'org-a', 'contacted', '2026-03-09T10:02:00Z', null),
    ('res-a3', '2026-03-09', 'org-a', 'missed', '2026-03-09T10:02:00Z', $1)`, [ALARM])

  const r = await report(a, '?date=2026-03-09')
  t.match(r, { date: '2026-03-09', timeZone: 'Asia/Shanghai', cutoff: '2026-03-09T10:00:00.000Z', required: 3, contacted: 2, missed: 1, pending: 0 })
  const byId = new Map(r.items.map(i => [i.residentId, i]))
  t.same(byId.get('res-a1')!.firstContact, { kind: 'checkin', at: '2026-03-09T01:00:00.000Z', by: null })
  t.same(byId.get('res-a2')!.firstContact, { kind: 'call', at: '2026-03-09T03:00:00.000Z', by: 'operator a-oper' }, 'device activity does not count by default')
  t.match(byId.get('res-a3'), { status: 'missed', alarmId: ALARM, firstContact: null, areaName: '二区' })
  t.notOk(byId.has('res-a4'), 'excused')

  // Today, before the cut-off: everyone required is pending.
  const today = await report(a, '')
  t.match(today, { date: '2026-03-10', required: 3, pending: 3, contacted: 0, missed: 0 })

  t.same((await report(a, '?date=2026-03-09', 'areaOperator')).items.map(i => i.residentId).sort(), ['res-a2', 'res-a3'], 'area staff see their area')
  t.same((await report(a, '?date=2026-03-09&areaId=area-1')).items.map(i => i.residentId), ['res-a1'])
  t.same((await report(a, '?date=2026-03-09', 'otherOrgOperator')).items.map(i => [i.residentId, i.status]), [['res-b1', 'pending']], 'only their organisation')
  t.equal((await a.as('carer', 'GET', '/api/reports/daily-contact')).statusCode, 403)
  t.equal((await a.as('operator', 'GET', '/api/reports/daily-contact?date=2026-13-45')).statusCode, 400)

  // The organisation lets device activity count: it is then res-a2's first contact.
  const put = await a.as('administrator', 'PUT', '/api/orgs/care-duty-settings', { contactCutoff: '20:30', deviceActivityCounts: true })
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json(), { contactCutoff: '20:30', deviceActivityCounts: true, timeZone: 'Asia/Shanghai' })
  const again = await report(a, '?date=2026-03-09')
  t.equal(again.cutoff, '2026-03-09T12:30:00.000Z')
  t.equal(again.items.find(i => i.residentId === 'res-a2')!.firstContact!.kind, 'device_activity')

  const csv = await a.as('auditor', 'GET', '/api/reports/daily-contact.csv?date=2026-03-09&lang=en')
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /text\/csv/)
  t.ok(csv.body.startsWith('\uFEFFDate,Resident ID,Name,Area,Status'), 'BOM and header')
  t.match(csv.body, /2026-03-09,res-a3,张玉兰,二区,missed,,,,3f1c2b9a/)
  t.match(csv.body, /2026-03-09,res-a1,王桂英,一区,contacted,check-in,2026-03-09T01:00:00.000Z,,/)
  t.equal((await auditRows(a, 'export_daily_contact')).length, 1)
  t.equal((await auditRows(a, 'view_daily_contact')).length, 6)
})

t.test('care-duty settings: defaults, administrator only, validated', async t => {
  const a = await app(t)
  const get = await a.as('operator', 'GET', '/api/orgs/care-duty-settings')
  t.same(get.json(), { contactCutoff: '18:00', deviceActivityCounts: false, timeZone: 'Asia/Shanghai' })
  t.equal((await a.as('supervisor', 'PUT', '/api/orgs/care-duty-settings', { contactCutoff: '17:00', deviceActivityCounts: false })).statusCode, 403)
  t.equal((await a.as('administrator', 'PUT', '/api/orgs/care-duty-settings', { contactCutoff: '24:00', deviceActivityCounts: false })).statusCode, 400)
  t.equal((await a.as('administrator', 'PUT', '/api/orgs/care-duty-settings', { contactCutoff: '17:00', deviceActivityCounts: false })).statusCode, 200)
  t.equal((await a.as('otherOrgOperator', 'GET', '/api/orgs/care-duty-settings')).json().contactCutoff, '18:00', 'per organisation')
  t.match(await auditRows(a, 'change_care_duty_settings'), [{ actor_id: 'a-admin', detail: { contactCutoff: '17:00' } }])
})
