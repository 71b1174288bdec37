import t from 'tap'
import { nameBasedUuid, type NotifyCommandMessage } from '@anxin/contracts'
import { createProducer, publish } from '@anxin/kafka'
import { waitUntil, type Teardown } from '@anxin/testing'
import { smsGateway, smtpSink, webhookReceiver } from '../../services/dispatch/test/fixtures/providers.ts'
import { pushService } from '../../services/dispatch/test/fixtures/push-service.ts'
import { generateVapidKeys } from '@anxin/dispatch'
import { pipeline, type Pipeline } from './pipeline.ts'

const GATEWAY_TOKEN = 'gateway-token'
const GATEWAY_SECRET = 'gateway-callback-secret-5678'
const WEBHOOK_SECRET = 'wechat-work-bridge-secret-1234'
// Nobody answers here: escalation calls stay queued, which is what the voice test looks for.
const NO_ESCALATION = 'http://127.0.0.1:9'

/** A raised SOS for the pipeline's resident, as the alert service would have stored it, and a staff member to notify. */
async function alarmFor(p: Pipeline, alarmKey: string, kind: { type: string; severity: string; priority: number } = { type: 'sos', severity: 'critical', priority: 412 }): Promise<string> {
  const alarmId = nameBasedUuid(`test-alarm\n${alarmKey}`)
  const resident = p.devices[0]!.residentId!
  await p.db.pool.query(
    `INSERT INTO alarms (id, org_id, resident_id, scope, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
     VALUES ($1, 'org-test', $2, $3, $4, $5, $6, 'open', $1, now(), now(), now())`,
    [alarmId, resident, alarmKey, kind.type, kind.severity, kind.priority],
  )
  return alarmId
}

