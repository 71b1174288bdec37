import t from 'tap'
import { createHmac } from 'node:crypto'
import {
  assertSigningSecrets,
  csrfToken,
  MAX_TOKEN_LENGTH,
  signLink,
  signSession,
  verifyCsrf,
  verifyLink,
  verifySession,
  type LinkClaims,
  type SessionClaims,
} from '../../src/domain/action-token.ts'

const KEY = 'k'.repeat(16) + 'current-signing-key'
const OLD = 'o'.repeat(16) + 'previous-signing-key'
const OTHER = 'x'.repeat(16) + 'somebody-elses-key!!'
const NOW = '2025-06-01T12:00:00.000Z'
const EXPIRES = '2025-06-01T13:00:00.000Z'

const LINK: LinkClaims = {
  tokenId: '0197f3c2-5b1e-7c3a-9d8e-1f2a3b4c5d6e',
  alarmId: '0197f3c2-5b1e-7c3a-9d8e-aaaaaaaaaaaa',
  recipient: { kind: 'contact', id: '0197f3c2-5b1e-7c3a-9d8e-bbbbbbbbbbbb' },
  purpose: 'alarm',
  expiresAt: EXPIRES,
}
const SESSION: SessionClaims = {
  sessionId: '0197f3c2-5b1e-7c3a-9d8e-cccccccccccc',
  tokenId: LINK.tokenId,
  alarmId: LINK.alarmId,
  recipient: { kind: 'staff', id: 'staff-42' },
  expiresAt: EXPIRES,
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const macOf = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('base64url')
/** A token signed correctly over an arbitrary payload: tests what happens after the signature check. */
const forge = (kind: string, payload: string, secret = KEY) => `${kind}.${payload}.${macOf(secret, `${kind}.${payload}`)}`
const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)

t.test('link round trip, every purpose and recipient kind', async t => {
  for (const purpose of ['alarm', 'task_offer', 'family_update'] as const) {
    for (const kind of ['staff', 'contact'] as const) {
      const claims: LinkClaims = { ...LINK, purpose, recipient: { kind, id: `${kind}-7` } }
      t.same(verifyLink(signLink(claims, [KEY]), [KEY], NOW), { ok: true, claims }, `${purpose} to ${kind}`)
    }
  }
})

t.test('session round trip', async t => {
  t.same(verifySession(signSession(SESSION, [KEY]), [KEY], NOW), { ok: true, claims: SESSION })
  const contact: SessionClaims = { ...SESSION, recipient: { kind: 'contact', id: '家属-1' } }
  t.same(verifySession(signSession(contact, [KEY]), [KEY], NOW), { ok: true, claims: contact }, 'non-ASCII ids survive')
})

