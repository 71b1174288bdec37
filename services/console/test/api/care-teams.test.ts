import t from 'tap'
import { consoleApp } from './console-app.ts'
import { auditRows } from './registry-helpers.ts'

t.test('care teams: create, replace, list, disband; members checked; audited and announced', async t => {
  const app = await consoleApp(t)
  await app.db.pool.query(`INSERT INTO staff (id, org_id, area_id, full_name, role) VALUES ('a-carer-2', 'org-a', 'area-2', '张护理', 'carer'), ('a-gone', 'org-a', 'area-1', '离职', 'carer')`)
  await app.db.pool.query(`UPDATE staff SET active = false WHERE id = 'a-gone'`)

  const created = await app.as('administrator', 'PUT', '/api/care-teams/team-1', { areaId: 'area-1', name: '一区护理组', leadStaffId: 'a-carer', memberIds: ['a-doctor'] })
  t.equal(created.statusCode, 200, created.body)
  t.equal(created.json().lead.id, 'a-carer')
  t.same(created.json().members.map((m: { id: string }) => m.id).sort(), ['a-carer', 'a-doctor'], 'the lead is a member')

  const bad = await app.as('administrator', 'PUT', '/api/care-teams/team-1', { areaId: 'area-1', name: 'x', memberIds: ['a-carer', 'nobody', 'a-gone', 'a-carer-2', 'b-oper'] })
  t.equal(bad.statusCode, 400)
  for (const field of ['memberIds.1', 'memberIds.2', 'memberIds.3', 'memberIds.4']) t.match(bad.json().message, field, `${field} named`)
  t.equal((await app.as('administrator', 'PUT', '/api/care-teams/team-1', { name: '', memberIds: [] })).statusCode, 400)
  t.equal((await app.as('administrator', 'PUT', '/api/care-teams/team-1', { name: 'x', memberIds: ['a-carer', 'a-carer'] })).statusCode, 400)

  const replaced = await app.as('administrator', 'PUT', '/api/care-teams/team-1', { name: '一区护理一组', memberIds: ['a-carer'] })
  t.equal(replaced.statusCode, 200, replaced.body)
  t.equal(replaced.json().areaId, 'area-1', 'the area is kept when not given')
  t.equal(replaced.json().lead, null)
  t.same(replaced.json().members.map((m: { id: string }) => m.id), ['a-carer'])

  const list = await app.as('auditor', 'GET', '/api/care-teams')
  t.same(list.json().items.map((x: { name: string }) => x.name), ['一区护理一组'])
  t.same((await app.as('areaOperator', 'GET', '/api/care-teams')).json().items, [], 'another area sees none')
  t.equal((await app.as('supervisor', 'PUT', '/api/care-teams/team-2', { name: 'x', memberIds: [] })).statusCode, 403, 'staff.write only')

  const other = await app.as('administrator', 'PUT', '/api/care-teams/team-b', { name: 'b', memberIds: [] })
  t.equal(other.statusCode, 200)
  await app.db.pool.query(`UPDATE care_teams SET org_id = 'org-b', area_id = NULL WHERE id = 'team-b'`)
  t.equal((await app.as('administrator', 'PUT', '/api/care-teams/team-b', { name: 'mine', memberIds: [] })).statusCode, 409, "another organisation's id is not taken over")

  t.equal((await app.as('administrator', 'DELETE', '/api/care-teams/team-1')).statusCode, 204)
  t.equal((await app.as('administrator', 'DELETE', '/api/care-teams/team-1')).statusCode, 404)
  t.same((await auditRows(app, 'create_care_team')).map(a => a.detail.teamId), ['team-1', 'team-b'])
  t.same((await auditRows(app, 'update_care_team')).map(a => a.detail.fields), [['memberIds', 'name']])
  t.equal((await auditRows(app, 'delete_care_team')).length, 1)
  const events = (await app.db.pool.query(`SELECT payload FROM registry_outbox WHERE payload->>'entity' = 'care_team' ORDER BY seq`)).rows.map(r => `${r.payload.entityId} ${r.payload.action}`)
  t.same(events, ['team-1 created', 'team-1 updated', 'team-b created', 'team-1 deleted'])
})