async function staff(p: Pipeline, id: string, preferences: string[] | null = null): Promise<void> {
  await p.db.pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone, email) VALUES ($1, 'org-test', $2, 'carer', $3, $4) ON CONFLICT DO NOTHING`, [
    id, `护理员${id}`, `138${String(Math.abs(hash(id))).padStart(8, '0').slice(0, 8)}`, `${id}@anxin.test`,
  ])
  if (preferences) await p.db.pool.query(`INSERT INTO notification_preferences (person_kind, person_id, channels) VALUES ('staff', $1, $2)`, [id, preferences])
}

const alarmKeySuffix = (): string => Math.random().toString(36).slice(2, 10)
const hash = (s: string): number => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)

function command(alarmId: string, staffId: string, channels: string[], alarm = { type: 'sos', priority: 412 }): NotifyCommandMessage {
  return {
    commandId: `${alarmId}:escalate:0:staff:${staffId}`, schemaVersion: 1, alarmId, orgId: 'org-test', residentId: 'x', alarmType: alarm.type, priority: alarm.priority,
    level: 0, reason: 'escalation', recipient: { kind: 'staff', id: staffId, role: 'carer', name: `护理员${staffId}`, phone: `138${String(Math.abs(hash(staffId))).padStart(8, '0').slice(0, 8)}`, email: `${staffId}@anxin.test` },
    channels, at: new Date().toISOString(),
  }
}

async function send(p: Pipeline, t: Teardown, commands: NotifyCommandMessage[]): Promise<void> {
  const producer = await createProducer(p.topics.kafka)
  t.teardown(() => producer.disconnect())
  await publish(producer, p.topics.names.dispatchCommand, commands.map(c => ({ key: c.alarmId, value: c })))
}

const eventsOf = async (p: Pipeline, alarmId: string) =>
  (
    await p.db.pool.query<{ channel: string; event: string; provider_answer: string | null }>(
      `SELECT d.channel, e.event, e.provider_answer FROM delivery_events e JOIN deliveries d ON d.id = e.delivery_id
       JOIN notification_requests r ON r.command_id = d.command_id WHERE r.alarm_id = $1 ORDER BY e.seq`,
      [alarmId],
    )
  ).rows

t.test('a failing provider is retried with backoff while the next channel goes out at once; nothing is lost or sent twice', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  const gateway = await smsGateway(t, GATEWAY_TOKEN)
  gateway.behaviour = { status: 503 }
  // Not critical, so one channel at a time (a critical alarm goes out on all her channels at once).
  const alarmId = await alarmFor(p, 'failing-provider', { type: 'heart_rate_high', severity: 'high', priority: 312 })
  // Her own order: SMS first, then e-mail (without it, a voice call would come before e-mail).
  await staff(p, 'st-a', ['sms', 'email'])
  await p.startDispatch({
    escalationUrl: NO_ESCALATION,
    env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_TOKEN: GATEWAY_TOKEN, SMS_GATEWAY_CALLBACK_SECRET: GATEWAY_SECRET, RETRY_BASE_DELAY_MS: '100', RETRY_MAX_ATTEMPTS: '8' },
  })
  const sms = command(alarmId, 'st-a', ['sms'], { type: 'heart_rate_high', priority: 312 })
  await send(p, t, [sms, sms])

  t.ok(await waitUntil(async () => smtp.inbox.length >= 1, 10000), 'the SMS gateway fails: e-mail goes out at once as the fallback')
  t.ok(await waitUntil(async () => gateway.refused >= 2, 10000), 'and the SMS is retried')
  gateway.behaviour = 'ok'
  t.ok(await waitUntil(async () => gateway.messages.length >= 1, 10000), 'the gateway comes back: the SMS gets through')
  await new Promise(resolve => setTimeout(resolve, 1500))
  t.equal(smtp.inbox.length, 1, 'one e-mail, although the command came twice')
  t.equal(gateway.messages.filter(m => m.type === 'sms').length, 1, 'one SMS, although it was tried several times')
  const events = await eventsOf(p, alarmId)
  const smsEvents = events.filter(e => e.channel === 'sms')
  t.ok(smsEvents.some(e => e.event === 'failed_retryable' && /HTTP 503/.test(e.provider_answer ?? '')), 'each failed attempt is recorded with the provider answer')
  t.equal(smsEvents.at(-1)!.event, 'sent', 'and the attempt that worked')
  t.ok(events.some(e => e.channel === 'email' && /^fallback_after_failed_retryable:sms/.test(e.event)), `the e-mail is recorded as the fallback for the failed SMS: ${JSON.stringify(events.filter(e => e.channel === 'email'))}`)
  const requests = await p.db.pool.query('SELECT count(*)::int AS n FROM notification_requests WHERE alarm_id = $1', [alarmId])
  t.equal(requests.rows[0].n, 1, 'the redelivered command was recognised')
})

t.test('a provider that hangs fills only its own lane: other channels keep going', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  const webhook = await webhookReceiver(t, WEBHOOK_SECRET)
  webhook.behaviour = 'hang'
  await p.db.pool.query(`INSERT INTO dispatch_settings (org_id, webhook_url, webhook_secret) VALUES ('org-test', $1, $2)`, [webhook.url, WEBHOOK_SECRET])
  await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url, PROVIDER_TIMEOUT_MS: '3000', CHANNEL_CONCURRENCY: '2' } })
  const commands: NotifyCommandMessage[] = []
  for (let i = 0; i < 6; i++) {
    const alarmId = await alarmFor(p, `hang-${i}`)
    await staff(p, `st-h${i}`, ['webhook', 'email'])
    commands.push(command(alarmId, `st-h${i}`, ['webhook', 'email']))
  }
  const started = Date.now()
  await send(p, t, commands)
  t.ok(await waitUntil(async () => smtp.inbox.length >= 6, 10000), 'every e-mail arrives')
  t.ok(Date.now() - started < 2500, `while the webhook hangs, e-mail is not held up (${Date.now() - started} ms for 6, webhook timeout 3000 ms)`)
  t.ok(await waitUntil(async () => (await eventsOf(p, commands[0]!.alarmId)).some(e => e.channel === 'webhook' && e.event === 'failed_retryable'), 10000), 'the hung call times out and is recorded')
  const answer = (await eventsOf(p, commands[0]!.alarmId)).find(e => e.channel === 'webhook' && e.event === 'failed_retryable')!.provider_answer
  t.match(answer, /timeout|abort/i, `recorded as a timeout: ${answer}`)
})

t.test('a message sent but not confirmed in time goes out on the next channel; receipts must be signed', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  const gateway = await smsGateway(t, GATEWAY_TOKEN)
  const alarmId = await alarmFor(p, 'unconfirmed')
  await staff(p, 'st-u')
  const dispatch = await p.startDispatch({
    escalationUrl: NO_ESCALATION,
    env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_TOKEN: GATEWAY_TOKEN, SMS_GATEWAY_CALLBACK_SECRET: GATEWAY_SECRET, CONFIRM_SECONDS_CRITICAL: '1' },
  })
  await send(p, t, [command(alarmId, 'st-u', ['sms'])])
  t.ok(await waitUntil(async () => gateway.messages.length === 1, 10000), 'the SMS is taken by the gateway')
  t.equal(smtp.inbox.length, 0, 'no e-mail yet')
  t.ok(await waitUntil(async () => smtp.inbox.length === 1, 10000), 'no delivery receipt within 1 s: the e-mail follows')
  const callbackUrl = `${dispatch.url}/providers/gateway/callback`
  const reference = gateway.messages[0]!.reference
  t.equal(await gateway.callback(callbackUrl, 'not-the-secret-at-all', { reference, status: 'delivered' }), 401, 'a forged receipt is refused')
  t.equal(await gateway.callback(callbackUrl, GATEWAY_SECRET, { reference: nameBasedUuid('nothing'), status: 'delivered' }), 404, 'a receipt for nothing we sent is refused')
  t.equal(await gateway.callback(callbackUrl, GATEWAY_SECRET, { reference, status: 'delivered' }), 200, 'a signed receipt is taken')
  const request = await p.db.pool.query('SELECT confirmed_by FROM notification_requests WHERE alarm_id = $1', [alarmId])
  t.equal(request.rows[0].confirmed_by, 'provider:sms', 'the receipt confirms the notification')
})

t.test('a phone call answered with 1 acknowledges the alarm for the person called', async t => {
  const p = await pipeline(t, { devices: 1 })
  const gateway = await smsGateway(t, GATEWAY_TOKEN)
  const alarmId = await alarmFor(p, 'voice')
  await staff(p, 'st-v', ['phone'])
  const dispatch = await p.startDispatch({
    escalationUrl: NO_ESCALATION,
    env: { SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_TOKEN: GATEWAY_TOKEN, SMS_GATEWAY_CALLBACK_SECRET: GATEWAY_SECRET },
  })
  await send(p, t, [command(alarmId, 'st-v', ['phone'])])
  t.ok(await waitUntil(async () => gateway.messages.some(m => m.type === 'voice'), 10000), 'the gateway places a call')
  const status = await gateway.callback(`${dispatch.url}/providers/gateway/callback`, GATEWAY_SECRET, { reference: gateway.messages[0]!.reference, status: 'answered', digits: '1' })
  t.equal(status, 200)
  const calls = await p.db.pool.query<{ action: { kind: string; actor: { id: string }; channel: string } }>('SELECT action FROM escalation_calls WHERE alarm_id = $1', [alarmId])
  t.same(calls.rows.map(r => [r.action.kind, r.action.actor.id, r.action.channel]), [['acknowledge', 'st-v', 'phone']], 'an acknowledgement for escalation, kept until escalation answers')
})

t.test('action links: forged and expired links are refused, and a link works once', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  const alarmId = await alarmFor(p, 'links')
  await staff(p, 'st-l')
  let skew = 0
  const dispatch = await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url }, now: () => new Date(Date.now() + skew) })
  await send(p, t, [command(alarmId, 'st-l', ['email'])])
  t.ok(await waitUntil(async () => smtp.inbox.length === 1, 10000))
  const path = new URL(/https?:\/\/\S+\/r\/\S+/.exec(smtp.inbox[0]!.text!)![0]).pathname
  const get = (url: string) => dispatch.service.http.inject({ url })
  const post = (url: string) => dispatch.service.http.inject({ method: 'POST', url })

  const signature = path.slice(path.lastIndexOf('.') + 1)
  const forged = `${path.slice(0, path.lastIndexOf('.') + 1)}${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
  t.equal((await get(forged)).statusCode, 400, 'a forged signature is refused')
  t.equal((await post(forged)).statusCode, 400, 'and cannot be used')
  const claims = JSON.parse(Buffer.from(path.split('.')[1]!, 'base64url').toString())
  const otherAlarm = Buffer.from(JSON.stringify({ ...claims, a: nameBasedUuid('another alarm') })).toString('base64url')
  t.equal((await get(`/r/l1.${otherAlarm}.${signature}`)).statusCode, 400, 'claims changed under the signature are refused')

  skew = 13 * 3600 * 1000
  const expired = await get(path)
  t.equal(expired.statusCode, 410, 'an expired link is refused')
  t.match(expired.body, /过期/, 'and says so')
  t.equal((await post(path)).statusCode, 410)
  skew = 0

  t.equal((await get(path)).statusCode, 200, 'a valid link opens')
  const used = await post(path)
  t.equal(used.statusCode, 303, 'and is used once')
  t.match(String(used.headers['set-cookie']), /HttpOnly; SameSite=Lax/, 'for a session cookie scripts cannot read')
  const again = await post(path)
  t.equal(again.statusCode, 410, 'a second use is refused')
  t.match(again.body, /已使用/)
  t.equal((await get(`/responder/alarms/${alarmId}`)).statusCode, 401, 'the page needs the session')
  const page = await dispatch.service.http.inject({ url: `/responder/alarms/${alarmId}`, headers: { cookie: String(used.headers['set-cookie']).split(';')[0]! } })
  t.equal(page.statusCode, 200, 'with it, the page opens')
  t.equal(page.headers['x-frame-options'], 'DENY', 'security headers are set')
  t.match(String(page.headers['content-security-policy']), /script-src 'self'/)
  const noCsrf = await dispatch.service.http.inject({
    method: 'POST', url: `/responder/alarms/${alarmId}/actions`, headers: { cookie: String(used.headers['set-cookie']).split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'action=acknowledge&csrf=forged',
  })
  t.equal(noCsrf.statusCode, 403, 'an action without the page\'s CSRF token is refused')
})

