import t from 'tap'
import type { Test } from 'tap'
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto'
import type { ECDH } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { OutgoingMessage, PushSubscription } from '../../src/channels/channel.ts'
import { generateVapidKeys, WebPushChannel } from '../../src/channels/web-push.ts'

// http_ece (the reference implementation of RFC 8188) ships no types: this is the one call the test uses.
const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(body: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: Buffer }): Buffer
}

const vapid = generateVapidKeys()
const subject = 'mailto:ops@anxin.example'

/** A browser's side of a subscription: the key pair and auth secret that decrypt what is pushed to it. */
type Subscriber = { subscription: PushSubscription; ecdh: ECDH; authSecret: Buffer }

function subscriber(endpoint: string): Subscriber {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  const authSecret = randomBytes(16)
  return { subscription: { endpoint, keys: { p256dh: ecdh.getPublicKey('base64url'), auth: authSecret.toString('base64url') } }, ecdh, authSecret }
}

/** Checks `authorization: vapid t=<jwt>, k=<key>` as a push service does (RFC 8292); null when valid. */
function vapidProblem(authorization: string | undefined, origin: string): string | null {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '')
  if (match === null) return 'no vapid authorization'
  const [jwt, key] = [match[1]!, match[2]!]
  if (key !== vapid.publicKey) return 'unknown key'
  const [header, claims, signature] = jwt.split('.') as [string, string, string]
  const raw = Buffer.from(key, 'base64url')
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  })
  const signed = verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))
  if (!signed) return 'bad signature'
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'ES256') return 'not ES256'
  const { aud, exp, sub } = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; exp: number; sub: string }
  const now = Date.now() / 1000
  if (aud !== origin) return `aud ${aud}`
  if (!(exp > now && exp <= now + 24 * 3600)) return 'exp'
  if (sub !== subject) return 'sub'
  return null
}

type Push = { path: string; headers: IncomingHttpHeaders; payload: Record<string, unknown> }

/**
 * A push service on a free port. `answers` maps a path to the status it returns ('hang' never answers);
 * every request is checked (VAPID, encryption) and decrypted with the subscriber's keys before answering.
 */
async function pushService(t: Pick<Test, 'teardown'>, answers: Record<string, number | 'hang'>) {
  const received: Push[] = []
  const subscribers = new Map<string, Subscriber>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const path = req.url ?? ''
      const answer = answers[path]
      const owner = subscribers.get(path)
      if (answer === 'hang') return
      if (answer === undefined || owner === undefined) return void res.writeHead(404).end()
      const problem = vapidProblem(req.headers.authorization, origin)
      if (problem !== null) return void res.writeHead(403).end(problem)
      if (req.headers['content-encoding'] !== 'aes128gcm') return void res.writeHead(415).end()
      const plain = ece.decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: owner.ecdh, authSecret: owner.authSecret })
      received.push({ path, headers: req.headers, payload: JSON.parse(plain.toString('utf8')) })
      res.writeHead(answer, answer === 201 ? { location: `${origin}/m/${received.length}` } : {}).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>(resolve => server.close(() => resolve()))
  })
  const subscribe = (path: string): Subscriber => {
    const s = subscriber(`${origin}${path}`)
    subscribers.set(path, s)
    return s
  }
  return { origin, received, subscribe }
}

function message(subscriptions: PushSubscription[], urgent = true): OutgoingMessage {
  return {
    deliveryId: 'dlv-3',
    target: { channel: 'responder_app', subscriptions },
    recipient: { kind: 'carer', id: 'u-7', name: '李护工' },
    locale: 'zh-CN',
    subject: '紧急呼叫：张奶奶',
    text: '张奶奶按下了紧急呼叫按钮。',
    link: 'https://anxin.example/a/7f3c',
    urgent,
    data: { alarmId: 'alm-1', type: 'sos' },
  }
}

const channel = new WebPushChannel({ subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey, timeoutMs: 300 })

t.test('an urgent push is VAPID-signed, encrypted for the subscription and accepted (sent)', async t => {
  const push = await pushService(t, { '/push/a': 201 })
  const phone = push.subscribe('/push/a')
  const result = await channel.send(message([phone.subscription]), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'sent', providerMessageId: `${push.origin}/m/1`, providerAnswer: 'HTTP 201 from 1 of 1 push services' })
  const [received] = push.received
  t.same(received?.payload, {
    title: '紧急呼叫：张奶奶',
    body: '张奶奶按下了紧急呼叫按钮。',
    url: 'https://anxin.example/a/7f3c',
    urgent: true,
    data: { alarmId: 'alm-1', type: 'sos' },
  })
  t.equal(received?.headers.ttl, '300', 'an urgent alarm is worthless after five minutes')
  t.equal(received?.headers.urgency, 'high')
  t.equal(received?.headers.topic, undefined, 'no topic: one alarm never replaces another')
})

