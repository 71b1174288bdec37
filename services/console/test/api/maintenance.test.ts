import { randomUUID } from 'node:crypto'
import t from 'tap'
import { consoleApp, type ConsoleApp } from './console-app.ts'
import { auditRows, extraUser } from './registry-helpers.ts'

const DAY = 86_400_000
const NOW = new Date('2026-06-10T04:00:00.000Z')
const ago = (days: number) => new Date(NOW.getTime() - days * DAY)

async function device(app: ConsoleApp, d: { id: string; type: string; org?: string; residentId?: string; createdDaysAgo?: number; testedDaysAgo?: number[]; status?: string; testMode?: boolean }) {
  const db = app.db.pool
  const created = ago(d.createdDaysAgo ?? 60)
  await db.query(
    `INSERT INTO devices (id, org_id, type, model, mqtt_password_hash, supervision_interval_s, created_at, status, test_mode) VALUES ($1, $2, $3, 'M1', '$7$test', 600, $4, $5, $6)`,
    [d.id, d.org ?? 'org-a', d.type, created, d.status ?? 'active', d.testMode ?? false],
  )
  if (d.residentId) await db.query('INSERT INTO device_bindings (device_id, resident_id, bound_at) VALUES ($1, $2, $3)', [d.id, d.residentId, created])
  for (const days of d.testedDaysAgo ?? []) await db.query('INSERT INTO device_tests (device_id, at, event_id) VALUES ($1, $2, $3)', [d.id, ago(days), randomUUID()])
}