t.test('a person no channel can reach is on the alarm timeline, not silently skipped', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  const alarmId = await alarmFor(p, 'unreachable')
  await p.db.pool.query(`INSERT INTO staff (id, org_id, full_name, role) VALUES ('st-nobody', 'org-test', '无联系方式', 'carer')`)
  const dispatch = await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url } })
  const unreachable = { ...command(alarmId, 'st-nobody', ['email', 'sms']), recipient: { kind: 'staff' as const, id: 'st-nobody', role: 'carer', name: '无联系方式', phone: null, email: null } }
  await send(p, t, [unreachable])
  const timeline = async () => (await dispatch.service.http.inject({ url: `/alarms/${alarmId}/timeline` })).json().timeline as Array<{ action: string; detail: { recipient?: { id: string } } }>
  t.ok(await waitUntil(async () => (await timeline()).some(e => e.action === 'notification_unreachable'), 10000), 'the timeline says who could not be reached')
  t.equal((await timeline()).find(e => e.action === 'notification_unreachable')!.detail.recipient!.id, 'st-nobody')
})

t.test('quiet hours hold a non-critical message until they end, never a critical one; preferences and settings are validated', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  await staff(p, 'st-q')
  const dispatch = await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url } })
  const put = (url: string, payload: unknown) => dispatch.service.http.inject({ method: 'PUT', url, payload: payload as Record<string, unknown> })
  // Quiet from an hour ago to an hour from now, on Shanghai's clock.
  const shanghai = (offsetHours: number) => new Date(Date.now() + (offsetHours + 8) * 3600_000).toISOString().slice(11, 16)
  const quiet = { start: shanghai(-1), end: shanghai(1), timezone: 'Asia/Shanghai' }
  t.equal((await put('/people/staff/st-q/preferences', { channels: ['email'], quietHours: quiet })).statusCode, 204)
  const bad = await put('/people/staff/st-q/preferences', { channels: ['pigeon'], quietHours: { start: '25:00', end: '07:00', timezone: 'Mars/Olympus' } })
  t.equal(bad.statusCode, 400, 'bad preferences get a 4xx')
  t.match(bad.json().message, /channels.*quietHours\.start.*quietHours\.timezone/s, `and every problem is named: ${bad.json().message}`)
  t.same((await dispatch.service.http.inject({ url: '/people/staff/st-q/preferences' })).json().quietHours, quiet, 'preferences read back')

  const vital = await alarmFor(p, 'quiet-vital', { type: 'heart_rate_high', severity: 'high', priority: 312 })
  const sos = await alarmFor(p, 'quiet-sos')
  await send(p, t, [command(vital, 'st-q', ['email'], { type: 'heart_rate_high', priority: 312 }), command(sos, 'st-q', ['email'])])
  t.ok(await waitUntil(async () => smtp.inbox.length >= 1, 10000), 'the SOS goes out at once')
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.equal(smtp.inbox.length, 1, 'the high heart rate waits for the end of her quiet hours')
  t.match(smtp.inbox[0]!.subject, /SOS/)
  const held = await p.db.pool.query<{ status: string; due: Date }>(
    `SELECT d.status, d.next_attempt_at AS due FROM deliveries d JOIN notification_requests r USING (command_id) WHERE r.alarm_id = $1`,
    [vital],
  )
  t.equal(held.rows[0]!.status, 'queued', 'held, not dropped')
  t.ok(Math.abs(held.rows[0]!.due.getTime() - (Date.now() + 3600_000)) < 120_000, `until the quiet hours end (${held.rows[0]!.due.toISOString()})`)
  const events = await eventsOf(p, vital)
  t.same(events.map(e => e.event), ['deferred_quiet_hours'], 'and the timeline says why')

  t.equal((await put('/orgs/org-test/dispatch-settings', { arrivalDeadlineSeconds: 1500, offerTimeoutSeconds: 90, autoTaskAlarmTypes: ['sos', 'fall'], familyUpdateAlarmTypes: ['sos'], linkTtlSeconds: 3600, webhook: { url: 'https://bridge.example/hook', secret: 'a-long-enough-secret' } })).statusCode, 204)
  const read = (await dispatch.service.http.inject({ url: '/orgs/org-test/dispatch-settings' })).json()
  t.equal(read.arrivalDeadlineSeconds, 1500)
  t.same(read.webhook, { url: 'https://bridge.example/hook', secretSet: true }, 'the webhook secret is never sent back')
  t.equal((await put('/orgs/org-test/dispatch-settings', { ...read, webhook: null, arrivalDeadlineSeconds: 5 })).statusCode, 400, 'an arrival deadline of 5 s is refused')
  t.equal((await put('/orgs/no-such-org/dispatch-settings', { ...read, webhook: null })).statusCode, 404)
  // A deployment that does not allow local endpoints (the default) refuses a webhook into its own network.
  const strict = await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { ALLOW_LOCAL_ENDPOINTS: 'false', DISPATCH_GROUP_ID: `strict-${alarmKeySuffix()}` } })
  const inward = await strict.service.http.inject({ method: 'PUT', url: '/orgs/org-test/dispatch-settings', payload: { ...read, webhook: { url: 'https://10.0.0.5/admin', secret: 'a-long-enough-secret' } } })
  t.equal(inward.statusCode, 400, 'a webhook into the internal network is refused')
  t.match(inward.json().message, /internal address/)
})

