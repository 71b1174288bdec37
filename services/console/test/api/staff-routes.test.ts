import t from 'tap'
import { consoleApp } from './console-app.ts'
import { auditRows, extraUser, signedIn } from './registry-helpers.ts'

t.test('staff: create with a sign-in, list in pages, change; never a password hash in an answer or the audit', async t => {
  const app = await consoleApp(t)
  const created = await app.as('administrator', 'POST', '/api/staff', {
    id: 'a-carer-2', fullName: '刘护工', role: 'carer', areaId: 'area-1', phone: '13700000000', username: 'Liu.Carer', password: 'a long enough password',
  })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json(), { id: 'a-carer-2', fullName: '刘护工', role: 'carer', areaId: 'area-1', phone: '13700000000', email: null, active: true })
  const liu = await signedIn(app, 'liu.carer', 'a long enough password')
  t.equal((await liu('GET', '/api/session')).statusCode, 200, 'the new account signs in (username without regard to case)')

  const duplicate = await app.as('administrator', 'POST', '/api/staff', { id: 'a-carer-2', fullName: 'x', role: 'carer' })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().code, 'already_exists')
  const taken = await app.as('administrator', 'POST', '/api/staff', { id: 'a-carer-3', fullName: 'x', role: 'carer', username: 'LIU.CARER', password: 'another long password' })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'username_taken')
  t.equal((await app.db.pool.query(`SELECT 1 FROM staff WHERE id = 'a-carer-3'`)).rowCount, 0, 'the staff row went with the refused account')

  for (const [body, field] of [
    [{ id: 'x-1', fullName: 'x', role: 'carer', username: 'someone', password: 'short' }, 'password'],
    [{ id: 'x-1', fullName: 'x', role: 'carer', username: 'someone' }, 'password'],
    [{ id: 'x-1', fullName: 'x', role: 'janitor' }, 'role'],
    [{ id: 'x-1', fullName: 'x', role: 'carer', email: 'not-an-email' }, 'email'],
    [{ id: 'x-1', fullName: 'x', role: 'carer', areaId: 'area-b' }, 'areaId'],
  ] as const) {
    const response = await app.as('administrator', 'POST', '/api/staff', body)
    t.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`)
    t.match(response.json().message, field)
  }

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page = (await app.as('operator', 'GET', `/api/staff?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json() as { items: { id: string }[]; nextCursor: string | null }
    seen.push(...page.items.map(s => s.id))
    cursor = page.nextCursor
  } while (cursor)
  const { rows } = await app.db.pool.query<{ id: string }>(`SELECT id FROM staff WHERE org_id = 'org-a' ORDER BY full_name, id`)
  t.same(seen, rows.map(r => r.id), 'the pages cover the organisation once, in name order')
  t.same((await app.as('operator', 'GET', '/api/staff?role=carer')).json().items.map((s: { id: string }) => s.id), ['a-carer', 'a-carer-2'])
  t.same((await app.as('areaOperator', 'GET', '/api/staff')).json().items.map((s: { id: string }) => s.id), ['a-oper-2'], 'an area sees its own staff')
  t.same((await app.as('otherOrgOperator', 'GET', '/api/staff')).json().items.map((s: { id: string }) => s.id), ['b-oper'])

  const patched = await app.as('administrator', 'PATCH', '/api/staff/a-carer-2', { phone: '13700000001', email: 'liu@example.org' })
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json(), { phone: '13700000001', email: 'liu@example.org' })
  t.equal((await liu('GET', '/api/session')).statusCode, 200, 'a change of phone number leaves the sessions alone')
  t.equal((await app.as('administrator', 'PATCH', '/api/staff/b-oper', { phone: '1234' })).statusCode, 404, 'another organisation\'s staff are not found')
  t.equal((await app.as('supervisor', 'PATCH', '/api/staff/a-carer-2', { phone: '1234' })).statusCode, 403)

  const answers = JSON.stringify([created.json(), patched.json(), (await app.as('operator', 'GET', '/api/staff')).json()])
  t.notOk(answers.includes('$argon2'), 'no password hash is ever answered')
  t.same((await auditRows(app, 'create_staff'))[0]?.detail, { staffId: 'a-carer-2', fields: ['areaId', 'fullName', 'id', 'password', 'phone', 'role', 'username'] })
  t.same((await auditRows(app, 'update_staff'))[0]?.detail, { staffId: 'a-carer-2', fields: ['email', 'phone'] })
  const audit = JSON.stringify((await app.db.pool.query('SELECT detail FROM audit_log')).rows)
  t.notOk(audit.includes('a long enough password') || audit.includes('$argon2') || audit.includes('13700000001'), 'no password, hash or value in the audit')
})

