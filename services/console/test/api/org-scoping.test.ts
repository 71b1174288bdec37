import t from 'tap'
import type { Teardown } from '@anxin/testing'
import { withTransaction } from '@anxin/db'
import { appendFeedEvents } from '../../src/adapters/feed-store.ts'
import type { AccountName, ConsoleApp } from './console-app.ts'
import { consoleWithEscalation } from './console-with-escalation.ts'
import { fingerprint, markersOf, seedOrgRecords, type OrgRecords } from './org-records.ts'
import { fillPath, NOT_IN_MATRIX, ROUTES, splitRoute } from './route-table.ts'

/**
 * Organisation scoping, route by route: organisation A's staff guess organisation B's ids on every route
 * that takes one, reading and changing, and get "not found" (never the record, never a "forbidden" that
 * would confirm it exists); every list answers without a trace of B; and B's records are byte for byte
 * what they were afterwards. Driven by route-table.ts: an id route without a case here fails the test.
 */

type Case = {
  /** Who tries (default: every organisation-A role the matrix lets call the route). */
  as?: AccountName[]
  body?: unknown | ((role: AccountName) => unknown)
  /** Appended to the path: ids passed in the query string. */
  query?: string
  /** Path values that are not organisation B's (e.g. A's rotation with B's override). */
  params?: (a: OrgRecords, b: OrgRecords) => Record<string, string>
  /**
   * 404 unless said otherwise. 409: a PUT that creates under a caller-chosen id, where B's id is simply
   * taken (ids are one namespace); nothing of B's is shown or changed.
   */
  status?: 404 | 409
}

const action = (body: unknown): Case => ({ body })
const rota = { role: 'carer', areaId: null, timezone: 'Asia/Shanghai', members: ['a-carer'], startDate: '2026-01-01', handoffTime: '08:00', shiftHours: 24, activeDays: null }
const policy = {
  name: 'guess', match: {}, steps: [{ targets: [{ kind: 'supervisor' }], waitSeconds: 60, channels: ['sms'] }],
  handlingTimeoutSeconds: 600, arrivalTimeoutSeconds: 1800, repeatLastStepEverySeconds: 300,
}

