import t from 'tap'
import ExcelJS from 'exceljs'
import { consoleApp, type ConsoleApp } from './console-app.ts'
import { auditRows } from './registry-helpers.ts'

const CSV = 'text/csv'
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

async function upload(app: ConsoleApp, body: Buffer | string, type: string, name = '导入.csv', who: 'supervisor' | 'operator' = 'supervisor') {
  const s = await app.signIn(who)
  return app.app.inject({
    method: 'POST', url: '/api/imports/residents', payload: body,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': type, 'x-file-name': encodeURIComponent(name) },
  })
}

const HEADER = '编号,姓名,性别,出生日期,身份证号,电话,地址,片区,户号,居住情况,照护等级,慢性病,台账标记,紧急联系人1姓名,紧急联系人1关系,紧急联系人1电话,备注'

t.test('CSV import with Chinese headers: good rows accepted, each bad row refused with every problem named, duplicates refused', async t => {
  const app = await consoleApp(t)
  const csv = [
    HEADER,
    'imp-1,陈淑芬,女,1941-05-20,110101194105200021,13812345678,阳光路 20 号,一区,hh-imp,独居,半失能,"高血压，糖尿病",高龄,陈大伟,儿子,13900000002,',
    'imp-2,周建华,男,1939-13-02,,12,阳光路 21 号,三区,,住院,,肺炎,,张三,,,',
    ',李秀英,女,1938/3/5,,,阳光路 22 号,area-1,hh-imp,与配偶同住,自理,,,,,,',
    'imp-1,陈淑芬,女,1941-05-20,,,阳光路 20 号,一区,,独居,半失能,,,,,,',
    '',
    'res-a1,王桂英,女,1939-03-02,,,阳光路 1 号,一区,,独居,半失能,,,,,,',
  ].join('\r\n')
  const response = await upload(app, `\uFEFF${csv}`, 'text/csv; charset=utf-8')
  t.equal(response.statusCode, 200, response.body)
  const report = response.json()
  t.match(report, { fileName: '导入.csv', rowsTotal: 5, rowsAccepted: 2, rowsRefused: 3 })
  t.ok(report.warnings.some((w: string) => w.includes('身份证号') && w.includes('不保存')), 'the ID-card column is ignored, and the report says so')
  t.ok(report.warnings.some((w: string) => w.includes('备注')), 'an unknown column is named')
  const row = (n: number) => report.rows.find((r: { row: number }) => r.row === n)
  t.match(row(2), { status: 'accepted', residentId: 'imp-1', problems: [] })
  t.equal(row(3).status, 'refused')
  t.same([...row(3).codes].sort(), ['area.unknown', 'birthDate.invalid_date', 'careLevel.missing', 'conditions.unknown', 'contacts.1.incomplete', 'livingSituation.unknown', 'phone.invalid'].sort())
  t.ok(row(3).problems.includes('出生日期: 1939-13-02 不是有效日期（如 1941-05-20）'), row(3).problems.join(' | '))
  t.match(row(4), { status: 'accepted', residentId: /^r-[0-9a-f]{16}$/ })
  t.match(row(5), { status: 'refused', codes: ['id.duplicate'] })
  t.match(row(5).problems[0], '第 2 行')
  t.equal(row(7).status, 'refused', 'a blank line is skipped; an existing id is refused, never overwritten')
  t.same(row(7).codes, ['id.exists'])

  const imported = await app.as('operator', 'GET', '/api/residents/imp-1')
  t.match(imported.json(), { fullName: '陈淑芬', gender: 'female', birthDate: '1941-05-20', areaId: 'area-1', livingSituation: 'alone', careLevel: 'semi_dependent',
    conditions: ['hypertension', 'diabetes'], contacts: [{ position: 1, fullName: '陈大伟', relation: '儿子', phone: '13900000002' }] })
  t.ok(imported.json().flags.includes('very_old'))
  const household = (await app.as('operator', 'GET', '/api/households/hh-imp')).json()
  t.same(household.members.map((m: { fullName: string }) => m.fullName).sort(), ['李秀英', '陈淑芬'].sort(), 'the household named is created once and joined')
  t.equal((await app.db.pool.query(`SELECT 1 FROM residents WHERE id = 'imp-2'`)).rowCount, 0, 'nothing of a refused row is left')
  t.equal((await app.db.pool.query(`SELECT full_name FROM residents WHERE id = 'res-a1'`)).rows[0].full_name, '王桂英')
  t.notOk(JSON.stringify((await app.db.pool.query('SELECT * FROM residents')).rows).includes('110101194105200021'), 'the ID number is stored nowhere')

  const again = (await upload(app, csv, CSV)).json()
  t.match(again, { rowsAccepted: 0, rowsRefused: 5 }, 'the same file again changes nothing')
  t.same(again.rows.find((r: { row: number }) => r.row === 4).codes, ['id.exists'], 'a row without an id finds the same person again')

  const audit = await auditRows(app, 'import_residents')
  t.same(audit[0]?.detail, { importId: report.importId, rowsTotal: 5, rowsAccepted: 2, rowsRefused: 3 })
  t.notOk(JSON.stringify(audit).includes('陈'), 'counts only')
  const events = (await app.db.pool.query(`SELECT payload FROM registry_outbox WHERE payload->>'action' = 'imported' ORDER BY seq`)).rows.map(r => `${r.payload.entity} ${r.payload.entityId}`)
  t.same(events, ['household hh-imp', 'resident imp-1', `resident ${row(4).residentId}`])

  const list = await app.as('auditor', 'GET', '/api/imports')
  t.equal(list.json().items.length, 2)
  t.match(list.json().items[1], { importId: report.importId, kind: 'residents', fileName: '导入.csv', staff: { id: 'a-super' }, rowsAccepted: 2 })
  const stored = await app.as('operator', 'GET', `/api/imports/${report.importId}`)
  t.same(stored.json(), report, 'the report is kept')
  t.equal((await app.as('otherOrgOperator', 'GET', `/api/imports/${report.importId}`)).statusCode, 404)
})

