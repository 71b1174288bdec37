import { randomUUID } from 'node:crypto'
import t from 'tap'
import { consoleApp, type AccountName } from './console-app.ts'

/**
 * The role matrix, written out by hand (not read from the code under test): for every API route, who may
 * call it. The test walks every route with every role and checks the server enforces exactly this.
 */
const R = ['administrator', 'supervisor', 'operator', 'auditor'] as const // everyone who reads the desk's data
const ROUTES: Record<string, readonly string[]> = {
  'GET /api/session': ['administrator', 'supervisor', 'operator', 'auditor', 'carer', 'doctor'],
  'GET /api/alarms': R,
  'GET /api/alarms/:alarmId': R,
  'GET /api/alarms/:alarmId/timeline': R,
  'GET /api/alarms/:alarmId/vitals': R,
  'POST /api/alarms/:alarmId/acknowledge': ['supervisor', 'operator', 'carer', 'doctor'],
  'POST /api/alarms/:alarmId/calls': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/escalate': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/resolve': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/reopen': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/dispatch': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/tasks': ['supervisor', 'operator'],
  'GET /api/responders': ['supervisor', 'operator'],
  'GET /api/feed': R,
  'GET /api/me/tasks': ['carer', 'doctor'],
  'POST /api/tasks/:taskId/actions': ['carer', 'doctor'],
  'GET /api/residents': R,
  'GET /api/residents/:residentId': R,
  'GET /api/residents/:residentId/vitals': R,
  'POST /api/residents': ['administrator', 'supervisor'],
  'PATCH /api/residents/:residentId': ['administrator', 'supervisor'],
  'GET /api/devices': R,
  'GET /api/devices/:deviceId': R,
  'PATCH /api/devices/:deviceId': ['administrator'],
  'GET /api/staff': R,
  'POST /api/staff': ['administrator'],
  'PATCH /api/staff/:staffId': ['administrator'],
  'GET /api/schedules': R,
  'PUT /api/schedules/:rotationId': ['administrator', 'supervisor'],
  'DELETE /api/schedules/:rotationId': ['administrator', 'supervisor'],
  'POST /api/schedules/:rotationId/overrides': ['administrator', 'supervisor'],
  'DELETE /api/schedules/:rotationId/overrides/:overrideId': ['administrator', 'supervisor'],
  'GET /api/on-duty': R,
  'GET /api/policies': R,
  'PUT /api/policies/:policyId': ['administrator'],
  'DELETE /api/policies/:policyId': ['administrator'],
  'GET /api/reports/service-levels': R,
  'GET /api/reports/service-levels.csv': R,
  'GET /api/audit': ['administrator', 'supervisor', 'auditor'],
  'GET /api/audit/verify': ['administrator', 'supervisor', 'auditor'],
  // The care registry (issue 7).
  'GET /api/households': R,
  'GET /api/households/:householdId': R,
  'POST /api/households': ['administrator', 'supervisor'],
  'PATCH /api/households/:householdId': ['administrator', 'supervisor'],
  'PUT /api/residents/:residentId/household': ['administrator', 'supervisor'],
  'GET /api/residents/:residentId/consents': R,
  'POST /api/residents/:residentId/consents': ['administrator', 'supervisor'],
  'GET /api/residents/:residentId/doctor-contracts': R,
  'POST /api/residents/:residentId/doctor-contracts': ['administrator', 'supervisor'],
  'POST /api/imports/residents': ['administrator', 'supervisor'],
  'GET /api/imports/residents/template.csv': ['administrator', 'supervisor'],
  'GET /api/imports': R,
  'GET /api/imports/:importId': R,
  'GET /api/ledger': R,
  'GET /api/ledger.csv': R,
  'GET /api/care-teams': R,
  'PUT /api/care-teams/:teamId': ['administrator'],
  'DELETE /api/care-teams/:teamId': ['administrator'],
  'POST /api/devices': ['administrator'],
  'POST /api/devices/:deviceId/credentials': ['administrator'],
  'POST /api/devices/:deviceId/revoke': ['administrator'],
  'POST /api/devices/:deviceId/binding': ['administrator'],
  'DELETE /api/devices/:deviceId/binding': ['administrator'],
  'GET /api/devices/maintenance': R,
  'GET /api/devices/maintenance.csv': R,
  // Daily contact: the desk and the resident's own carer log contact; everyone who reads sees it.
  'POST /api/residents/:residentId/contacts': ['supervisor', 'operator', 'carer', 'doctor'],
  'GET /api/residents/:residentId/contacts': R,
  'GET /api/reports/daily-contact': R,
  'GET /api/reports/daily-contact.csv': R,
  'GET /api/orgs/care-duty-settings': R,
  'PUT /api/orgs/care-duty-settings': ['administrator'],
}
// Signing in is for everyone (public); signing out for anyone signed in (tested in session.test.ts).
const NOT_IN_MATRIX = new Set(['POST /api/session', 'DELETE /api/session'])

const ROLES: AccountName[] = ['administrator', 'supervisor', 'operator', 'auditor', 'carer', 'doctor']

// Path values that exist or not does not matter: authorisation is decided before anything is looked up.
const PARAMS: Record<string, string> = {
  alarmId: randomUUID(), taskId: randomUUID(), residentId: 'res-a1', deviceId: 'dev-none', staffId: 'a-carer', rotationId: 'rot-none', overrideId: '1', policyId: 'pol-none',
  householdId: 'hh-none', importId: randomUUID(), teamId: 'team-none',
}

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
