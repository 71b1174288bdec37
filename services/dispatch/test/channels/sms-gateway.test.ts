import t from 'tap'
import type { Test } from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { OutgoingMessage } from '../../src/channels/channel.ts'
import { parseGatewayCallback, SmsGatewayChannel } from '../../src/channels/sms-gateway.ts'

type Received = { method: string | undefined; path: string | undefined; headers: IncomingMessage['headers']; body: Record<string, unknown> }

/** A stand-in for the SMS/voice gateway: checks the bearer token, then answers with `reply`. */
async function gateway(t: Pick<Test, 'teardown'>, reply: (res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer gw-token') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid token"}')
        return
      }
      received.push({ method: req.method, path: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
      reply(res)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>(resolve => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`, received }
}

const queued = (res: ServerResponse) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"gw-1","status":"queued"}')

function message(channel: 'sms' | 'phone'): OutgoingMessage {
  return {
    deliveryId: 'dlv-42',
    target: { channel, phone: '+8613800138000' },
    recipient: { kind: 'carer', id: 'u-7', name: '李护工' },
    locale: 'zh-CN',
    subject: '紧急呼叫',
    text: '张奶奶按下了紧急呼叫按钮，请尽快处理。',
    link: null,
    urgent: true,
    data: { alarmId: 'alm-1' },
  }
}

const options = { url: '', token: 'gw-token', callbackUrl: 'https://dispatch.anxin.example/callbacks/gateway', timeoutMs: 2000 }

t.test('an SMS the gateway queues is sent, with its id', async t => {
  const gw = await gateway(t, queued)
  const sms = new SmsGatewayChannel({ ...options, channel: 'sms', url: gw.url })
  t.equal(sms.name, 'sms')
  t.same(await sms.send(message('sms'), AbortSignal.timeout(5000)), { outcome: 'sent', providerMessageId: 'gw-1', providerAnswer: 'HTTP 202 queued' })
  const [request] = gw.received
  t.equal(request?.method, 'POST')
  t.equal(request?.path, '/v1/messages')
  t.equal(request?.headers['idempotency-key'], 'dlv-42')
  t.same(request?.body, {
    reference: 'dlv-42',
    type: 'sms',
    to: '+8613800138000',
    text: '张奶奶按下了紧急呼叫按钮，请尽快处理。',
    urgent: true,
    callbackUrl: 'https://dispatch.anxin.example/callbacks/gateway',
  })
})

t.test('a voice call asks the callee to press 1', async t => {
  const gw = await gateway(t, queued)
  const phone = new SmsGatewayChannel({ ...options, channel: 'phone', url: gw.url, callbackUrl: null })
  t.equal(phone.name, 'phone')
  t.same(await phone.send(message('phone'), AbortSignal.timeout(5000)), { outcome: 'sent', providerMessageId: 'gw-1', providerAnswer: 'HTTP 202 queued' })
  t.match(gw.received[0]?.body, { type: 'voice', acknowledgeDigit: '1', to: '+8613800138000', callbackUrl: null })
  t.same(await phone.send(message('sms'), AbortSignal.timeout(5000)), { outcome: 'failed', retryable: false, providerAnswer: 'not a phone target: sms' })
})

t.test("the gateway's 'delivered' is delivered", async t => {
  const gw = await gateway(t, res => res.writeHead(200).end('{"id":"gw-2","status":"delivered"}'))
  const sms = new SmsGatewayChannel({ ...options, channel: 'sms', url: gw.url })
  t.same(await sms.send(message('sms'), AbortSignal.timeout(5000)), { outcome: 'delivered', providerMessageId: 'gw-2', providerAnswer: 'HTTP 200 delivered' })
})

t.test('a wrong token (401) is permanent', async t => {
  const gw = await gateway(t, queued)
  const sms = new SmsGatewayChannel({ ...options, channel: 'sms', url: gw.url, token: 'wrong' })
  t.same(await sms.send(message('sms'), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: false,
    providerAnswer: 'HTTP 401 Unauthorized: {"error":"invalid token"}',
  })
})

t.test('a gateway error (500) is retryable, and the number it echoes is not kept', async t => {
  const gw = await gateway(t, res => res.writeHead(500).end('operator link down for +8613800138000'))
  const sms = new SmsGatewayChannel({ ...options, channel: 'sms', url: gw.url })
  t.same(await sms.send(message('sms'), AbortSignal.timeout(5000)), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'HTTP 500 Internal Server Error: operator link down for <recipient>',
  })
})

t.test('parseGatewayCallback reads good bodies', async t => {
  t.same(parseGatewayCallback('{"reference":"dlv-42","id":"gw-1","status":"answered","digits":"1"}'), {
    reference: 'dlv-42',
    providerMessageId: 'gw-1',
    status: 'answered',
    digits: '1',
    detail: null,
  })
  t.same(parseGatewayCallback('{"reference":"dlv-42","status":"failed","detail":"number unreachable"}'), {
    reference: 'dlv-42',
    providerMessageId: null,
    status: 'failed',
    digits: null,
    detail: 'number unreachable',
  })
  t.same(parseGatewayCallback('{"reference":"dlv-9","id":null,"status":"no_answer","digits":null,"detail":null}')?.status, 'no_answer')
})

t.test('parseGatewayCallback returns null for anything off-contract', async t => {
  for (const body of [
    '',
    'not json',
    'null',
    '[]',
    '{"status":"delivered"}',
    '{"reference":"","status":"delivered"}',
    '{"reference":"dlv-1","status":"read"}',
    '{"reference":"dlv-1","status":"answered","digits":"1; DROP"}',
    '{"reference":7,"status":"delivered"}',
  ]) {
    t.equal(parseGatewayCallback(body), null, body || '(empty)')
  }
})