t.test('staff: a new password, deactivation or a new role signs the person out everywhere', async t => {
  const app = await consoleApp(t)
  const created = await app.as('administrator', 'POST', '/api/staff', { id: 'a-op-9', fullName: '孙值班', role: 'operator', username: 'sun', password: 'the first password' })
  t.equal(created.statusCode, 201, created.body)
  const desk = await signedIn(app, 'sun', 'the first password')
  const laptop = await signedIn(app, 'sun', 'the first password')

  t.equal((await app.as('administrator', 'PATCH', '/api/staff/a-op-9', { password: 'the second password' })).statusCode, 200)
  t.equal((await desk('GET', '/api/session')).statusCode, 401, 'signed out at the desk')
  t.equal((await laptop('GET', '/api/session')).statusCode, 401, 'and on the laptop')
  const after = await signedIn(app, 'sun', 'the second password')
  t.equal((await after('GET', '/api/residents')).statusCode, 200)

  t.equal((await app.as('administrator', 'PATCH', '/api/staff/a-op-9', { role: 'auditor' })).statusCode, 200)
  t.equal((await after('GET', '/api/session')).statusCode, 401, 'a session does not keep the rights of the old role')
  const auditor = await signedIn(app, 'sun', 'the second password')
  t.equal((await auditor('GET', '/api/session')).json().user.role, 'auditor')

  t.equal((await app.as('administrator', 'PATCH', '/api/staff/a-op-9', { active: false })).statusCode, 200)
  t.equal((await auditor('GET', '/api/session')).statusCode, 401)
  const refused = await app.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'sun', password: 'the second password' } })
  t.equal(refused.statusCode, 401, 'and cannot sign in again')

  const noAccount = await app.as('administrator', 'PATCH', '/api/staff/a-carer', { password: 'a password without a name' })
  t.equal(noAccount.statusCode, 200, 'the fixture accounts have usernames')
  await app.db.pool.query(`INSERT INTO staff (id, org_id, full_name, role) VALUES ('a-nobody', 'org-a', '无账号', 'carer')`)
  const nameless = await app.as('administrator', 'PATCH', '/api/staff/a-nobody', { password: 'a password without a name' })
  t.equal(nameless.statusCode, 400)
  t.match(nameless.json().message, 'username')
})

t.test('staff: the last administrator stays, area administrators stay in their area', async t => {
  const app = await consoleApp(t)
  const demote = await app.as('administrator', 'PATCH', '/api/staff/a-admin', { role: 'supervisor' })
  t.equal(demote.statusCode, 409)
  t.equal(demote.json().code, 'last_administrator')
  t.equal((await app.as('administrator', 'PATCH', '/api/staff/a-admin', { active: false })).statusCode, 409)

  const areaAdmin = await extraUser(app, { id: 'a-admin-2', role: 'administrator', area: 'area-2' })
  t.equal((await areaAdmin('POST', '/api/staff', { id: 'a-carer-5', fullName: '区外', role: 'carer', areaId: 'area-1' })).statusCode, 403)
  const own = await areaAdmin('POST', '/api/staff', { id: 'a-carer-5', fullName: '区内', role: 'carer' })
  t.equal(own.statusCode, 201)
  t.equal(own.json().areaId, 'area-2')
  t.equal((await areaAdmin('PATCH', '/api/staff/a-carer', { phone: '1234' })).statusCode, 404, 'staff of another area are not found')
  // With a second administrator, the first may step down.
  t.equal((await app.as('administrator', 'PATCH', '/api/staff/a-admin', { role: 'supervisor' })).statusCode, 200)
})
