import t from 'tap'
import { consoleApp, type ConsoleApp } from './console-app.ts'
import { auditRows, extraUser } from './registry-helpers.ts'

type Item = { residentId: string; fullName: string; age: number; areaId: string | null; flags: string[]; derived: string[]; manual: string[]; assignedCarer: { id: string } | null }

/** Residents of organisation A for the ledger, none of them flagged by hand unless said so. */
async function residents(app: ConsoleApp, rows: Array<{ id: string; name: string; area?: string; birth?: string; living?: string; care?: string; conditions?: string; household?: string | null; manual?: string }>): Promise<void> {
  for (const r of rows) {
    await app.db.pool.query(
      `INSERT INTO residents (id, org_id, area_id, full_name, gender, birth_date, address, living_situation, care_level, conditions, household_id)
       VALUES ($1, 'org-a', $2, $3, 'female', $4::date, '路 1 号', $5, $6, $7::text[], $8)`,
      [r.id, r.area ?? 'area-1', r.name, r.birth ?? '1960-01-01', r.living ?? 'with_family', r.care ?? 'independent', r.conditions ?? '{}', r.household ?? null],
    )
    if (r.manual) await app.db.pool.query(`UPDATE residents SET ${r.manual} = true WHERE id = $1`, [r.id])
  }
}

/** The fixture's two residents out of the way, so each test sees only its own. */
async function clearFixture(app: ConsoleApp): Promise<void> {
  await app.db.pool.query(`UPDATE residents SET living_situation = 'with_family', care_level = 'independent', conditions = '{}', birth_date = '1970-01-01',
    flag_living_alone = false, flag_very_old = false, flag_disabled = false, flag_dementia = false, flag_empty_nest = false WHERE org_id = 'org-a'`)
}