t.test('Excel import: a workbook built with exceljs, dates as dates, English headers', async t => {
  const app = await consoleApp(t)
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('居民')
  sheet.addRow(['id', 'fullName', 'gender', 'birthDate', 'address', 'areaId', 'livingSituation', 'careLevel', 'conditions', 'contact1Name', 'contact1Relation', 'contact1Phone', 'phone'])
  sheet.addRow(['xl-1', '赵国强', 'male', new Date(Date.UTC(1936, 10, 3)), '河畔路 1 号', 'area-2', 'with_family', 'dependent', 'copd, stroke_history', '赵敏', 'daughter', 13700000000, 13600000000])
  sheet.addRow(['xl-2', '', 'x', 'yesterday', '河畔路 2 号', 'area-2', 'alone', 'independent', '', '', '', '', ''])
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer())
  const response = await upload(app, bytes, XLSX, 'district.xlsx')
  t.equal(response.statusCode, 200, response.body)
  const report = response.json()
  t.match(report, { rowsTotal: 2, rowsAccepted: 1, rowsRefused: 1 })
  t.same(report.rows[1].codes, ['fullName.missing', 'gender.unknown', 'birthDate.invalid_date'])
  const resident = (await app.as('operator', 'GET', '/api/residents/xl-1')).json()
  t.match(resident, { birthDate: '1936-11-03', areaId: 'area-2', careLevel: 'dependent', phone: '13600000000', conditions: ['copd', 'stroke_history'], contacts: [{ phone: '13700000000' }] })
})

t.test('import refusals: wrong content type 415, too large 413, missing columns, unreadable, roles, area staff', async t => {
  const app = await consoleApp(t)
  const json = await app.as('supervisor', 'POST', '/api/imports/residents', { rows: [] })
  t.equal(json.statusCode, 415)
  t.equal(json.json().code, 'unsupported_media_type')
  t.equal((await upload(app, 'a,b', 'text/plain')).statusCode, 415)
  const big = await upload(app, Buffer.alloc(5 * 1024 * 1024 + 1, 'a'), CSV)
  t.equal(big.statusCode, 413)
  t.equal(big.json().code, 'too_large')
  const missing = await upload(app, '姓名,性别\n张三,男\n', CSV)
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().code, 'invalid_columns')
  t.match(missing.json().message, '出生日期')
  const zip = await upload(app, Buffer.from('PK\x03\x04garbage', 'latin1'), XLSX)
  t.equal(zip.statusCode, 400)
  t.equal(zip.json().code, 'unreadable_file')
  t.equal((await upload(app, 'x', CSV, 'x.csv', 'operator')).statusCode, 403, 'operators import nothing')
  const anonymous = await app.app.inject({ method: 'POST', url: '/api/imports/residents', payload: 'a', headers: { 'content-type': CSV } })
  t.equal(anonymous.statusCode, 401)

  const template = await app.as('administrator', 'GET', '/api/imports/residents/template.csv')
  t.equal(template.statusCode, 200)
  t.match(template.headers['content-type'], 'text/csv')
  t.ok(template.body.startsWith('\uFEFF编号,姓名,性别,出生日期'), 'UTF-8 with BOM, Chinese headers')
  const fromTemplate = await upload(app, `${template.body}t-1,孙兰,女,1940-02-02,,河畔路 9 号,一区,,独居,自理,,空巢,,,,,,,,\n`, CSV)
  t.match(fromTemplate.json(), { rowsAccepted: 1, warnings: [] }, 'the template imports as it is')
})
