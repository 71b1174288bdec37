import t from 'tap'
import type { Test } from 'tap'
import type { OutgoingMessage, PushSubscription } from '../../src/channels/channel.ts'
import { generateVapidKeys, WebPushChannel } from '../../src/channels/web-push.ts'
import { pushService as startPushService } from '../fixtures/push-service.ts'

const vapid = generateVapidKeys()
const subject = 'mailto:ops@anxin.example'
const pushService = (t: Pick<Test, 'teardown'>, answers: Record<string, number | 'hang'>) => startPushService(t, answers, { publicKey: vapid.publicKey, subject })

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