const ledger = async (app: ConsoleApp, query = '', who: 'operator' | 'areaOperator' | 'auditor' | 'otherOrgOperator' = 'operator') => {
  const response = await app.as(who, 'GET', `/api/ledger${query}`)
  if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`)
  return response.json() as { items: Item[]; nextCursor: string | null; counts: Record<string, number> }
}
const byId = (items: Item[]) => new Map(items.map(i => [i.residentId, i]))

t.test('ledger: very old is derived at the organisation\'s age, in its time zone', async t => {
  const app = await consoleApp(t)
  await clearFixture(app)
  // Eighty today on the far side of the date line (UTC+14); in UTC-11 that day has not begun, so not yet.
  await app.db.pool.query(`UPDATE organisations SET timezone = 'Pacific/Kiritimati' WHERE id = 'org-a'`)
  const { rows } = await app.db.pool.query<{ birth: string }>(`SELECT to_char((now() AT TIME ZONE 'Pacific/Kiritimati')::date - interval '80 years', 'YYYY-MM-DD') AS birth`)
  await residents(app, [{ id: 'res-eighty', name: '八十', birth: rows[0]!.birth }, { id: 'res-young', name: '年轻', birth: '1970-01-01' }])

  let answer = await ledger(app)
  t.same(answer.items.map(i => i.residentId), ['res-eighty'], 'only people with a flag are in the ledger')
  t.same(answer.items[0]!.derived, ['very_old'])
  t.same(answer.items[0]!.manual, [])
  t.same(answer.items[0]!.flags, ['very_old'])
  t.equal(answer.items[0]!.age, 80)
  t.equal(answer.counts.very_old, 1)

  await app.db.pool.query(`UPDATE organisations SET timezone = 'Pacific/Pago_Pago' WHERE id = 'org-a'`)
  answer = await ledger(app)
  t.same(answer.items, [], 'a day or two short of 80 where the organisation is')
  t.equal(answer.counts.very_old, 0)

  await app.db.pool.query(`UPDATE organisations SET timezone = 'Pacific/Kiritimati', very_old_age = 85 WHERE id = 'org-a'`)
  t.same((await ledger(app)).items, [], 'the organisation counts from 85')
  await app.db.pool.query(`UPDATE organisations SET very_old_age = 75 WHERE id = 'org-a'`)
  t.same((await ledger(app)).items.map(i => i.residentId), ['res-eighty'], 'and again from 75')
})

t.test('ledger: living alone from a one-member household, derived and manual flags apart, the carer of the household', async t => {
  const app = await consoleApp(t)
  await clearFixture(app)
  await app.db.pool.query(`INSERT INTO households (id, org_id, area_id, address, assigned_carer_id) VALUES
    ('hh-solo', 'org-a', 'area-1', '一号楼 101', 'a-carer'), ('hh-pair', 'org-a', 'area-1', '二号楼 202', NULL)`)
  await residents(app, [
    { id: 'res-solo', name: '独居甲', household: 'hh-solo' },
    { id: 'res-pair-1', name: '同住乙', household: 'hh-pair' },
    { id: 'res-pair-2', name: '同住丙', household: 'hh-pair' },
    { id: 'res-both', name: '两者丁', living: 'alone', manual: 'flag_living_alone' },
    { id: 'res-manual', name: '人工戊', manual: 'flag_dementia' },
    { id: 'res-dependent', name: '失能己', care: 'dependent', conditions: '{dementia}', living: 'with_spouse' },
  ])
  const answer = await ledger(app)
  const items = byId(answer.items)
  t.notOk(items.has('res-pair-1'), 'two in a household: nobody lives alone')
  t.same(items.get('res-solo')?.derived, ['living_alone'], 'the only member of a household lives alone')
  t.equal(items.get('res-solo')?.assignedCarer?.id, 'a-carer', "the household's assigned carer (定人包户)")
  t.same(items.get('res-both')?.derived, ['living_alone', 'empty_nest'])
  t.same(items.get('res-both')?.manual, ['living_alone'])
  t.same(items.get('res-both')?.flags, ['living_alone', 'empty_nest'])
  t.same(items.get('res-manual')?.derived, [])
  t.same(items.get('res-manual')?.flags, ['dementia'], 'a manual flag alone puts someone in the ledger')
  t.same(items.get('res-dependent')?.derived, ['disabled', 'dementia', 'empty_nest'])
  t.same(answer.counts, { disabled: 1, dementia: 2, very_old: 0, living_alone: 2, empty_nest: 2 })

  // The other member leaves: the one left behind now lives alone.
  await app.db.pool.query(`UPDATE residents SET household_id = NULL WHERE id = 'res-pair-2'`)
  t.same(byId((await ledger(app)).items).get('res-pair-1')?.derived, ['living_alone'])

  const views = await auditRows(app, 'view_ledger')
  t.ok(views.length >= 2)
  t.same(views[0]?.detail, { filter: { limit: 50 }, page: 'first', count: 4 }, 'the audit has the filter and a count, no names or flags of people')
})

t.test('ledger: filters, pagination, scoping', async t => {
  const app = await consoleApp(t)
  await clearFixture(app)
  const people = Array.from({ length: 7 }, (_, i) => ({ id: `res-l${i}`, name: `人${i}`, living: 'alone', area: i < 5 ? 'area-1' : 'area-2' }))
  await residents(app, [...people, { id: 'res-dep', name: '人9', care: 'dependent', area: 'area-2' }])

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const answer = await ledger(app, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
    seen.push(...answer.items.map(i => i.residentId))
    cursor = answer.nextCursor
    pages++
  } while (cursor)
  t.equal(pages, 3)
  t.same(seen, [...people.map(p => p.id), 'res-dep'], 'every flagged person once, by name')

  const dependent = await ledger(app, '?flag=disabled')
  t.same(dependent.items.map(i => i.residentId), ['res-dep'])
  t.same(dependent.counts, { disabled: 1, dementia: 0, very_old: 0, living_alone: 7, empty_nest: 7 }, 'counts are of the whole scope, not of the flag shown')

  const area2 = await ledger(app, '?areaId=area-2')
  t.same(area2.items.map(i => i.residentId), ['res-l5', 'res-l6', 'res-dep'])
  t.equal(area2.counts.living_alone, 2)

  const areaOperator = await ledger(app, '', 'areaOperator')
  t.same(areaOperator.items.map(i => i.residentId), ['res-l5', 'res-l6', 'res-dep'], 'area staff see only their area')
  t.same((await ledger(app, '?areaId=area-1', 'areaOperator')).items, [], 'and cannot ask for another')
  const otherOrg = await ledger(app, '', 'otherOrgOperator')
  t.same(otherOrg.items.map(i => i.residentId), ['res-b1'], 'another organisation sees only its own')

  t.equal((await app.as('operator', 'GET', '/api/ledger?flag=rich')).statusCode, 400)
  t.equal((await app.as('operator', 'GET', '/api/ledger?cursor=nonsense')).statusCode, 400)
  t.equal((await app.as('carer', 'GET', '/api/ledger')).statusCode, 403, 'responders do not read the ledger')
  t.equal((await app.as('auditor', 'GET', '/api/ledger')).statusCode, 200)
})

t.test('ledger CSV: BOM, Chinese headers by default, English on request, formula injection guarded, scoped, audited', async t => {
  const app = await consoleApp(t)
  await clearFixture(app)
  await residents(app, [
    { id: 'res-csv1', name: '=HYPERLINK("http://evil")', living: 'alone', manual: 'flag_living_alone' },
    { id: 'res-csv2', name: '钱七', care: 'dependent', area: 'area-2' },
  ])
  await app.db.pool.query(`UPDATE residents SET address = '+86 路, "甲"' WHERE id = 'res-csv1'`)
  const zh = await app.as('operator', 'GET', '/api/ledger.csv')
  t.equal(zh.statusCode, 200)
  t.match(String(zh.headers['content-type']), /^text\/csv/)
  t.match(String(zh.headers['content-disposition']), /attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.csv"/)
  t.ok(zh.body.startsWith('\uFEFF'), 'a byte-order mark for Excel')
  const lines = zh.body.slice(1).split('\r\n')
  t.equal(lines[0], '编号,姓名,年龄,区域,地址,失能,失智,高龄,独居,空巢,包户护理员,护理员电话')
  const evil = lines.find(l => l.startsWith('res-csv1'))!
  t.ok(evil.includes(`"'=HYPERLINK(""http://evil"")"`), 'a formula is text')
  t.ok(evil.includes(`"'+86 路, ""甲"""`), 'a leading + is quoted away, commas and quotes escaped')
  t.ok(evil.includes(',数据认定+人工标记,数据认定,'), 'living alone from data and by hand; empty nest from data')
  t.equal(lines.filter(l => l.startsWith('res-')).length, 2)

  const en = await app.as('operator', 'GET', '/api/ledger.csv?lang=en&flag=disabled')
  const enLines = en.body.slice(1).split('\r\n')
  t.equal(enLines[0], 'ID,Name,Age,Area,Address,Disabled,Dementia,Very old,Living alone,Empty nest,Assigned carer,Carer phone')
  t.same(enLines.filter(l => l.startsWith('res-')).map(l => l.split(',')[0]), ['res-csv2'], 'filtered by flag')
  t.ok(enLines[1]!.includes(',from data,'))

  const area = await app.as('areaOperator', 'GET', '/api/ledger.csv')
  t.same(area.body.slice(1).split('\r\n').filter(l => l.startsWith('res-')).map(l => l.split(',')[0]), ['res-csv2'], 'scoped to the area')

  const areaSupervisor = await extraUser(app, { id: 'a-super-1', role: 'supervisor', area: 'area-1' })
  const own = await areaSupervisor('GET', '/api/ledger.csv')
  t.same(own.body.slice(1).split('\r\n').filter(l => l.startsWith('res-')).map(l => l.split(',')[0]), ['res-csv1'])

  const exports = await auditRows(app, 'export_ledger')
  t.equal(exports.length, 4)
  t.same(exports[1]?.detail, { filter: { flag: 'disabled' }, lang: 'en', count: 1 })
  const everything = JSON.stringify(exports)
  t.notOk(everything.includes('钱七') || everything.includes('HYPERLINK'), 'no names in the audit')
})