/** Every route that names a record, with what a guess at organisation B's record looks like. */
const ID_CASES: Record<string, Case> = {
  'GET /api/alarms/:alarmId': {},
  'GET /api/alarms/:alarmId/timeline': {},
  'GET /api/alarms/:alarmId/vitals': {},
  'POST /api/alarms/:alarmId/acknowledge': action({}),
  'POST /api/alarms/:alarmId/calls': action({ to: 'resident', outcome: 'answered' }),
  'POST /api/alarms/:alarmId/escalate': action({}),
  'POST /api/alarms/:alarmId/resolve': action({ outcome: 'false_alarm' }),
  'POST /api/alarms/:alarmId/reopen': action({ reason: 'guessing' }),
  'POST /api/alarms/:alarmId/dispatch': action({ responderId: 'a-carer' }),
  'POST /api/alarms/:alarmId/tasks': action({}),
  'GET /api/responders': { query: '?alarmId=:alarmId' },
  'POST /api/tasks/:taskId/actions': action({ action: 'accept' }),
  'GET /api/residents/:residentId': {},
  'GET /api/residents/:residentId/vitals': {},
  'PATCH /api/residents/:residentId': action({ address: 'guessed address' }),
  'PUT /api/residents/:residentId/household': action({ householdId: null }),
  'GET /api/residents/:residentId/consents': {},
  'POST /api/residents/:residentId/consents': action({ purpose: 'location_tracking', granted: false, givenBy: 'self' }),
  'GET /api/residents/:residentId/doctor-contracts': {},
  'POST /api/residents/:residentId/doctor-contracts': action({ doctorId: 'a-doctor', signedOn: '2026-01-02' }),
  'POST /api/residents/:residentId/contacts': action({ kind: 'visit' }),
  'GET /api/residents/:residentId/contacts': {},
  'GET /api/devices/:deviceId': {},
  'PATCH /api/devices/:deviceId': action({ model: 'guessed' }),
  'POST /api/devices/:deviceId/credentials': action({}),
  'POST /api/devices/:deviceId/revoke': action({}),
  'POST /api/devices/:deviceId/binding': action({ residentId: 'res-a1' }),
  'DELETE /api/devices/:deviceId/binding': {},
  'PATCH /api/staff/:staffId': action({ fullName: 'guessed' }),
  'PUT /api/schedules/:rotationId': { body: rota, status: 409 },
  'DELETE /api/schedules/:rotationId': {},
  'POST /api/schedules/:rotationId/overrides': action({ staffId: 'a-carer', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-02T00:00:00Z' }),
  'DELETE /api/schedules/:rotationId/overrides/:overrideId': {},
  'PUT /api/policies/:policyId': { body: policy, status: 409 },
  'DELETE /api/policies/:policyId': {},
  'GET /api/households/:householdId': {},
  'PATCH /api/households/:householdId': action({ address: 'guessed address' }),
  'GET /api/imports/:importId': {},
  'PUT /api/care-teams/:teamId': { body: { name: 'guessed', memberIds: ['a-carer'] }, status: 409 },
  'DELETE /api/care-teams/:teamId': {},
}

/** The same routes again with one of A's own ids and one of B's: the pair must not reach B's record either. */
const MIXED_CASES: Array<[string, Case]> = [
  ['DELETE /api/schedules/:rotationId/overrides/:overrideId', { params: (a, b) => ({ rotationId: a.rotationId, overrideId: b.overrideId }) }],
]

const paramsOf = (r: OrgRecords): Record<string, string> => ({
  alarmId: r.alarmId, taskId: r.taskId, residentId: r.residentId, deviceId: r.deviceId, staffId: r.carerId, rotationId: r.rotationId,
  overrideId: r.overrideId, policyId: r.policyId, householdId: r.householdId, importId: r.importId, teamId: r.teamId,
})

const ORG_A_ROLES: AccountName[] = ['administrator', 'supervisor', 'operator', 'auditor', 'carer', 'doctor']
const callers = (route: string, c: Case): AccountName[] => c.as ?? ORG_A_ROLES.filter(role => ROUTES[route]!.includes(role))

function urlOf(route: string, c: Case, params: Record<string, string>): string {
  const { path } = splitRoute(route)
  return fillPath(path, params) + (c.query ? fillPath(c.query, params) : '')
}

/** Markers of B's records that the answer contains and the request did not (an id the caller sent may be echoed). */
const leaked = (body: string, markers: string[], sent: string): string[] => markers.filter(m => body.includes(m) && !sent.includes(m))

/**
 * The console with organisation A's and B's records, in front of escalation's real HTTP routes on the same
 * schema (who is on duty; its Kafka side never started). The console needs escalation's address before it is
 * built and escalation needs the console's fresh schema: a server listens first and hands requests on.
 */
async function scopedApp(t: Teardown): Promise<{ app: ConsoleApp; a: OrgRecords; b: OrgRecords }> {
  const { app } = await consoleWithEscalation(t)
  const a = await seedOrgRecords(app.db, 'a')
  const b = await seedOrgRecords(app.db, 'b')
  return { app, a, b }
}

t.test('every route that takes an id has a scoping case', async t => {
  const { app } = await scopedApp(t)
  const routes = app.service.api.operations.map(op => `${op.method} ${op.url}`).filter(r => !NOT_IN_MATRIX.has(r))
  const idRoutes = routes.filter(r => r.includes(':') || r in ID_CASES)
  t.same([...idRoutes].sort(), Object.keys(ID_CASES).sort(), 'the cases cover exactly the routes that name a record')
  for (const [route] of MIXED_CASES) t.ok(route in ID_CASES, `${route} is a route`)
})

t.test("organisation A's staff guessing organisation B's ids get 404, reading and changing, and B's records stay as they were", async t => {
  const { app, a, b } = await scopedApp(t)
  const before = await fingerprint(app.db, 'org-b')
  const markers = markersOf(b)
  const attempts: Array<[string, Case, Record<string, string>]> = [
    ...Object.entries(ID_CASES).map(([route, c]) => [route, c, paramsOf(b)] as [string, Case, Record<string, string>]),
    ...MIXED_CASES.map(([route, c]) => [route, c, { ...paramsOf(b), ...c.params!(a, b) }] as [string, Case, Record<string, string>]),
  ]
  for (const [route, c, params] of attempts) {
    const { method } = splitRoute(route)
    const url = urlOf(route, c, params)
    const who = callers(route, c)
    t.ok(who.length > 0, `${route}: someone in organisation A may call it`)
    for (const role of who) {
      const body = typeof c.body === 'function' ? (c.body as (r: AccountName) => unknown)(role) : c.body
      const response = await app.as(role, method, url, method === 'GET' ? undefined : body ?? {})
      const expected = c.status ?? 404
      t.equal(response.statusCode, expected, `${role} ${method} ${url}: ${expected} (got ${response.statusCode} ${response.body.slice(0, 200)})`)
      if (expected === 404) t.equal(response.json().code, 'not_found')
      t.same(leaked(response.body, markers, url + JSON.stringify(body ?? '')), [], `${role} ${method} ${url}: nothing of B's in the answer`)
    }
  }
  t.same(await fingerprint(app.db, 'org-b'), before, "organisation B's records are exactly as they were")
})

t.test("the same reads with organisation A's own ids do find the records (the 404s above are about scope)", async t => {
  const { app, a } = await scopedApp(t)
  for (const [route, c] of Object.entries(ID_CASES)) {
    const { method } = splitRoute(route)
    if (method !== 'GET') continue
    const url = urlOf(route, c, paramsOf(a))
    for (const role of callers(route, c)) {
      const response = await app.as(role, 'GET', url)
      // The alarm's timeline comes from dispatch, not running here: anything but "not found" shows the alarm was found.
      t.not(response.statusCode, 404, `${role} GET ${url} finds A's record (${response.statusCode})`)
    }
  }
})

/** Lists whose answer must show a record of A's (so an empty answer cannot pass for a scoped one). */
const SHOWS: Record<string, (a: OrgRecords) => string> = {
  'GET /api/alarms': a => a.alarmId,
  'GET /api/residents': a => a.residentId,
  'GET /api/devices': a => a.deviceId,
  'GET /api/staff': a => a.carerId,
  'GET /api/schedules': a => a.rotationId,
  'GET /api/policies': a => a.policyId,
  'GET /api/households': a => a.householdId,
  'GET /api/imports': a => a.importId,
  'GET /api/care-teams': a => a.teamId,
  'GET /api/ledger': a => a.residentId,
  'GET /api/audit': a => a.alarmId,
}
/** Lists that need a query to answer at all. */
const LIST_QUERY: Record<string, string> = { 'GET /api/on-duty': '?role=carer&at=2026-06-01T12:00:00%2B08:00' }
/** A stream never ends under inject(): the feed is read over a real connection in its own test below. */
const STREAMS = new Set(['GET /api/feed'])

t.test("every list shows organisation A's records and nothing of organisation B's", async t => {
  const { app, a, b } = await scopedApp(t)
  const markers = markersOf(b)
  const lists = Object.keys(ROUTES).filter(r => r.startsWith('GET ') && !r.includes(':') && !(r in ID_CASES) && !STREAMS.has(r))
  t.ok(lists.length >= 20, `${lists.length} lists`)
  for (const route of lists) {
    const url = splitRoute(route).path + (LIST_QUERY[route] ?? '')
    for (const role of callers(route, {})) {
      const response = await app.as(role, 'GET', url)
      t.equal(response.statusCode, 200, `${role} GET ${url} (${response.body.slice(0, 200)})`)
      t.same(leaked(response.body, markers, url), [], `${role} GET ${url}: nothing of B's`)
      const shown = SHOWS[route]?.(a)
      if (shown) t.ok(response.body.includes(shown), `${role} GET ${url} shows A's ${shown}`)
    }
  }
  const onDuty = await app.as('operator', 'GET', `/api/on-duty${LIST_QUERY['GET /api/on-duty']}`)
  t.same(onDuty.json().onDuty, [a.carerId], "on duty: A's carer rota only (B's rota covers the same hours)")
})

t.test("filters naming organisation B's records find nothing", async t => {
  const { app, a, b } = await scopedApp(t)
  const markers = markersOf(b)
  const urls = [
    `/api/alarms?view=all&residentId=${b.residentId}`, `/api/alarms?view=all&areaId=${b.areaId}`, `/api/audit?alarmId=${b.alarmId}`,
    `/api/audit?residentId=${b.residentId}`, `/api/residents?areaId=${b.areaId}`, `/api/residents?q=${encodeURIComponent('赵秀兰')}`,
    `/api/households?areaId=${b.areaId}`, `/api/ledger?areaId=${b.areaId}`, `/api/reports/daily-contact?areaId=${b.areaId}`,
    `/api/devices?q=${b.deviceId}`, '/api/on-duty?role=carer&areaId=area-b&at=2026-06-01T12:00:00%2B08:00',
  ]
  for (const url of urls) {
    const response = await app.as('supervisor', 'GET', url)
    t.equal(response.statusCode, 200, `${url} (${response.body.slice(0, 200)})`)
    t.same(leaked(response.body, markers, url), [], `${url}: nothing of B's`)
    const body = response.json()
    // Who is on duty in an area falls back to the organisation-wide rota: A's carer, never B's.
    if (url.startsWith('/api/on-duty')) t.same(body.onDuty, [a.carerId], `${url}: A's carer, not B's`)
    else t.same(body.items, [], `${url}: empty`)
  }
})

t.test("references to organisation B's records inside a change are refused as unknown", async t => {
  const { app, b } = await scopedApp(t)
  const before = await fingerprint(app.db, 'org-b')
  await app.db.pool.query(`INSERT INTO devices (id, org_id, type, mqtt_password_hash, supervision_interval_s) VALUES ('dev-orga-spare', 'org-a', 'watch', '$7$x', 600)`)
  const refused: Array<[AccountName, 'POST' | 'PUT' | 'PATCH', string, unknown]> = [
    ['supervisor', 'PUT', '/api/residents/res-a1/household', { householdId: b.householdId }],
    ['supervisor', 'PATCH', '/api/residents/res-a1', { assignedCarerId: b.carerId }],
    ['supervisor', 'POST', '/api/residents/res-a1/doctor-contracts', { doctorId: b.doctorId, signedOn: '2026-01-02' }],
    ['administrator', 'POST', '/api/devices/dev-orga-spare/binding', { residentId: b.residentId }],
    ['administrator', 'PUT', '/api/care-teams/team-new', { name: 'n', memberIds: [b.carerId] }],
    ['supervisor', 'PUT', '/api/schedules/rot-new', { ...rota, members: [b.carerId] }],
    ['supervisor', 'PUT', '/api/schedules/rot-new', { ...rota, areaId: b.areaId }],
    ['supervisor', 'POST', '/api/households', { id: 'hh-new', address: 'x', assignedCarerId: b.carerId }],
  ]
  for (const [role, method, url, body] of refused) {
    const response = await app.as(role, method, url, body)
    t.equal(response.statusCode, 400, `${role} ${method} ${url} ${JSON.stringify(body)}: 400 (${response.body.slice(0, 200)})`)
  }
  t.same(await fingerprint(app.db, 'org-b'), before, "organisation B's records are exactly as they were")
})

t.test("the live feed carries organisation A's events and none of organisation B's", async t => {
  const { app, a, b } = await scopedApp(t)
  // A last event of A's after B's: once it arrives, everything before it in the feed has been sent or withheld.
  const last = { ...a, feedEventId: 'feed-orga-last' }
  await withTransaction(app.db.pool, client => appendFeedEvents(client, [{
    eventId: last.feedEventId, kind: 'lifecycle', at: new Date().toISOString(), orgId: a.orgId, areaId: a.areaId, residentId: a.residentId, alarmId: 'a0a0a0a0-0000-4000-8000-000000000000',
    cause: 'resolve', alarm: null, device: null,
  }]))
  const address = await app.app.listen({ host: '127.0.0.1', port: 0 })
  const session = await app.signIn('operator')
  const abort = new AbortController()
  t.teardown(() => abort.abort())
  const response = await fetch(`${address}/api/feed?after=0`, { headers: { cookie: session.cookie }, signal: abort.signal })
  t.equal(response.status, 200)
  let text = ''
  const decoder = new TextDecoder()
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true })
    if (text.includes('a0a0a0a0-0000-4000-8000-000000000000')) break
  }
  abort.abort()
  t.ok(text.includes(a.alarmId), "A's event is in the feed")
  t.same(leaked(text, markersOf(b), ''), [], "nothing of B's")
})