t.test('format: <kind>.<payload>.<signature>, URL-safe, short enough for an SMS link', async t => {
  const link = signLink(LINK, [KEY])
  const session = signSession(SESSION, [KEY])
  t.match(link, /^l1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
  t.match(session, /^s1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
  t.equal(encodeURIComponent(link), link, 'needs no escaping in a URL')
  t.ok(link.length < 300, `a link with uuids is ${link.length} characters`)
  const [, payload, signature] = link.split('.') as [string, string, string]
  t.equal(signature, macOf(KEY, `l1.${payload}`), 'HMAC-SHA256 over kind.payload, base64url')
  t.same(JSON.parse(Buffer.from(payload, 'base64url').toString()), {
    t: LINK.tokenId,
    a: LINK.alarmId,
    r: ['contact', LINK.recipient.id],
    p: 'alarm',
    e: Date.parse(EXPIRES),
  })
  t.equal(signLink(LINK, [KEY]), link, 'deterministic')
})

t.test('expiresAt with an offset is kept as the same instant, returned in UTC', async t => {
  const r = verifyLink(signLink({ ...LINK, expiresAt: '2025-06-01T21:00:00+08:00' }, [KEY]), [KEY], NOW)
  t.same(r, { ok: true, claims: LINK })
})

t.test('tampered payload: bad_signature', async t => {
  const [kind, payload, signature] = signLink(LINK, [KEY]).split('.') as [string, string, string]
  const other = b64({ t: LINK.tokenId, a: 'another-alarm', r: ['contact', LINK.recipient.id], p: 'alarm', e: Date.parse(EXPIRES) })
  t.same(verifyLink(`${kind}.${other}.${signature}`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'other alarm')
  const later = b64({ t: LINK.tokenId, a: LINK.alarmId, r: ['contact', LINK.recipient.id], p: 'alarm', e: Date.parse(EXPIRES) + 86_400_000 })
  t.same(verifyLink(`${kind}.${later}.${signature}`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'extended expiry')
  for (const i of [0, 10, payload.length - 1]) {
    t.same(verifyLink(`${kind}.${flip(payload, i)}.${signature}`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, `payload char ${i}`)
  }
})

t.test('tampered signature: bad_signature', async t => {
  const [kind, payload, signature] = signLink(LINK, [KEY]).split('.') as [string, string, string]
  for (const i of [0, 20, 42]) {
    t.same(verifyLink(`${kind}.${payload}.${flip(signature, i)}`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, `signature char ${i}`)
  }
  t.same(verifyLink(`${kind}.${payload}.${signature.slice(0, -1)}`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'truncated')
  t.same(verifyLink(`${kind}.${payload}.${signature}A`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'extended')
  // The last of 43 base64url characters carries 2 unused bits: another spelling of the same bytes is refused.
  const last = signature.at(-1) as string
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string
  const respelled = signature.slice(0, -1) + sibling
  t.same(Buffer.from(respelled, 'base64url'), Buffer.from(signature, 'base64url'), 'same bytes')
  t.same(verifyLink(`${kind}.${payload}.${respelled}`, [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'non-canonical spelling')
})

t.test('signed with another secret: bad_signature', async t => {
  t.same(verifyLink(signLink(LINK, [OTHER]), [KEY], NOW), { ok: false, reason: 'bad_signature' })
  t.same(verifySession(signSession(SESSION, [OTHER]), [KEY, OLD], NOW), { ok: false, reason: 'bad_signature' })
})

t.test('key rotation: the first secret signs, any listed secret verifies', async t => {
  const oldLink = signLink(LINK, [OLD])
  t.same(verifyLink(oldLink, [KEY, OLD], NOW), { ok: true, claims: LINK }, 'old token, new key added in front')
  t.same(verifyLink(oldLink, [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'old key dropped')
  const newLink = signLink(LINK, [KEY, OLD])
  t.equal(newLink, signLink(LINK, [KEY]), 'signed with the first secret')
  t.same(verifyLink(newLink, [KEY], NOW), { ok: true, claims: LINK })
  t.same(verifyLink(newLink, [OLD], NOW), { ok: false, reason: 'bad_signature' })
  const oldSession = signSession(SESSION, [OLD])
  t.same(verifySession(oldSession, [KEY, OLD], NOW), { ok: true, claims: SESSION })
})

t.test('expiry: exactly at expiresAt counts as expired', async t => {
  const link = signLink(LINK, [KEY])
  t.same(verifyLink(link, [KEY], '2025-06-01T12:59:59.999Z'), { ok: true, claims: LINK }, '1 ms before')
  t.same(verifyLink(link, [KEY], EXPIRES), { ok: false, reason: 'expired' }, 'at expiresAt')
  t.same(verifyLink(link, [KEY], '2025-06-02T00:00:00.000Z'), { ok: false, reason: 'expired' }, 'after')
  t.same(verifyLink(link, [KEY], '2025-06-01T21:00:00+08:00'), { ok: false, reason: 'expired' }, 'now with an offset')
  const session = signSession(SESSION, [KEY])
  t.same(verifySession(session, [KEY], '2025-06-01T12:59:59.999Z'), { ok: true, claims: SESSION })
  t.same(verifySession(session, [KEY], EXPIRES), { ok: false, reason: 'expired' })
})

t.test('a tampered expired token is reported as bad_signature, not expired', async t => {
  const [kind, payload, signature] = signLink(LINK, [KEY]).split('.') as [string, string, string]
  t.same(verifyLink(`${kind}.${flip(payload, 5)}.${signature}`, [KEY], '2030-01-01T00:00:00.000Z'), { ok: false, reason: 'bad_signature' })
})

t.test('kind confusion: a session is never a link, nor a link a session', async t => {
  const link = signLink(LINK, [KEY])
  const session = signSession(SESSION, [KEY])
  t.same(verifyLink(session, [KEY], NOW), { ok: false, reason: 'wrong_kind' })
  t.same(verifySession(link, [KEY], NOW), { ok: false, reason: 'wrong_kind' })
  t.same(verifyLink(session.replace(/^s1/, 'l1'), [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'relabelled session')
  t.same(verifySession(link.replace(/^l1/, 's1'), [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'relabelled link')
  t.same(verifyLink(signSession(SESSION, [OTHER]), [KEY], NOW), { ok: false, reason: 'bad_signature' }, 'forged session: signature first')
})

t.test('garbage strings: malformed', async t => {
  const garbage = [
    '',
    'a.b',
    'a.b.c',
    'l1',
    'l1..',
    'l1.abc.',
    'l1..abc',
    'l2.abc.def',
    'L1.abc.def',
    'l1.a+b.def',
    'l1.abc.de/f',
    'l1.abc.def=',
    'l1.abc.def.ghi',
    ' l1.abc.def',
    'l1.abc.def\n',
    'l1.abc.dé',
    '...',
    '.'.repeat(5000),
    `l1.${'A'.repeat(MAX_TOKEN_LENGTH)}.${'B'.repeat(43)}`,
    `l1.${'A'.repeat(5_000_000)}.${'B'.repeat(43)}`,
  ]
  for (const token of garbage) {
    const label = token.length > 40 ? `${token.slice(0, 20)}… (${token.length} chars)` : JSON.stringify(token)
    t.same(verifyLink(token, [KEY], NOW), { ok: false, reason: 'malformed' }, `link ${label}`)
    t.same(verifySession(token, [KEY], NOW), { ok: false, reason: 'malformed' }, `session ${label}`)
  }
  t.same(verifyLink(undefined as unknown as string, [KEY], NOW), { ok: false, reason: 'malformed' }, 'not a string')
  t.same(verifyLink(42 as unknown as string, [KEY], NOW), { ok: false, reason: 'malformed' }, 'a number')
})

t.test('well-formed but unsigned: bad_signature', async t => {
  t.same(verifyLink('l1.abc.def', [KEY], NOW), { ok: false, reason: 'bad_signature' })
  t.same(verifySession(`s1.${b64({})}.${'A'.repeat(43)}`, [KEY], NOW), { ok: false, reason: 'bad_signature' })
})

t.test('correctly signed payloads of the wrong shape: malformed', async t => {
  const e = Date.parse(EXPIRES)
  const good = { t: 'tok', a: 'alarm', r: ['staff', 'u1'], p: 'alarm', e }
  const bad: Array<[string, string]> = [
    ['not JSON', Buffer.from('{not json').toString('base64url')],
    ['null', b64(null)],
    ['an array', b64([1, 2])],
    ['a string', b64('hello')],
    ['empty object', b64({})],
    ['the long claim names', b64(LINK)],
    ['missing tokenId', b64({ ...good, t: undefined })],
    ['empty tokenId', b64({ ...good, t: '' })],
    ['numeric alarmId', b64({ ...good, a: 7 })],
    ['unknown recipient kind', b64({ ...good, r: ['resident', 'u1'] })],
    ['recipient as an object', b64({ ...good, r: { kind: 'staff', id: 'u1' } })],
    ['recipient without id', b64({ ...good, r: ['staff'] })],
    ['unknown purpose', b64({ ...good, p: 'admin' })],
    ['expiry as an ISO string', b64({ ...good, e: EXPIRES })],
    ['fractional expiry', b64({ ...good, e: e + 0.5 })],
    ['negative expiry', b64({ ...good, e: -1 })],
    ['expiry beyond the Date range', b64({ ...good, e: 9e15 })],
    ['very long id', b64({ ...good, t: 'x'.repeat(201) })],
  ]
  const control = { tokenId: 'tok', alarmId: 'alarm', recipient: { kind: 'staff', id: 'u1' }, purpose: 'alarm', expiresAt: EXPIRES }
  t.same(verifyLink(forge('l1', b64(good)), [KEY], NOW), { ok: true, claims: control }, 'the control passes')
  for (const [label, payload] of bad) {
    t.same(verifyLink(forge('l1', payload), [KEY], NOW), { ok: false, reason: 'malformed' }, label)
  }
  const noSessionId = forge('s1', b64({ t: 'tok', a: 'alarm', r: ['staff', 'u1'], e }))
  t.same(verifySession(noSessionId, [KEY], NOW), { ok: false, reason: 'malformed' }, 'session without sessionId')
  t.same(verifySession(forge('s1', b64(good)), [KEY], NOW), { ok: false, reason: 'malformed' }, 'link claims in a session')
})

t.test('extra wire fields are tolerated (claims only grow)', async t => {
  const payload = b64({ t: 'tok', a: 'alarm', r: ['staff', 'u1'], p: 'task_offer', e: Date.parse(EXPIRES), x: 'future' })
  const r = verifyLink(forge('l1', payload), [KEY], NOW)
  t.same(r, { ok: true, claims: { tokenId: 'tok', alarmId: 'alarm', recipient: { kind: 'staff', id: 'u1' }, purpose: 'task_offer', expiresAt: EXPIRES } })
})

t.test('signing invalid claims throws', async t => {
  const cases: Array<[string, LinkClaims]> = [
    ['empty tokenId', { ...LINK, tokenId: '' }],
    ['empty alarmId', { ...LINK, alarmId: '' }],
    ['empty recipient id', { ...LINK, recipient: { kind: 'staff', id: '' } }],
    ['unknown recipient kind', { ...LINK, recipient: { kind: 'resident' as 'staff', id: 'r1' } }],
    ['unknown purpose', { ...LINK, purpose: 'admin' as LinkClaims['purpose'] }],
    ['expiresAt without an offset', { ...LINK, expiresAt: '2025-06-01T13:00:00' }],
    ['expiresAt not a date', { ...LINK, expiresAt: 'tomorrow' }],
  ]
  for (const [label, claims] of cases) t.throws(() => signLink(claims, [KEY]), RangeError, label)
  t.throws(() => signLink({ ...LINK, tokenId: '' }, [KEY]), /tokenId/, 'the message names the claim')
  t.throws(() => signSession({ ...SESSION, sessionId: '' }, [KEY]), /sessionId/)
  t.throws(() => signSession({ ...SESSION, expiresAt: 'soon' }, [KEY]), RangeError)
})

t.test('secrets: an empty list or a weak secret throws, everywhere', async t => {
  const short = 'y'.repeat(31)
  const exactly = 'z'.repeat(32)
  t.doesNotThrow(() => assertSigningSecrets([exactly]), '32 characters is enough')
  t.doesNotThrow(() => assertSigningSecrets([KEY, OLD]))
  t.throws(() => assertSigningSecrets([]), RangeError)
  t.throws(() => assertSigningSecrets([short]), RangeError)
  t.throws(() => assertSigningSecrets([KEY, short]), RangeError, 'a weak verifying secret too')
  t.throws(() => assertSigningSecrets([KEY, '']), RangeError)
  t.throws(() => assertSigningSecrets([short]), { message: /#1 must be at least 32/ })
  try {
    assertSigningSecrets([KEY, short])
    t.fail('should have thrown')
  } catch (error) {
    t.notOk(String(error).includes(short), 'the secret is not in the message')
    t.notOk(String(error).includes(KEY))
  }

  const link = signLink(LINK, [KEY])
  const session = signSession(SESSION, [KEY])
  for (const secrets of [[], [short], [KEY, short]]) {
    const label = `${secrets.length} secret(s)`
    t.throws(() => signLink(LINK, secrets), RangeError, `signLink, ${label}`)
    t.throws(() => verifyLink(link, secrets, NOW), RangeError, `verifyLink, ${label}`)
    t.throws(() => signSession(SESSION, secrets), RangeError, `signSession, ${label}`)
    t.throws(() => verifySession(session, secrets, NOW), RangeError, `verifySession, ${label}`)
    t.throws(() => csrfToken('sess', secrets), RangeError, `csrfToken, ${label}`)
    t.throws(() => verifyCsrf('sess', 'x', secrets), RangeError, `verifyCsrf, ${label}`)
  }
  t.throws(() => verifyLink('', [short], NOW), RangeError, 'even for a garbage token')
})

t.test('a bad now is a programming error and throws', async t => {
  const link = signLink(LINK, [KEY])
  t.throws(() => verifyLink(link, [KEY], 'now'), RangeError)
  t.throws(() => verifySession(signSession(SESSION, [KEY]), [KEY], '2025-06-01T12:00:00'), RangeError, 'no offset')
})

t.test('csrf: bound to the session and the key', async t => {
  const token = csrfToken(SESSION.sessionId, [KEY])
  t.match(token, /^[A-Za-z0-9_-]{43}$/)
  t.equal(csrfToken(SESSION.sessionId, [KEY]), token, 'deterministic: no server state needed')
  t.equal(verifyCsrf(SESSION.sessionId, token, [KEY]), true)
  t.equal(verifyCsrf('another-session', token, [KEY]), false, 'another session')
  t.equal(verifyCsrf(SESSION.sessionId, token, [OTHER]), false, 'another key')
  t.equal(verifyCsrf(SESSION.sessionId, csrfToken(SESSION.sessionId, [OLD]), [KEY, OLD]), true, 'rotated key accepted')
  t.equal(verifyCsrf(SESSION.sessionId, csrfToken(SESSION.sessionId, [KEY, OLD]), [KEY]), true, 'signed with the first secret')
  t.equal(verifyCsrf(SESSION.sessionId, flip(token, 3), [KEY]), false, 'tampered')
  t.equal(verifyCsrf(SESSION.sessionId, token.slice(1), [KEY]), false, 'shorter')
  t.equal(verifyCsrf(SESSION.sessionId, `${token}A`, [KEY]), false, 'longer')
  t.equal(verifyCsrf(SESSION.sessionId, '', [KEY]), false, 'empty token')
  t.equal(verifyCsrf(SESSION.sessionId, 'é'.repeat(43), [KEY]), false, 'multi-byte')
  t.equal(verifyCsrf('', csrfToken('x', [KEY]), [KEY]), false, 'empty session id')
  t.equal(verifyCsrf(SESSION.sessionId, undefined as unknown as string, [KEY]), false, 'not a string')
  t.throws(() => csrfToken('', [KEY]), RangeError)
})

t.test('csrf tokens and token signatures are domain-separated', async t => {
  const session = signSession(SESSION, [KEY])
  const [, payload, signature] = session.split('.') as [string, string, string]
  t.not(csrfToken(SESSION.sessionId, [KEY]), signature)
  t.equal(verifyCsrf(`s1.${payload}`, signature, [KEY]), false, 'a session signature is no csrf token for any id')
  t.not(csrfToken(SESSION.sessionId, [KEY]), macOf(KEY, SESSION.sessionId), 'not a bare HMAC of the id')
})
