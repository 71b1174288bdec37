import t from 'tap'
import { consoleApp } from './console-app.ts'
import { auditRows } from './registry-helpers.ts'

type Outbox = { key: string; payload: { entity: string; action: string; fields: string[]; residentIds: string[] } }
const outbox = async (app: Awaited<ReturnType<typeof consoleApp>>): Promise<Outbox[]> =>
  (await app.db.pool.query<Outbox>('SELECT key, payload FROM registry_outbox ORDER BY seq')).rows

t.test('households: create, list, change; a resident joins and leaves; the carer follows; every change audited and announced', async t => {
  const app = await consoleApp(t)
  const created = await app.as('supervisor', 'POST', '/api/households', { id: 'hh-1', areaId: 'area-1', address: '阳光路 1 号', lat: 31.23, lon: 121.47 })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json(), { id: 'hh-1', areaId: 'area-1', areaName: '一区', address: '阳光路 1 号', lat: 31.23, lon: 121.47, assignedCarer: null, members: [] })
  const again = await app.as('supervisor', 'POST', '/api/households', { id: 'hh-1', address: 'x' })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'already_exists')

  const joined = await app.as('supervisor', 'PUT', '/api/residents/res-a1/household', { householdId: 'hh-1' })
  t.equal(joined.statusCode, 200, joined.body)
  t.same(joined.json().household.members.map((m: { id: string }) => m.id), ['res-a1'])
  t.type(joined.json().household.members[0].age, 'number')

  const otherArea = await app.as('supervisor', 'PUT', '/api/residents/res-a2/household', { householdId: 'hh-1' })
  t.equal(otherArea.statusCode, 400, 'a resident of another area does not join')
  t.match(otherArea.json().message, 'householdId')

  await app.db.pool.query(`INSERT INTO staff (id, org_id, area_id, full_name, role) VALUES ('a-carer-2', 'org-a', 'area-1', '张护理', 'carer')`)
  const patched = await app.as('supervisor', 'PATCH', '/api/households/hh-1', { assignedCarerId: 'a-carer-2', address: '阳光路 1 号 2 单元' })
  t.equal(patched.statusCode, 200, patched.body)
  t.equal(patched.json().assignedCarer.id, 'a-carer-2')
  const carer = await app.db.pool.query(`SELECT assigned_carer_id FROM residents WHERE id = 'res-a1'`)
  t.equal(carer.rows[0].assigned_carer_id, 'a-carer-2', "the household's carer becomes its members' carer (定人包户)")
  t.equal((await app.as('supervisor', 'PATCH', '/api/households/hh-1', { assignedCarerId: 'a-doctor' })).statusCode, 400, 'a doctor is not a carer')

  const list = await app.as('operator', 'GET', '/api/households?q=阳光&limit=1')
  t.equal(list.statusCode, 200)
  t.equal(list.json().items.length, 1)
  t.equal(list.json().nextCursor, null)
  const byName = await app.as('operator', 'GET', `/api/households?q=${encodeURIComponent('王桂英')}`)
  t.same(byName.json().items.map((h: { id: string }) => h.id), ['hh-1'], 'found by a member name')
  t.equal((await app.as('areaOperator', 'GET', '/api/households/hh-1')).statusCode, 404, 'another area does not see it')
  t.equal((await app.as('otherOrgOperator', 'GET', '/api/households')).json().items.length, 0, 'another organisation sees nothing')

  const left = await app.as('supervisor', 'PUT', '/api/residents/res-a1/household', { householdId: null })
  t.equal(left.statusCode, 200)
  t.equal(left.json().household, null)
  t.same((await app.as('operator', 'GET', '/api/households/hh-1')).json().members, [])

  t.same((await auditRows(app, 'create_household')).map(a => a.detail), [{ householdId: 'hh-1', fields: ['address', 'areaId', 'id', 'lat', 'lon'] }])
  t.same((await auditRows(app, 'set_household')).map(a => a.resident_id), ['res-a1', 'res-a1'])
  const everything = JSON.stringify((await app.db.pool.query('SELECT detail FROM audit_log')).rows)
  t.notOk(everything.includes('阳光路'), 'no address in the audit')

  const events = await outbox(app)
  t.same(events.map(e => `${e.payload.entity} ${e.key} ${e.payload.action} [${e.payload.residentIds.join(',')}]`), [
    'household hh-1 created []',
    'resident res-a1 updated [res-a1]',
    'household hh-1 updated [res-a1]',
    'resident res-a1 updated [res-a1]',
  ])
  t.same(events[2]?.payload.fields, ['address', 'assignedCarerId'])
  t.notOk(JSON.stringify(events).includes('阳光路'), 'names of fields, never their values')
})

t.test('households: validation names the field; area staff stay in their area; pages follow', async t => {
  const app = await consoleApp(t)
  for (const [body, field] of [
    [{ id: 'a b', address: 'x' }, 'id'],
    [{ id: 'hh-2', address: '' }, 'address'],
    [{ id: 'hh-2', address: 'x', lat: 100 }, 'lat'],
    [{ id: 'hh-2', address: 'x', areaId: 'area-b' }, 'areaId'],
    [{ id: 'hh-2', address: 'x', extra: 1 }, 'extra'],
  ] as const) {
    const response = await app.as('supervisor', 'POST', '/api/households', body)
    t.equal(response.statusCode, 400, JSON.stringify(body))
    t.match(response.json().message, field)
  }
  t.equal((await app.as('supervisor', 'PATCH', '/api/households/hh-x', { address: 'x' })).statusCode, 404)
  t.equal((await app.as('supervisor', 'PATCH', '/api/households/hh-x', {})).statusCode, 400)
  t.equal((await app.as('operator', 'POST', '/api/households', { id: 'hh-3', address: 'x' })).statusCode, 403)
  for (const id of ['hh-a', 'hh-b', 'hh-c']) t.equal((await app.as('supervisor', 'POST', '/api/households', { id, address: id, areaId: 'area-2' })).statusCode, 201)
  const first = (await app.as('areaOperator', 'GET', '/api/households?limit=2')).json()
  t.same(first.items.map((h: { id: string }) => h.id), ['hh-a', 'hh-b'])
  const second = (await app.as('areaOperator', 'GET', `/api/households?limit=2&cursor=${first.nextCursor}`)).json()
  t.same(second.items.map((h: { id: string }) => h.id), ['hh-c'])
  t.equal(second.nextCursor, null)
  t.equal((await app.as('areaOperator', 'GET', '/api/households?cursor=nonsense')).statusCode, 400)
})
