import t from 'tap'
import type { Test } from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { OutgoingMessage } from '../../src/channels/channel.ts'
import { verifySignature } from '@anxin/contracts'
import { WebhookChannel } from '../../src/channels/webhook.ts'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void

/** A real HTTP receiver on a free port; teardown also cuts connections the receiver left hanging. */
async function receiver(t: Pick<Test, 'teardown'>, handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>(resolve => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/anxin?token=abc`
}

const secret = 'org-webhook-secret'
const sentAt = new Date('2025-10-09T08:00:00.000Z')
const sentAtSeconds = sentAt.getTime() / 1000

function message(url: string): OutgoingMessage {
  return {
    deliveryId: 'dlv-0001',
    target: { channel: 'webhook', url, secret },
    recipient: { kind: 'organisation', id: 'org-1', name: '幸福养老院' },
    locale: 'zh-CN',
    subject: '紧急呼叫：张奶奶',
    text: '张奶奶按下了紧急呼叫按钮。请处理：https://anxin.example/a/xyz',
    link: 'https://anxin.example/a/xyz',
    urgent: true,
    data: { alarmId: 'alm-1', type: 'sos', purpose: 'escalation' },
  }
}

const channel = new WebhookChannel({ timeoutMs: 300, now: () => sentAt })

t.test('a signed JSON POST that the receiver accepts is delivered', async t => {
  const seen: { signature: string; delivery: unknown; body: Record<string, unknown> }[] = []
  const url = await receiver(t, (req, body, res) => {
    const check = verifySignature(secret, req.headers['x-anxin-signature'] as string | undefined, body, sentAtSeconds)
    if (!check.ok || req.headers['content-type'] !== 'application/json') {
      res.writeHead(401).end(JSON.stringify(check))
      return
    }
    seen.push({ signature: req.headers['x-anxin-signature'] as string, delivery: req.headers['x-anxin-delivery'], body: JSON.parse(body) })
    res.writeHead(200, { 'x-request-id': 'rq-7' }).end('ok')
  })
  const result = await channel.send(message(url), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'delivered', providerMessageId: 'rq-7', providerAnswer: 'HTTP 200' })
  t.equal(seen.length, 1)
  t.equal(seen[0]!.delivery, 'dlv-0001', 'the idempotency key travels in x-anxin-delivery')
  t.same(seen[0]!.body, {
    id: 'dlv-0001',
    type: 'anxin.notification',
    sentAt: '2025-10-09T08:00:00.000Z',
    recipient: { kind: 'organisation', id: 'org-1', name: '幸福养老院' },
    locale: 'zh-CN',
    subject: '紧急呼叫：张奶奶',
    text: '张奶奶按下了紧急呼叫按钮。请处理：https://anxin.example/a/xyz',
    link: 'https://anxin.example/a/xyz',
    urgent: true,
    data: { alarmId: 'alm-1', type: 'sos', purpose: 'escalation' },
  })

  t.equal((await channel.send(message(url), AbortSignal.timeout(5000))).outcome, 'delivered')
  t.equal(seen[1]!.delivery, 'dlv-0001', 'a retry carries the same key, so the receiver can drop it')
})

t.test('the provider id comes from the JSON body when there is no x-request-id', async t => {
  const url = await receiver(t, (_req, _body, res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"evt-9"}'))
  t.same(await channel.send(message(url), AbortSignal.timeout(5000)), { outcome: 'delivered', providerMessageId: 'evt-9', providerAnswer: 'HTTP 202' })
  const empty = await receiver(t, (_req, _body, res) => res.writeHead(204).end())
  t.same(await channel.send(message(empty), AbortSignal.timeout(5000)), { outcome: 'delivered', providerMessageId: null, providerAnswer: 'HTTP 204' })
})

t.test('a signature made with another secret is refused by the receiver', async t => {
  const url = await receiver(t, (req, body, res) => {
    const check = verifySignature('a-different-secret', req.headers['x-anxin-signature'] as string | undefined, body, sentAtSeconds)
    res.writeHead(check.ok ? 200 : 401).end(check.ok ? '' : check.reason)
  })
  t.same(await channel.send(message(url), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: false,
    providerAnswer: 'HTTP 401 Unauthorized: bad_signature',
  })
})

t.test('503 is a retryable failure that names the status', async t => {
  const url = await receiver(t, (_req, _body, res) => res.writeHead(503).end('maintenance, back soon'))
  t.same(await channel.send(message(url), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'HTTP 503 Service Unavailable: maintenance, back soon',
  })
})

t.test('400 is permanent', async t => {
  const url = await receiver(t, (_req, _body, res) => res.writeHead(400).end('{"error":"unknown robot"}'))
  const result = await channel.send(message(url), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'failed', retryable: false, providerAnswer: 'HTTP 400 Bad Request: {"error":"unknown robot"}' })
})

t.test('a redirect is not followed: the configured URL is wrong', async t => {
  let hits = 0
  const target = await receiver(t, (_req, _body, res) => {
    hits += 1
    res.writeHead(200).end()
  })
  const url = await receiver(t, (_req, _body, res) => res.writeHead(307, { location: target }).end())
  const result = await channel.send(message(url), AbortSignal.timeout(5000))
  t.match(result, { outcome: 'failed', retryable: false, providerAnswer: /^HTTP 307/ })
  t.equal(hits, 0)
})

t.test('a receiver that never answers times out within timeoutMs, retryable', async t => {
  const url = await receiver(t, () => {})
  const started = performance.now()
  const result = await channel.send(message(url), AbortSignal.timeout(5000))
  const elapsed = performance.now() - started
  t.same(result, { outcome: 'failed', retryable: true, providerAnswer: 'timeout after 300 ms' })
  t.ok(elapsed >= 250 && elapsed < 1500, `gave up after ${Math.round(elapsed)} ms`)
})

t.test('the caller aborting (shutdown) ends the send, retryable', async t => {
  const url = await receiver(t, () => {})
  const slow = new WebhookChannel({ timeoutMs: 10_000 })
  const result = await slow.send(message(url), AbortSignal.abort())
  t.same(result, { outcome: 'failed', retryable: true, providerAnswer: 'aborted before the provider answered' })
})

t.test('nothing listening is a retryable network error; a non-http URL is permanent', async t => {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  t.same(await channel.send(message(`http://127.0.0.1:${port}/`), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'network error: ECONNREFUSED',
  })
  t.same(await channel.send(message('ftp://example.com/x'), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: false,
    providerAnswer: 'webhook URL is not an http(s) URL',
  })
})
