import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { waitUntil } from '@anxin/testing'
import { consoleApp, PASSWORD, type AccountName, type SignedIn } from './console-app.ts'
import { fillPath, PARAMS, ROUTES, splitRoute } from './route-table.ts'

/**
 * What session.test.ts does not already prove about the console's defences: the CSRF check on every change
 * route (not only sign-out), a token from another session refused, the idle timeout actually ending a
 * session, brute-force locks that case tricks do not get around, and the security headers on every kind of
 * answer (API, errors, the web UI's HTML and assets, CSV, the live feed), with HSTS and Secure cookies on https.
 */

const ORG_A: AccountName[] = ['administrator', 'supervisor', 'operator', 'auditor', 'carer', 'doctor']
const changes = Object.keys(ROUTES).filter(r => !r.startsWith('GET '))

t.test('every change route refuses a request without the CSRF token, and with the token of another session', async t => {
  const c = await consoleApp(t)
  t.ok(changes.length >= 30, `${changes.length} change routes`)
  // Per role: a session, the same person signed in a second time elsewhere, and another person's session.
  const sessions = new Map<AccountName, { mine: SignedIn; again: SignedIn; other: SignedIn }>()
  const sessionsOf = async (role: AccountName) => {
    if (!sessions.has(role)) {
      sessions.set(role, { mine: await c.signIn(role), again: await c.signIn(role), other: await c.signIn(role === 'supervisor' ? 'operator' : 'supervisor') })
    }
    return sessions.get(role)!
  }
  for (const route of changes) {
    const { method, path } = splitRoute(route)
    const url = fillPath(path, PARAMS)
    const role = ORG_A.find(r => ROUTES[route]!.includes(r))!
    const { mine, again, other } = await sessionsOf(role)
    const send = (headers: Record<string, string>): Promise<LightMyRequestResponse> =>
      c.app.inject({ method, url, headers: { cookie: mine.cookie, ...headers }, payload: {} })
    for (const [what, headers] of [
      ['no token', {}],
      ['an empty token', { 'x-csrf-token': '' }],
      ["the token of the same person's other session", { 'x-csrf-token': again.csrf }],
      ["another person's token", { 'x-csrf-token': other.csrf }],
      ['the session id as the token', { 'x-csrf-token': mine.cookie.split('=')[1]! }],
    ] as const) {
      const response = await send(headers)
      t.equal(response.statusCode, 403, `${route} with ${what}: 403`)
      t.equal(response.json().code, 'csrf', `${route} with ${what}: refused as CSRF`)
    }
    const noCookie = await c.app.inject({ method, url, headers: { 'x-csrf-token': mine.csrf }, payload: {} })
    t.equal(noCookie.statusCode, 401, `${route}: a token without its session cookie proves nothing`)
  }
})

t.test('a refused CSRF request changes nothing', async t => {
  const c = await consoleApp(t)
  const s = await c.signIn('supervisor')
  const other = await c.signIn('supervisor')
  const r = await c.app.inject({ method: 'PATCH', url: '/api/residents/res-a1', headers: { cookie: s.cookie, 'x-csrf-token': other.csrf }, payload: { address: 'forged' } })
  t.equal(r.statusCode, 403)
  const { rows } = await c.db.pool.query<{ address: string }>(`SELECT address FROM residents WHERE id = 'res-a1'`)
  t.equal(rows[0]!.address, '阳光路 1 号')
  const audited = await c.db.pool.query(`SELECT 1 FROM audit_log WHERE action = 'update_resident'`)
  t.equal(audited.rowCount, 0)
})

