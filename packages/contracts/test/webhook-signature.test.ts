import t from 'tap'
import { createHmac } from 'node:crypto'
import { signatureHeader, verifySignature } from '../src/webhook-signature.ts'

const secret = 'whsec-test'
const body = JSON.stringify({ id: 'd-1', text: '张奶奶按了紧急呼叫' })
const now = 1_760_000_000

t.test('a header we sign verifies, and is t=<seconds>,v1=<hex HMAC of "t.body">', async t => {
  const header = signatureHeader(secret, body, now)
  const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex')
  t.equal(header, `t=${now},v1=${expected}`)
  t.same(verifySignature(secret, header, body, now), { ok: true })
  t.same(verifySignature(secret, header, body, now + 299), { ok: true }, 'within the default tolerance')
})

t.test('forged, tampered or wrongly keyed requests are refused', async t => {
  const header = signatureHeader(secret, body, now)
  t.same(verifySignature('other-secret', header, body, now), { ok: false, reason: 'bad_signature' })
  t.same(verifySignature(secret, header, body.replace('d-1', 'd-2'), now), { ok: false, reason: 'bad_signature' })
  const movedTime = header.replace(`t=${now}`, `t=${now + 60}`)
  t.same(verifySignature(secret, movedTime, body, now + 60), { ok: false, reason: 'bad_signature' }, 'the timestamp is signed')
  t.same(verifySignature(secret, `t=${now},v1=${'0'.repeat(64)}`, body, now), { ok: false, reason: 'bad_signature' })
})

t.test('an old (replayed) or future signature is stale', async t => {
  const header = signatureHeader(secret, body, now)
  t.same(verifySignature(secret, header, body, now + 301), { ok: false, reason: 'stale' })
  t.same(verifySignature(secret, header, body, now - 301), { ok: false, reason: 'stale' })
  t.same(verifySignature(secret, header, body, now + 60, 30), { ok: false, reason: 'stale' }, 'custom tolerance')
})

t.test('missing and malformed headers', async t => {
  t.same(verifySignature(secret, undefined, body, now), { ok: false, reason: 'missing' })
  t.same(verifySignature(secret, '', body, now), { ok: false, reason: 'missing' })
  const v1 = signatureHeader(secret, body, now).split(',')[1]!
  for (const header of ['garbage', `t=${now}`, v1, `t=abc,${v1}`, `t=${now},v1=xyz`, `t=${now},t=${now},${v1}`, `t=${now},v1=${'a'.repeat(63)}`]) {
    t.same(verifySignature(secret, header, body, now), { ok: false, reason: 'malformed' }, header.slice(0, 40))
  }
})

t.test('several v1 entries let the sender rotate its secret', async t => {
  const oldSig = signatureHeader('old-secret', body, now)
  const newV1 = signatureHeader('new-secret', body, now).split(',')[1]!
  const header = `${oldSig},${newV1}`
  t.same(verifySignature('old-secret', header, body, now), { ok: true })
  t.same(verifySignature('new-secret', header, body, now), { ok: true })
  t.same(verifySignature('third-secret', header, body, now), { ok: false, reason: 'bad_signature' })
  t.same(verifySignature(secret, `${signatureHeader(secret, body, now)},v2=future-scheme`, body, now), { ok: true }, 'unknown schemes are ignored')
})