t.test('a step for the console alone sends nothing: only steps that ask to reach a person fall back to other channels', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  await staff(p, 'st-c')
  await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url } })
  const battery = await alarmFor(p, 'console-only', { type: 'low_battery', severity: 'low', priority: 100 })
  const vital = await alarmFor(p, 'reach-someone', { type: 'heart_rate_high', severity: 'high', priority: 312 })
  // The second asks for SMS, which this deployment does not have: e-mail stands in.
  await send(p, t, [command(battery, 'st-c', ['console'], { type: 'low_battery', priority: 100 }), command(vital, 'st-c', ['console', 'sms'], { type: 'heart_rate_high', priority: 312 })])
  t.ok(await waitUntil(async () => smtp.inbox.length === 1, 10000), 'the step that asked to reach her does, by e-mail')
  await new Promise(resolve => setTimeout(resolve, 1000))
  t.equal(smtp.inbox.length, 1, 'the console-only step sent nothing')
  const requests = await p.db.pool.query('SELECT alarm_id FROM notification_requests')
  t.same(requests.rows.map(r => r.alarm_id), [vital])
})

t.test('a responder subscribes her phone from the page; the next alarm reaches it by web push, signed and encrypted', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  const vapid = generateVapidKeys()
  const push = await pushService(t, { '/push/phone-1': 201 }, { publicKey: vapid.publicKey, subject: 'mailto:ops@anxin.local' })
  await staff(p, 'st-p')
  const dispatch = await p.startDispatch({ escalationUrl: NO_ESCALATION, env: { SMTP_URL: smtp.url, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey } })
  const first = await alarmFor(p, 'push-first')
  await send(p, t, [command(first, 'st-p', ['responder_app', 'email'])])
  t.ok(await waitUntil(async () => smtp.inbox.length === 1, 10000), 'no subscription yet: e-mail')
  const path = new URL(/https?:\/\/\S+\/r\/\S+/.exec(smtp.inbox[0]!.text!)![0]).pathname
  const used = await dispatch.service.http.inject({ method: 'POST', url: path })
  const cookie = String(used.headers['set-cookie']).split(';')[0]!
  const page = await dispatch.service.http.inject({ url: `/responder/alarms/${first}`, headers: { cookie } })
  t.match(page.body, /id="push"/, 'the page offers push notifications (VAPID is configured)')
  const csrf = /data-csrf="([^"]+)"/.exec(page.body)![1]!
  const subscribeUrl = /data-url="([^"]+)"/.exec(page.body)![1]!
  const phone = push.subscribe('/push/phone-1')
  const refused = await dispatch.service.http.inject({ method: 'POST', url: subscribeUrl, headers: { cookie }, payload: phone.subscription })
  t.equal(refused.statusCode, 403, 'subscribing needs the page\'s CSRF token')
  const subscribed = await dispatch.service.http.inject({ method: 'POST', url: subscribeUrl, headers: { cookie, 'x-csrf-token': csrf }, payload: phone.subscription })
  t.equal(subscribed.statusCode, 201, 'the browser\'s subscription is stored')

  const second = await alarmFor(p, 'push-second')
  await send(p, t, [command(second, 'st-p', ['responder_app', 'email'])])
  t.ok(await waitUntil(async () => push.received.length === 1, 10000), 'the next alarm is pushed to her phone')
  const [pushed] = push.received
  t.equal(pushed!.headers.urgency, 'high', 'an SOS is pushed with high urgency')
  t.match(pushed!.payload.title, /紧急/)
  t.match(String(pushed!.payload.url), /\/r\/l1\./, 'a tap opens the signed link')
  const events = await eventsOf(p, second)
  t.ok(events.some(e => e.channel === 'responder_app' && e.event === 'sent'), 'recorded as sent by the push service')
})