t.test('idle sessions end: each request restarts the idle timer, and without requests the session answers 401 everywhere', async t => {
  const c = await consoleApp(t, { env: { SESSION_IDLE_MINUTES: '1' } })
  const s = await c.signIn('operator')
  const key = (await c.redis.keys(`${c.redisPrefix}console:session:*`))[0]!
  // Redis keeps the idle timer (the key's TTL): shorten what is left, then a request sets it back to the full minute.
  await c.redis.expire(key, 5)
  t.equal((await c.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie: s.cookie } })).statusCode, 200)
  const ttl = await c.redis.ttl(key)
  t.ok(ttl > 5 && ttl <= 60, `activity restarts the idle timer (${ttl} s left)`)
  // Idle: let the timer run out (in a millisecond rather than a minute) and the session is gone.
  await c.redis.pexpire(key, 1)
  t.ok(await waitUntil(async () => (await c.redis.exists(key)) === 0, 5000))
  for (const [method, url] of [['GET', '/api/session'], ['GET', '/api/alarms'], ['GET', '/api/residents/res-a1'], ['POST', '/api/residents/res-a1/contacts']] as const) {
    const r = await c.app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(method === 'POST' ? { payload: { kind: 'call' } } : {}) })
    t.equal(r.statusCode, 401, `${method} ${url} after the idle timeout`)
    t.equal(r.json().code, 'unauthenticated')
  }
})

t.test('the shift-length cap ends a session that was never idle, and its Redis key with it', async t => {
  let now = new Date('2026-11-22T08:00:00Z')
  const c = await consoleApp(t, { env: { SESSION_MAX_HOURS: '1', SESSION_IDLE_MINUTES: '30' }, now: () => now })
  const s = await c.signIn('supervisor')
  now = new Date('2026-11-22T08:59:00Z')
  t.equal((await c.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie: s.cookie } })).statusCode, 200, 'within the hour')
  const key = (await c.redis.keys(`${c.redisPrefix}console:session:*`))[0]!
  t.ok((await c.redis.ttl(key)) <= 60, 'the idle timer is cut to what is left of the shift')
  now = new Date('2026-11-22T09:00:01Z')
  t.equal((await c.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie: s.cookie } })).statusCode, 401, 'after the cap')
  t.equal(await c.redis.exists(key), 0, 'the expired session is deleted, not left to be replayed')
})

t.test('a forged or malformed session cookie is refused', async t => {
  const c = await consoleApp(t)
  for (const cookie of ['anxin_console=', 'anxin_console=x', `anxin_console=${'A'.repeat(43)}`, 'anxin_console=../../etc', `anxin_console=${'a'.repeat(5000)}`]) {
    t.equal((await c.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie } })).statusCode, 401, cookie.slice(0, 40))
  }
})

t.test('brute force: the username lock ignores case, is refused even with the right password, and ends with its window', async t => {
  const c = await consoleApp(t, { env: { LOGIN_WINDOW_SECONDS: '600' } })
  const attempt = (username: string, password: string) => c.app.inject({ method: 'POST', url: '/api/session', payload: { username, password } })
  for (const username of ['a-super', 'A-SUPER', 'A-Super', 'a-SUPER', 'a-super']) t.equal((await attempt(username, 'wrong')).statusCode, 401)
  const locked = await attempt('a-super', PASSWORD)
  t.equal(locked.statusCode, 429, 'the right password during the lock is refused')
  t.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= 600, `Retry-After within the window (${locked.headers['retry-after']})`)
  t.notOk(locked.headers['set-cookie'], 'and no session is handed out')
  const keys = await c.redis.keys(`${c.redisPrefix}console:login-fail:user:*`)
  t.same(keys.map(k => k.split(':').at(-1)), ['a-super'], 'one counter for every spelling of the name')
  // The window is the counter's TTL: when Redis drops it, the account signs in again.
  t.ok((await c.redis.ttl(keys[0]!)) <= 600)
  await c.redis.del(keys[0]!)
  t.equal((await attempt('a-super', PASSWORD)).statusCode, 200, 'after the window the right password works')
})

