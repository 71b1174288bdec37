import t from 'tap'
import { smtpSink } from '../fixtures/providers.ts'
import type { Test } from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { OutgoingMessage } from '../../src/channels/channel.ts'
import { EmailChannel, messageIdOf } from '../../src/channels/email.ts'

function channelFor(t: Pick<Test, 'teardown'>, smtpUrl: string, timeoutMs?: number): EmailChannel {
  const channel = new EmailChannel({ smtpUrl, from: '安心平台 <alerts@anxin.example>', timeoutMs })
  t.teardown(() => channel.close())
  return channel
}

const link = 'https://anxin.example/a/7f3c?sig=abc&x=1'
const deliveryId = '0b6d2f0e-5c1a-4f7e-9d55-3c2b1a0f9e88'

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    deliveryId,
    target: { channel: 'email', email: 'li.hugong@example.cn' },
    recipient: { kind: 'carer', id: 'u-7', name: '李护工' },
    locale: 'zh-CN',
    subject: '紧急呼叫：张奶奶（3号楼）',
    text: `张奶奶按下了紧急呼叫按钮。\n\n请点击确认并处理：${link}`,
    link,
    urgent: true,
    data: { alarmId: 'alm-1' },
    ...overrides,
  }
}

t.test('the SMTP server receives the message; a retry carries the same Message-ID', async t => {
  const smtp = await smtpSink(t)
  const channel = channelFor(t, smtp.url)
  const result = await channel.send(message(), AbortSignal.timeout(5000))
  t.match(result, { outcome: 'sent', providerMessageId: `<${deliveryId}@anxin.local>`, providerAnswer: /^250 / })

  const [mail] = smtp.inbox
  t.equal(mail?.subject, '紧急呼叫：张奶奶（3号楼）', 'a Chinese subject survives')
  t.equal(mail?.messageId, `<${deliveryId}@anxin.local>`)
  t.match(mail?.text, '张奶奶按下了紧急呼叫按钮。', 'a Chinese body survives')
  t.match(mail?.text, link, 'the text carries the link')
  t.match(mail?.html, `<a href="${link.replace('&', '&#38;')}">`, 'the html makes the link clickable')
  t.equal(mail?.headers.get('x-anxin-delivery'), deliveryId)
  t.equal(mail?.headers.get('priority'), 'high', 'urgent mail asks for high priority (X-Priority, Importance)')
  t.same(mail?.to && !Array.isArray(mail.to) ? mail.to.value.map(a => a.address) : [], ['li.hugong@example.cn'])

  t.equal((await channel.send(message(), AbortSignal.timeout(5000))).outcome, 'sent')
  t.equal(smtp.inbox[1]?.messageId, smtp.inbox[0]?.messageId, 'the same delivery has the same Message-ID')

  await channel.send(message({ urgent: false, deliveryId: 'alm-1:escalate:2', link: null }), AbortSignal.timeout(5000))
  t.equal(smtp.inbox[2]?.messageId, '<alm-1=3Aescalate=3A2@anxin.local>', 'characters a Message-ID cannot hold are encoded')
  t.equal(smtp.inbox[2]?.headers.get('priority'), undefined, 'a normal mail sets no priority')
})

t.test('Message-IDs stay distinct for distinct delivery ids', async t => {
  t.equal(messageIdOf('a:b'), '<a=3Ab@anxin.local>')
  t.not(messageIdOf('a:b'), messageIdOf('a.b'))
  t.equal(messageIdOf('报警 1'), '<=E6=8A=A5=E8=AD=A6=201@anxin.local>')
})

t.test('a mailbox the server refuses for good (550) is a permanent failure', async t => {
  const smtp = await smtpSink(t, {
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }))
    },
  })
  const result = await channelFor(t, smtp.url).send(message(), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'failed', retryable: false, providerAnswer: 'SMTP 550 5.1.1 mailbox unavailable' })
  t.equal(smtp.inbox.length, 0)
})

t.test('a temporary refusal (451) is retryable', async t => {
  const smtp = await smtpSink(t, {
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }))
    },
  })
  const result = await channelFor(t, smtp.url).send(message(), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'failed', retryable: true, providerAnswer: 'SMTP 451 4.7.1 greylisted, try again later' })
})

t.test('nothing listening is retryable', async t => {
  const closed = createServer().listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const port = (closed.address() as AddressInfo).port
  await new Promise<void>(resolve => closed.close(() => resolve()))
  const result = await channelFor(t, `smtp://127.0.0.1:${port}`).send(message(), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'failed', retryable: true, providerAnswer: 'SMTP connection error: ECONNREFUSED' })
})

t.test('a server that never greets times out within timeoutMs, retryable', async t => {
  const silent = createServer(() => {}).listen(0, '127.0.0.1')
  await once(silent, 'listening')
  const sockets = new Set<import('node:net').Socket>()
  silent.on('connection', socket => sockets.add(socket))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise<void>(resolve => silent.close(() => resolve()))
  })
  const started = performance.now()
  const result = await channelFor(t, `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, 300).send(message(), AbortSignal.timeout(5000))
  t.same(result, { outcome: 'failed', retryable: true, providerAnswer: 'timeout after 300 ms' })
  t.ok(performance.now() - started < 2000, 'gave up promptly')
})
