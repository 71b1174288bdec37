import t from 'tap'
import { ACCOUNTS, PASSWORD, consoleApp } from './console-app.ts'

t.test('sign-in: argon2 password, HttpOnly SameSite=Strict cookie, CSRF token, audited; wrong password refused the same way as an unknown user', async t => {
  const c = await consoleApp(t)
  const ok = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-oper', password: PASSWORD } })
  t.equal(ok.statusCode, 200)
  const cookie = String(ok.headers['set-cookie'])
  t.match(cookie, /^anxin_console=[A-Za-z0-9_-]{40,};/)
  t.match(cookie, /HttpOnly/)
  t.match(cookie, /SameSite=Strict/)
  t.notMatch(cookie, /Secure/, 'plain http in tests: no Secure flag')
  t.equal(ok.json().user.role, 'operator')
  t.equal(ok.json().user.orgId, 'org-a')
  t.ok(ok.json().csrfToken.length >= 24)
  const hash = await c.db.pool.query<{ password_hash: string }>(`SELECT password_hash FROM console_accounts WHERE staff_id = 'a-oper'`)
  t.match(hash.rows[0]!.password_hash, /^\$argon2id\$/)
  const audit = await c.db.pool.query(`SELECT action, channel FROM audit_log WHERE actor_id = 'a-oper' AND action = 'sign_in'`)
  t.equal(audit.rowCount, 1)

  const wrong = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-oper', password: 'nope' } })
  const unknown = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody', password: 'nope' } })
  t.equal(wrong.statusCode, 401)
  t.same(wrong.json(), unknown.json(), 'the answer does not reveal whether the username exists')
  t.equal(wrong.json().code, 'invalid_credentials')

  const bad = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-oper' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /password/)
})

t.test('GET /api/session needs the cookie; sign-out ends the session at once', async t => {
  const c = await consoleApp(t)
  t.equal((await c.app.inject({ method: 'GET', url: '/api/session' })).statusCode, 401)
  const s = await c.signIn('supervisor')
  const me = await c.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } })
  t.equal(me.statusCode, 200)
  t.equal(me.json().csrfToken, s.csrf)
  const noCsrf = await c.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: s.cookie } })
  t.equal(noCsrf.statusCode, 403, 'a change without the CSRF header is refused')
  t.equal(noCsrf.json().code, 'csrf')
  const out = await c.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })
  t.equal(out.statusCode, 204)
  t.match(String(out.headers['set-cookie']), /Max-Age=0/)
  t.equal((await c.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } })).statusCode, 401)
})

t.test('brute force: five wrong passwords lock the username for the window, even with the right password', async t => {
  const c = await consoleApp(t)
  for (let i = 0; i < 5; i++) {
    const r = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-audit', password: `guess-${i}` } })
    t.equal(r.statusCode, 401)
  }
  const locked = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-audit', password: PASSWORD } })
  t.equal(locked.statusCode, 429)
  t.equal(locked.json().code, 'too_many_attempts')
  t.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= 900)
  const other = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-oper', password: PASSWORD } })
  t.equal(other.statusCode, 200, 'another account on the same address still signs in')
})

t.test('a disabled account cannot sign in, and disabling signs the person out', async t => {
  const c = await consoleApp(t)
  const s = await c.signIn('doctor')
  await c.service.context.sessions.destroyAllOf(ACCOUNTS.doctor.staffId)
  t.equal((await c.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } })).statusCode, 401)
  await c.db.pool.query(`UPDATE console_accounts SET disabled = true WHERE staff_id = 'a-doctor'`)
  const r = await c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-doctor', password: PASSWORD } })
  t.equal(r.statusCode, 401)
})

t.test('the session expires after the idle time', async t => {
  let now = new Date('2026-11-22T08:00:00Z')
  const c = await consoleApp(t, { env: { SESSION_IDLE_MINUTES: '1' }, now: () => now })
  const s = await c.signIn('operator')
  t.equal((await c.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } })).statusCode, 200)
  // Redis keeps the idle timer itself (a key TTL); its value is what is checked, not waited out.
  const key = (await c.redis.keys(`${c.redisPrefix}console:session:*`))[0]!
  t.ok((await c.redis.ttl(key)) <= 60, 'the idle timeout is set on the session')
  now = new Date('2026-11-22T20:00:01Z')
  t.equal((await c.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } })).statusCode, 401, 'and the shift-length cap ends it regardless')
})

t.test('security headers on every answer', async t => {
  const c = await consoleApp(t)
  const r = await c.app.inject({ method: 'GET', url: '/api/session' })
  t.equal(r.headers['x-frame-options'], 'DENY')
  t.equal(r.headers['x-content-type-options'], 'nosniff')
  t.equal(r.headers['cache-control'], 'no-store')
  t.match(String(r.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/)
  t.equal(r.headers['referrer-policy'], 'no-referrer')
})

t.test('guessing many usernames from one address is throttled too, and a forged X-Forwarded-For does not help', async t => {
  const c = await consoleApp(t, { env: { LOGIN_MAX_FAILURES_PER_ADDRESS: '3' } })
  for (let i = 0; i < 3; i++) {
    const r = await c.app.inject({ method: 'POST', url: '/api/session', headers: { 'x-forwarded-for': `10.0.0.${i}` }, payload: { username: `guess-${i}`, password: 'x' } })
    t.equal(r.statusCode, 401)
  }
  const r = await c.app.inject({ method: 'POST', url: '/api/session', headers: { 'x-forwarded-for': '10.0.0.99' }, payload: { username: 'a-oper', password: PASSWORD } })
  t.equal(r.statusCode, 429, 'the fourth attempt from the same client is refused, whatever it claims to forward')
})

t.test('a burst of sign-ins beyond what the password checker may take at once is turned away (503), not queued without end', async t => {
  const c = await consoleApp(t, { env: { SIGN_IN_CONCURRENCY: '1', SIGN_IN_QUEUE: '1' } })
  const burst = await Promise.all(
    Array.from({ length: 6 }, () => c.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'a-super', password: PASSWORD } })),
  )
  const codes = burst.map(r => r.statusCode).sort()
  t.ok(codes.includes(200), 'those within the limit sign in')
  t.ok(codes.filter(s => s === 503).length >= 3, `the rest are told to retry (${codes.join(',')})`)
  t.equal(burst.find(r => r.statusCode === 503)!.json().code, 'busy')
})