t.test('a responder\'s action waits while escalation is down and goes through once when it answers', async t => {
  const p = await pipeline(t, { devices: 1 })
  const smtp = await smtpSink(t)
  // Stands in for escalation's lifecycle API: down (503) first, then answering.
  const received: Array<{ path: string; body: { kind: string; requestId: string } }> = []
  let up = false
  const { createServer } = await import('node:http')
  const server = createServer((request, response) => {
    let raw = ''
    request.on('data', chunk => (raw += chunk))
    request.on('end', () => {
      if (!up) return void response.writeHead(503).end()
      received.push({ path: request.url!, body: JSON.parse(raw) })
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ lifecycle: { state: 'acknowledged' } }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => (server.closeAllConnections(), server.close(() => resolve()))))
  const escalationUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const alarmId = await alarmFor(p, 'escalation-down')
  await staff(p, 'st-d')
  const dispatch = await p.startDispatch({ escalationUrl, env: { SMTP_URL: smtp.url } })
  await send(p, t, [command(alarmId, 'st-d', ['email'])])
  t.ok(await waitUntil(async () => smtp.inbox.length === 1, 10000))
  const path = new URL(/https?:\/\/\S+\/r\/\S+/.exec(smtp.inbox[0]!.text!)![0]).pathname
  const cookie = String((await dispatch.service.http.inject({ method: 'POST', url: path })).headers['set-cookie']).split(';')[0]!
  const page = await dispatch.service.http.inject({ url: `/responder/alarms/${alarmId}`, headers: { cookie } })
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!
  const acted = await dispatch.service.http.inject({
    method: 'POST', url: `/responder/alarms/${alarmId}/actions`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `action=acknowledge&csrf=${encodeURIComponent(csrf)}`,
  })
  t.match(String(acted.headers.location), /done=pending/, 'escalation is down: the carer is told her acknowledgement is recorded and on its way')
  up = true
  t.ok(await waitUntil(async () => received.length >= 1, 15000), 'escalation comes back: the acknowledgement reaches it')
  await new Promise(resolve => setTimeout(resolve, 2500))
  t.equal(received.length, 1, 'once')
  t.equal(received[0]!.path, `/alarms/${alarmId}/actions`)
  t.equal(received[0]!.body.kind, 'acknowledge')
  t.ok(received[0]!.body.requestId, 'with the request id that makes a repeat harmless')
  const call = await p.db.pool.query('SELECT done_at, attempts FROM escalation_calls WHERE alarm_id = $1', [alarmId])
  t.ok(call.rows[0].done_at, 'the call is settled')
  t.ok(call.rows[0].attempts >= 2, `after ${call.rows[0].attempts} attempts`)
})