t.test('the maintenance list: due and overdue buttons and wearables, scoped, paged, and as CSV', async t => {
  const app = await consoleApp(t, { now: () => NOW })
  await device(app, { id: 'P-DUE', type: 'sos_pendant', residentId: 'res-a1', testedDaysAgo: [15, 8] })
  await device(app, { id: 'W-OVER', type: 'watch', residentId: 'res-a2', testedDaysAgo: [10] })
  await device(app, { id: 'B-OK', type: 'wall_button', residentId: 'res-a1', testedDaysAgo: [1] })
  await device(app, { id: 'B-EDGE', type: 'wall_button', residentId: 'res-a1', testedDaysAgo: [7] })
  await device(app, { id: 'B-NEW', type: 'wall_button', residentId: 'res-a1', createdDaysAgo: 3 })
  await device(app, { id: 'S-DOOR', type: 'door_sensor', residentId: 'res-a1' })
  await device(app, { id: 'P-REVOKED', type: 'sos_pendant', status: 'revoked' })
  await device(app, { id: 'P-TESTMODE', type: 'sos_pendant', residentId: 'res-a2', testMode: true })
  await device(app, { id: 'P-DRAWER', type: 'sos_pendant', createdDaysAgo: 20 })
  await device(app, { id: 'P-ORGB', type: 'sos_pendant', org: 'org-b', residentId: 'res-b1', testedDaysAgo: [10] })
  // Organisation B tests monthly: ten days without a test is fine there.
  await app.db.pool.query(`INSERT INTO care_duty_settings (org_id, test_interval_days, test_grace_days) VALUES ('org-b', 30, 5)`)
  const alarmId = randomUUID()
  await app.db.pool.query(
    `INSERT INTO alarms (id, org_id, resident_id, device_id, scope, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
     VALUES ($1, 'org-a', 'res-a2', 'W-OVER', 'W-OVER', 'device_test_overdue', 'low', 10, 'open', $1, $2, $3, $3)`,
    [alarmId, ago(3), ago(1)],
  )

  const list = await app.as('operator', 'GET', '/api/devices/maintenance')
  t.equal(list.statusCode, 200, list.body)
  const body = list.json()
  t.same(body.items.map((i: { deviceId: string }) => i.deviceId), ['P-DRAWER', 'W-OVER', 'P-DUE'], 'most overdue first; ok, sensors, revoked and test-mode devices absent')
  t.equal(body.nextCursor, null)
  t.same(body.items[0], {
    deviceId: 'P-DRAWER', type: 'sos_pendant', model: 'M1', residentId: null, residentName: null, areaId: null, lastTestAt: null,
    dueAt: ago(13).toISOString(), status: 'overdue', alarmId: null, offline: true, battery: null,
  }, 'a device in the drawer counts from its provisioning and has no alarm')
  t.match(body.items[1], { deviceId: 'W-OVER', residentId: 'res-a2', residentName: '李建国', areaId: 'area-2', lastTestAt: ago(10).toISOString(), dueAt: ago(3).toISOString(), status: 'overdue', alarmId })
  t.match(body.items[2], { deviceId: 'P-DUE', residentId: 'res-a1', lastTestAt: ago(8).toISOString(), dueAt: ago(1).toISOString(), status: 'due', alarmId: null })

  const overdue = await app.as('operator', 'GET', '/api/devices/maintenance?status=overdue')
  t.same(overdue.json().items.map((i: { deviceId: string }) => i.deviceId), ['P-DRAWER', 'W-OVER'])
  const due = await app.as('operator', 'GET', '/api/devices/maintenance?status=due')
  t.same(due.json().items.map((i: { deviceId: string }) => i.deviceId), ['P-DUE'])

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const pageUrl: string = `/api/devices/maintenance?limit=1${cursor ? `&cursor=${cursor}` : ''}`
    const pageBody = (await app.as('operator', 'GET', pageUrl)).json()
    seen.push(...pageBody.items.map((i: { deviceId: string }) => i.deviceId))
    cursor = pageBody.nextCursor
  } while (cursor && seen.length < 10)
  t.same(seen, ['P-DRAWER', 'W-OVER', 'P-DUE'], 'pages of one, none repeated or lost')

  const ids = async (who: Parameters<ConsoleApp['as']>[0]) => (await app.as(who, 'GET', '/api/devices/maintenance')).json().items.map((i: { deviceId: string }) => i.deviceId)
  const areaOne = await extraUser(app, { id: 'a-oper-1', role: 'operator', area: 'area-1' })
  t.same((await areaOne('GET', '/api/devices/maintenance')).json().items.map((i: { deviceId: string }) => i.deviceId), ['P-DUE'], 'area staff see their area only (not the drawer)')
  t.same(await ids('areaOperator'), ['W-OVER'])
  t.equal((await app.as('carer', 'GET', '/api/devices/maintenance')).statusCode, 403, 'devices.read: carers do not read the device registry')
  t.same(await ids('otherOrgOperator'), [], "another organisation's interval applies to its devices")

  const bad = await app.as('operator', 'GET', '/api/devices/maintenance?status=late')
  t.equal(bad.statusCode, 400)
  const badCursor = await app.as('operator', 'GET', '/api/devices/maintenance?cursor=nonsense')
  t.equal(badCursor.statusCode, 400)

  const csv = await app.as('operator', 'GET', '/api/devices/maintenance.csv')
  t.equal(csv.statusCode, 200, csv.body)
  t.match(csv.headers['content-type'], /text\/csv/)
  t.match(csv.headers['content-disposition'], /device-maintenance-2026-06-10\.csv/)
  t.ok(csv.body.startsWith('\uFEFF设备编号,类型,型号,使用人,区域,上次测试,应测时间,状态,报警编号,离线,电量 (%)\r\n'), 'BOM and Chinese header')
  const lines = csv.body.slice(1).split('\r\n')
  t.equal(lines.length, 5, 'header, three devices, final line end')
  t.equal(lines[1], 'P-DRAWER,紧急呼叫挂件,M1,,,从未测试,2026-05-28 12:00,逾期未测,,是,', 'times in the reader\'s zone (Asia/Shanghai)')
  t.equal(lines[2], `W-OVER,智能手表,M1,李建国,area-2,2026-05-31 12:00,2026-06-07 12:00,逾期未测,${alarmId},是,`)
  const en = await app.as('operator', 'GET', '/api/devices/maintenance.csv?lang=en&status=due')
  t.equal(en.body, '\uFEFFDevice,Type,Model,Resident,Area,Last test,Due,Status,Alarm,Offline,Battery (%)\r\nP-DUE,SOS pendant,M1,王桂英,area-1,2026-06-02 12:00,2026-06-09 12:00,Due,,yes,\r\n')
  t.same((await auditRows(app, 'export_device_maintenance')).map(r => r.detail), [{ status: null, lang: 'zh-CN', count: 3 }, { status: 'due', lang: 'en', count: 1 }])

  const detail = await app.as('operator', 'GET', '/api/devices/P-DUE')
  t.equal(detail.statusCode, 200, 'the device routes still answer for device ids')
  t.equal(detail.json().lastTestAt, ago(8).toISOString(), "a device's last test is shown with it")
  t.equal((await app.as('operator', 'GET', '/api/devices/maintenance')).statusCode, 200)
  const anon = await app.app.inject({ method: 'GET', url: '/api/devices/maintenance' })
  t.equal(anon.statusCode, 401)
})
