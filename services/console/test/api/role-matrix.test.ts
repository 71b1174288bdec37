import { randomUUID } from 'node:crypto'
import t from 'tap'
import { consoleApp } from './console-app.ts'
import { NOT_IN_MATRIX, PARAMS, ROLES, ROUTES } from './route-table.ts'

// The matrix itself (who may call what, written out by hand) is in route-table.ts, shared with org-scoping.test.ts.

t.test('every route enforces the role matrix, and the matrix covers every route', async t => {
  const c = await consoleApp(t)
  const declared = c.service.api.operations.map(op => `${op.method} ${op.url}`).filter(r => !NOT_IN_MATRIX.has(r))
  t.same([...declared].sort(), Object.keys(ROUTES).sort(), 'the matrix lists exactly the routes the console has')

  for (const route of declared) {
    const [method, path] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string]
    let url = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => PARAMS[name]!)
    if (route === 'GET /api/responders') url += `?alarmId=${PARAMS.alarmId}`
    // A stream would never end under inject(): an invalid position is refused after authorisation, before streaming.
    if (route === 'GET /api/feed') url += '?after=x'
    for (const role of ROLES) {
      const response = await c.as(role, method, url, method === 'GET' ? undefined : {})
      const allowed = ROUTES[route]!.includes(role)
      if (allowed) {
        t.not(response.statusCode === 403 && response.json().code === 'forbidden', true, `${role} may ${route} (got ${response.statusCode})`)
        t.not(response.statusCode, 401, `${role} stays signed in for ${route}`)
      } else {
        t.equal(response.statusCode, 403, `${role} may not ${route}`)
        t.equal(response.json().code, 'forbidden')
      }
    }
  }
})

t.test('the auditor is read-only: every change is refused', async t => {
  const c = await consoleApp(t)
  for (const route of Object.keys(ROUTES).filter(r => !r.startsWith('GET '))) {
    t.notOk(ROUTES[route]!.includes('auditor'), `${route} is not open to the auditor`)
  }
  const r = await c.as('auditor', 'POST', `/api/alarms/${PARAMS.alarmId}/acknowledge`, {})
  t.equal(r.statusCode, 403)
})

t.test('without a session every route but sign-in answers 401', async t => {
  const c = await consoleApp(t)
  for (const op of c.service.api.operations.filter(o => o.access !== 'public')) {
    const url = op.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => PARAMS[name]!)
    const r = await c.app.inject({ method: op.method, url })
    t.equal(r.statusCode, 401, `${op.method} ${op.url}`)
  }
})

t.test('organisation and area scoping: records outside them are not found, never "forbidden"', async t => {
  const c = await consoleApp(t)
  const alarmA1 = randomUUID()
  const alarmB1 = randomUUID()
  for (const [id, org, resident] of [[alarmA1, 'org-a', 'res-a1'], [alarmB1, 'org-b', 'res-b1']] as const) {
    await c.db.pool.query(
      `INSERT INTO alarms (id, org_id, resident_id, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
       VALUES ($1, $2, $3, 'sos', 'critical', 900, 'open', $1, now(), now(), now())`,
      [id, org, resident],
    )
  }
  t.equal((await c.as('operator', 'GET', `/api/alarms/${alarmA1}`)).statusCode, 200, 'organisation-wide operator sees area 1')
  t.equal((await c.as('otherOrgOperator', 'GET', `/api/alarms/${alarmA1}`)).statusCode, 404, 'another organisation: not found')
  t.equal((await c.as('areaOperator', 'GET', `/api/alarms/${alarmA1}`)).statusCode, 404, 'another area: not found')
  t.equal((await c.as('otherOrgOperator', 'GET', '/api/residents/res-a1')).statusCode, 404)
  t.equal((await c.as('areaOperator', 'GET', '/api/residents/res-a1')).statusCode, 404)
  t.equal((await c.as('otherOrgOperator', 'POST', `/api/alarms/${alarmA1}/acknowledge`, {})).statusCode, 404, 'acting across organisations: not found')

  const queueA = (await c.as('operator', 'GET', '/api/alarms')).json()
  t.same(queueA.items.map((a: { id: string }) => a.id), [alarmA1])
  const queueB = (await c.as('otherOrgOperator', 'GET', '/api/alarms')).json()
  t.same(queueB.items.map((a: { id: string }) => a.id), [alarmB1])
  const queueArea2 = (await c.as('areaOperator', 'GET', '/api/alarms')).json()
  t.same(queueArea2.items, [])

  // The responder may acknowledge only an alarm they are involved in (res-a1's assigned carer: yes).
  const carerAlarmOfB = await c.as('carer', 'POST', `/api/alarms/${alarmB1}/acknowledge`, {})
  t.equal(carerAlarmOfB.statusCode, 404)
})