t.test('brute force from one address: the address lock holds for every username, the right password included', async t => {
  const c = await consoleApp(t, { env: { LOGIN_MAX_FAILURES_PER_ADDRESS: '4' } })
  for (let i = 0; i < 4; i++) {
    t.equal((await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: `nobody-${i}`, password: 'x' } })).statusCode, 401)
  }
  for (const who of ['a-oper', 'a-admin', 'a-audit']) {
    const r = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: who, password: PASSWORD } })
    t.equal(r.statusCode, 429, `${who} from the locked address`)
  }
})

const HEADERS: Record<string, RegExp | string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy': /^default-src 'self'; script-src 'self';.*frame-ancestors 'none'/,
}

function assertSecurityHeaders(t: Test, what: string, headers: Record<string, unknown>, https = false): void {
  for (const [name, expected] of Object.entries(HEADERS)) {
    if (typeof expected === 'string') t.equal(headers[name], expected, `${what}: ${name}`)
    else t.match(String(headers[name]), expected, `${what}: ${name}`)
  }
  t.notOk(headers['x-powered-by'], `${what}: no x-powered-by`)
  t.notOk(headers.server, `${what}: no server header`)
  if (https) t.equal(headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', `${what}: HSTS`)
  else t.notOk(headers['strict-transport-security'], `${what}: no HSTS over plain http`)
}

t.test('security headers on the API, on every kind of error, on CSV, and on the web UI', async t => {
  const web = mkdtempSync(join(tmpdir(), 'anxin-web-'))
  t.teardown(() => rmSync(web, { recursive: true, force: true }))
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>安心</title><script src="/app.js"></script>')
  writeFileSync(join(web, 'app.js'), 'console.log(1)')
  const c = await consoleApp(t, { env: { WEB_ROOT: web } })
  const s = await c.signIn('operator')
  const cookie = { cookie: s.cookie }
  const importer = await c.signIn('supervisor')
  const answers: Array<[string, Promise<LightMyRequestResponse>, number]> = [
    ['the API', c.app.inject({ method: 'GET', url: '/api/alarms', headers: cookie }), 200],
    ['CSV', c.app.inject({ method: 'GET', url: '/api/ledger.csv', headers: cookie }), 200],
    ['the web UI', c.app.inject({ method: 'GET', url: '/' }), 200],
    ['a script of the web UI', c.app.inject({ method: 'GET', url: '/app.js' }), 200],
    ['401', c.app.inject({ method: 'GET', url: '/api/alarms' }), 401],
    ['403 (role)', c.app.inject({ method: 'PUT', url: '/api/policies/p1', headers: { ...cookie, 'x-csrf-token': s.csrf }, payload: {} }), 403],
    ['403 (csrf)', c.app.inject({ method: 'POST', url: '/api/residents/res-a1/contacts', headers: cookie, payload: { kind: 'call' } }), 403],
    ['404 (record)', c.app.inject({ method: 'GET', url: '/api/residents/nobody', headers: cookie }), 404],
    ['404 (route)', c.app.inject({ method: 'GET', url: '/api/nothing-here' }), 404],
    ['400 (validation)', c.app.inject({ method: 'GET', url: '/api/alarms?limit=0', headers: cookie }), 400],
    ['400 (malformed JSON)', c.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"user' }), 400],
    ['415', c.app.inject({
      method: 'POST', url: '/api/imports/residents', headers: { cookie: importer.cookie, 'x-csrf-token': importer.csrf, 'content-type': 'text/plain' }, payload: 'x',
    }), 415],
    ['429', (async () => {
      for (let i = 0; i < 5; i++) await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-doctor', password: 'wrong' } })
      return c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-doctor', password: 'wrong' } })
    })(), 429],
  ]
  for (const [what, pending, status] of answers) {
    const r = await pending
    t.equal(r.statusCode, status, `${what}: ${status} (${r.body.slice(0, 100)})`)
    assertSecurityHeaders(t, what, r.headers)
  }
  const html = await c.app.inject({ method: 'GET', url: '/' })
  t.match(String(html.headers['content-type']), /text\/html/)
})

t.test('a failing handler answers 500 with the headers and no detail of what failed', async t => {
  const c = await consoleApp(t)
  const s = await c.signIn('operator')
  // The alarm read model's table gone: the handler throws an unexpected database error.
  await c.db.pool.query('ALTER TABLE alarms RENAME TO alarms_away')
  t.teardown(() => c.db.pool.query('ALTER TABLE alarms_away RENAME TO alarms'))
  const r = await c.app.inject({ method: 'GET', url: '/api/alarms', headers: { cookie: s.cookie } })
  t.equal(r.statusCode, 500)
  t.same(r.json(), { code: 'internal', message: 'something went wrong on our side; try again' })
  assertSecurityHeaders(t, '500', r.headers)
})

t.test('over https: HSTS on every answer and the session cookie is Secure', async t => {
  const c = await consoleApp(t, { env: { PUBLIC_BASE_URL: 'https://console.example.org' } })
  const signIn = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-oper', password: PASSWORD } })
  t.equal(signIn.statusCode, 200)
  t.match(String(signIn.headers['set-cookie']), /; Secure/)
  t.match(String(signIn.headers['set-cookie']), /HttpOnly/)
  t.match(String(signIn.headers['set-cookie']), /SameSite=Strict/)
  assertSecurityHeaders(t, 'sign-in', signIn.headers, true)
  assertSecurityHeaders(t, '404', (await c.app.inject({ method: 'GET', url: '/api/nothing-here' })).headers, true)
  assertSecurityHeaders(t, '401', (await c.app.inject({ method: 'GET', url: '/api/alarms' })).headers, true)
})

t.test('the live feed stream carries the security headers too', async t => {
  const c = await consoleApp(t)
  const address = await c.app.listen({ host: '127.0.0.1', port: 0 })
  const s = await c.signIn('operator')
  const abort = new AbortController()
  t.teardown(() => abort.abort())
  const r = await fetch(`${address}/api/feed`, { headers: { cookie: s.cookie }, signal: abort.signal })
  t.equal(r.status, 200)
  for (const name of ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'cache-control']) {
    t.equal(r.headers.get(name), HEADERS[name], `feed: ${name}`)
  }
  t.notOk(r.headers.get('x-powered-by'))
  abort.abort()
})

t.test('a cross-site form cannot post to the API: a body that is not JSON is never read as one (sign-in included, which has no session to check)', async t => {
  const c = await consoleApp(t)
  const s = await c.signIn('supervisor')
  // What an HTML form on another site can send without a preflight: urlencoded, multipart, and text/plain
  // (which can carry JSON text, the classic trick against JSON APIs).
  const forms: Array<[string, string, string]> = [
    ['application/x-www-form-urlencoded', `username=a-oper&password=${encodeURIComponent(PASSWORD)}`, 'address=forged'],
    ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="username"\r\n\r\na-oper\r\n--x--`, '--x--'],
    ['text/plain', JSON.stringify({ username: 'a-oper', password: PASSWORD }), JSON.stringify({ address: 'forged' })],
  ]
  for (const [type, signInBody, changeBody] of forms) {
    const signIn = await c.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': type }, payload: signInBody })
    t.ok([400, 415].includes(signIn.statusCode), `sign-in as ${type}: refused (${signIn.statusCode})`)
    t.notOk(signIn.headers['set-cookie'], `sign-in as ${type}: no session`)
    const change = await c.app.inject({
      method: 'PATCH', url: '/api/residents/res-a1', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': type }, payload: changeBody,
    })
    t.ok([400, 415].includes(change.statusCode), `a change as ${type}: refused (${change.statusCode})`)
  }
  const { rows } = await c.db.pool.query<{ address: string }>(`SELECT address FROM residents WHERE id = 'res-a1'`)
  t.equal(rows[0]!.address, '阳光路 1 号', 'nothing changed')
})
