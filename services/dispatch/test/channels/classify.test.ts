import t from 'tap'
import { httpFailure, redact, requestErrorFailure, smtpFailure } from '../../src/channels/classify.ts'

t.test('HTTP statuses: busy or broken providers are retryable, refusals are permanent', async t => {
  for (const status of [408, 425, 429, 500, 502, 503, 504]) t.equal(httpFailure(status, '').retryable, true, `${status}`)
  for (const status of [301, 400, 401, 403, 404, 410, 413, 422]) t.equal(httpFailure(status, '').retryable, false, `${status}`)
})

t.test('the HTTP answer is short and names the status', async t => {
  t.same(httpFailure(503, 'Service Unavailable', '  busy,\n try later '), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'HTTP 503 Service Unavailable: busy, try later',
  })
  t.equal(httpFailure(400, '').providerAnswer, 'HTTP 400')
  const long = httpFailure(500, 'Internal Server Error', 'x'.repeat(1000)).providerAnswer
  t.equal(long, `HTTP 500 Internal Server Error: ${'x'.repeat(200)}`)
})

t.test('contact details echoed by a provider are taken out', async t => {
  const answer = httpFailure(400, 'Bad Request', 'invalid number +86 138 0013 8000 for lao.zhang@example.cn (13800138000)', ['+8613800138000']).providerAnswer
  t.notMatch(answer, /138|example\.cn/)
  t.match(answer, /^HTTP 400 Bad Request: invalid number <number> for <address>/)
  t.equal(redact('call 13800138000 now', ['13800138000']), 'call <recipient> now')
  t.equal(redact('250 2.0.0 Ok: queued as 4BC1F2A0'), '250 2.0.0 Ok: queued as 4BC1F2A0', 'ordinary answers are untouched')
})

t.test('fetch errors: timeouts, aborts and network errors are retryable', async t => {
  t.same(requestErrorFailure(new DOMException('signal timed out', 'TimeoutError'), 5000), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'timeout after 5000 ms',
  })
  t.same(requestErrorFailure(new DOMException('aborted', 'AbortError'), 5000).retryable, true)
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }) })
  t.same(requestErrorFailure(refused, 5000), { outcome: 'failed', retryable: true, providerAnswer: 'network error: ECONNREFUSED' })
})

t.test('SMTP: 4xx and connection errors retry, 5xx is permanent', async t => {
  const rejected = Object.assign(new Error('Recipient command failed'), {
    code: 'EENVELOPE',
    responseCode: 550,
    response: '550 5.1.1 <lao.zhang@example.cn>: mailbox unavailable',
  })
  t.same(smtpFailure(rejected, 10000, ['lao.zhang@example.cn']), {
    outcome: 'failed',
    retryable: false,
    providerAnswer: 'SMTP 550 5.1.1 <<recipient>>: mailbox unavailable',
  })
  t.equal(smtpFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 try later' }, 10000).retryable, true)
  t.equal(smtpFailure({ code: 'EPROTOCOL', responseCode: 503, response: '503 bad sequence' }, 10000).retryable, true, '503 is a session state')
  t.equal(smtpFailure({ code: 'EAUTH', responseCode: 535, response: '535 auth failed' }, 10000).retryable, false)
  t.same(smtpFailure({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 10000), {
    outcome: 'failed',
    retryable: true,
    providerAnswer: 'SMTP connection error: ECONNREFUSED',
  })
  t.equal(smtpFailure({ code: 'ETIMEDOUT' }, 10000).providerAnswer, 'timeout after 10000 ms')
  const timedOut = Object.assign(new Error('Message sending aborted'), { code: 'EABORT', cause: new DOMException('timed out', 'TimeoutError') })
  t.same(smtpFailure(timedOut, 10000), { outcome: 'failed', retryable: true, providerAnswer: 'timeout after 10000 ms' })
  t.equal(smtpFailure({ code: 'EENVELOPE' }, 10000).retryable, false, 'an invalid envelope cannot succeed later')
  t.equal(smtpFailure(new Error('something odd'), 10000).retryable, true, 'unknown errors are retried')
})