t.test('a routine push waits longer and is not urgent', async t => {
  const push = await pushService(t, { '/push/a': 201 })
  const phone = push.subscribe('/push/a')
  t.equal((await channel.send(message([phone.subscription], false), AbortSignal.timeout(5000))).outcome, 'sent')
  t.equal(push.received[0]?.headers.ttl, '3600')
  t.equal(push.received[0]?.headers.urgency, 'normal')
  t.equal(push.received[0]?.payload.urgent, false)
})

t.test('an expired subscription (410) is reported for deletion next to a working one', async t => {
  const push = await pushService(t, { '/push/phone': 201, '/push/old-tablet': 410 })
  const phone = push.subscribe('/push/phone')
  const tablet = push.subscribe('/push/old-tablet')
  const result = await channel.send(message([tablet.subscription, phone.subscription]), AbortSignal.timeout(5000))
  t.match(result, { outcome: 'sent', providerAnswer: 'HTTP 201 from 1 of 2 push services', expiredSubscriptions: [tablet.subscription.endpoint] })
})

t.test('all subscriptions expired, or none at all: a permanent failure', async t => {
  const push = await pushService(t, { '/push/x': 410, '/push/y': 404 })
  const x = push.subscribe('/push/x')
  const y = push.subscribe('/push/y')
  t.same(await channel.send(message([x.subscription, y.subscription]), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: false,
    providerAnswer: 'all 2 subscriptions expired',
    expiredSubscriptions: [x.subscription.endpoint, y.subscription.endpoint],
  })
  t.same(await channel.send(message([]), AbortSignal.timeout(5000)), { outcome: 'failed', retryable: false, providerAnswer: 'no push subscriptions' })
})

t.test('a busy push service makes the failure retryable, and expired ones are still reported', async t => {
  const push = await pushService(t, { '/push/busy': 503, '/push/gone': 410 })
  const busy = push.subscribe('/push/busy')
  const gone = push.subscribe('/push/gone')
  t.same(await channel.send(message([busy.subscription, gone.subscription]), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'HTTP 503 Service Unavailable',
    expiredSubscriptions: [gone.subscription.endpoint],
  })
})

t.test('a refused push (400) is permanent; a silent push service times out, retryable', async t => {
  const push = await pushService(t, { '/push/bad': 400, '/push/slow': 'hang' })
  const bad = push.subscribe('/push/bad')
  const slow = push.subscribe('/push/slow')
  t.same(await channel.send(message([bad.subscription]), AbortSignal.timeout(5000)), { outcome: 'failed', retryable: false, providerAnswer: 'HTTP 400 Bad Request' })
  const started = performance.now()
  t.same(await channel.send(message([slow.subscription]), AbortSignal.timeout(5000)), { outcome: 'failed', retryable: true, providerAnswer: 'timeout after 300 ms' })
  t.ok(performance.now() - started < 1500, 'gave up promptly')
})

t.test('a push service that rejects our VAPID signature shows why', async t => {
  const push = await pushService(t, { '/push/a': 201 })
  const phone = push.subscribe('/push/a')
  const other = generateVapidKeys()
  const impostor = new WebPushChannel({ subject, publicKey: other.publicKey, privateKey: other.privateKey })
  t.same(await impostor.send(message([phone.subscription]), AbortSignal.timeout(5000)), { outcome: 'failed', retryable: false, providerAnswer: 'HTTP 403 Forbidden: unknown key' })
})

t.test('a stored subscription with broken keys is a permanent failure', async t => {
  const broken = { endpoint: 'http://127.0.0.1:9/push/x', keys: { p256dh: 'not-a-key', auth: 'short' } }
  t.same(await channel.send(message([broken]), AbortSignal.timeout(5000)), { outcome: 'failed', retryable: false, providerAnswer: 'invalid push subscription' })
})

t.test('VAPID configuration is checked when the channel is built', async t => {
  t.throws(() => new WebPushChannel({ subject: 'ops@anxin.example', publicKey: vapid.publicKey, privateKey: vapid.privateKey }))
  t.throws(() => new WebPushChannel({ subject, publicKey: 'short', privateKey: vapid.privateKey }))
  t.equal(Buffer.from(vapid.publicKey, 'base64url').length, 65)
  t.equal(Buffer.from(vapid.privateKey, 'base64url').length, 32)
})
