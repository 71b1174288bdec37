import t from 'tap'
import { waitUntil } from '@anxin/testing'
import { smsGateway, smtpSink, webhookReceiver } from '../../services/dispatch/test/fixtures/providers.ts'
import { pipeline } from './pipeline.ts'

const WEBHOOK_SECRET = 'wechat-work-bridge-secret-1234'
const GATEWAY_TOKEN = 'gateway-token'
const GATEWAY_SECRET = 'gateway-callback-secret-5678'

/** A tiny browser: keeps cookies per path-less origin, follows nothing, so each step is visible. */
function browser(base: string) {
  const jar = new Map<string, string>()
  const request = async (path: string, init: { method?: string; form?: Record<string, string> } = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, value] = pair!.split('=')
      jar.set(name!, value!)
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text() }
  }
  return { request, jar }
}

const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)![1]!

t.test('an SOS reaches real mail and webhook receivers; the carer acknowledges from the link, takes the visit, arrives and reports; the timeline has every step', async t => {
  const p = await pipeline(t, { devices: 1 })
  const resident = p.devices[0]!.residentId!
  const pool = p.db.pool
  const smtp = await smtpSink(t)
  const webhook = await webhookReceiver(t, WEBHOOK_SECRET)
  const gateway = await smsGateway(t, GATEWAY_TOKEN)

  await pool.query(`UPDATE residents SET full_name = '王桂英', address = '静安区康定路 1001 弄 3 号 502 室', lat = 31.2290, lon = 121.4450 WHERE id = $1`, [resident])
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone, email) VALUES
    ('st-op', 'org-test', '值班员甲', 'operator', '13800000001', 'op@anxin.test'),
    ('st-carer', 'org-test', '护理员乙', 'carer', '13800000002', 'carer@anxin.test'),
    ('st-far', 'org-test', '护理员远', 'carer', '13800000005', 'far@anxin.test'),
    ('st-doc', 'org-test', '医生丙', 'doctor', '13800000003', 'doc@anxin.test'),
    ('st-sup', 'org-test', '主管丁', 'supervisor', '13800000004', 'sup@anxin.test')`)
  await pool.query(`UPDATE residents SET assigned_carer_id = 'st-carer', family_doctor_id = 'st-doc' WHERE id = $1`, [resident])
  await pool.query(`INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ($1, 1, '李娜', '女儿', '13900000001')`, [resident])
  await pool.query(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ('rot-op', 'org-test', 'operator', '{st-op}', '2026-01-01', 24)`)
  // The carer is 300 m away, the other carer 5 km: the visit goes to the nearer one.
  await pool.query(`INSERT INTO responder_profiles (staff_id, skills, lat, lon, position_at) VALUES
    ('st-carer', '{first_aid}', 31.2315, 121.4460, now()), ('st-far', '{first_aid}', 31.2700, 121.4800, now())`)
  await pool.query(`INSERT INTO notification_preferences (person_kind, person_id, channels) VALUES ('staff', 'st-carer', '{email,webhook}')`)
  // The organisation gives responders 20 minutes to arrive (the policy's own arrival time is 30).
  await pool.query(`INSERT INTO dispatch_settings (org_id, webhook_url, webhook_secret, arrival_deadline_seconds) VALUES ('org-test', $1, $2, 1200)`, [webhook.url, WEBHOOK_SECRET])
  await pool.query(
    `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
     VALUES ('sos', 'org-test', 'SOS', '{"alarmTypes": ["sos"]}', $1, 900, 1800, 600)`,
    [JSON.stringify([{ targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 600, channels: ['console', 'responder_app', 'email'] }])],
  )

  await p.startIngestion()
  await p.startAlert()
  const escalation = await p.startEscalationHttp()
  const dispatch = await p.startDispatch({
    escalationUrl: escalation.url,
    env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_TOKEN: GATEWAY_TOKEN, SMS_GATEWAY_CALLBACK_SECRET: GATEWAY_SECRET },
  })
  const [device] = await Promise.all(p.devices.map(d => p.device(d)))
  await device!.pressSos()

  const mailTo = (address: string) => smtp.inbox.filter(m => (Array.isArray(m.to) ? m.to : [m.to]).some(to => to?.text.includes(address)))
  t.ok(await waitUntil(async () => mailTo('carer@anxin.test').length >= 2, 15000), 'the carer gets the alarm and the visit offer by e-mail')
  t.ok(await waitUntil(async () => mailTo('op@anxin.test').length >= 1, 5000), 'the operator on duty gets the alarm by e-mail')
  t.ok(await waitUntil(async () => webhook.calls.length >= 1, 5000), 'the organisation webhook is called too (the carer prefers it)')
  t.ok(webhook.calls.every(c => c.signatureOk), 'every webhook call carries a valid signature')
  const alarmMail = mailTo('carer@anxin.test').find(m => m.subject?.includes('SOS') && !m.text?.includes('上门'))!
  t.ok(alarmMail, 'an alarm e-mail (not only the offer)')
  t.match(alarmMail.subject, /紧急/, 'marked urgent')
  t.match(alarmMail.text, /王桂英/, 'names the resident')
  t.match(alarmMail.text, /康定路/, 'gives the address')
  const alarmId = (webhook.calls[0]!.body.data as { alarmId: string }).alarmId
  const link = /https?:\/\/\S+\/r\/\S+/.exec(alarmMail.text!)![0]
  const path = new URL(link).pathname

  // The carer opens the link: a button first (a mail scanner following links cannot use it up), then the page.
  const phone = browser(dispatch.url)
  const opened = await phone.request(path)
  t.equal(opened.status, 200, opened.html.slice(0, 500))
  t.notMatch(opened.html, /王桂英/, 'nothing personal before the link is used')
  const used = await phone.request(path, { method: 'POST' })
  t.equal(used.status, 303, 'the link is exchanged for a session')
  const pageUrl = used.location!
  let page = await phone.request(pageUrl)
  t.equal(page.status, 200)
  t.match(page.html, /王桂英/, 'the page shows the resident')
  t.match(page.html, /康定路/, 'and the address')
  t.match(page.html, /值班员甲/, 'and who else was called')
  t.match(page.html, /确认接警/, 'and offers to acknowledge (in Chinese by default)')
  t.equal((await browser(dispatch.url).request(path, { method: 'POST' })).status, 410, 'the link is single-use: another phone cannot use it again')

  // The operator on duty cannot take it (another call): declining notes why and moves the ladder on at once.
  const operatorMail = mailTo('op@anxin.test')[0]!
  const operator = browser(dispatch.url)
  const operatorPath = new URL(/https?:\/\/\S+\/r\/\S+/.exec(operatorMail.text!)![0]).pathname
  const operatorPage = (await operator.request((await operator.request(operatorPath, { method: 'POST' })).location!)).html
  const declined = await operator.request(`/responder/alarms/${alarmId}/actions`, { method: 'POST', form: { csrf: csrfOf(operatorPage), action: 'decline', notes: '正在处理另一个报警' } })
  t.notMatch(declined.location ?? '', /error=/, 'the operator declines')
  const afterDecline = (await escalation.service.http.inject({ url: `/alarms/${alarmId}` })).json()
  const declineNote = afterDecline.audit.find((a: { action: string; detail: { text?: string } }) => a.action === 'note' && /declined/.test(a.detail.text ?? ''))
  t.ok(declineNote, 'escalation notes the decline and the reason')
  t.ok(afterDecline.audit.some((a: { action: string; actorId: string }) => a.action === 'escalate' && a.actorId === 'st-op'), 'and escalates at once instead of waiting for the step timer')

  const act = async (form: Record<string, string>) => {
    const result = await phone.request(`/responder/alarms/${alarmId}/actions`, { method: 'POST', form: { csrf: csrfOf(page.html), ...form } })
    t.equal(result.status, 303, `${form.action} accepted`)
    t.notMatch(result.location ?? '', /error=/, `${form.action}: ${result.location}`)
    page = await phone.request(pageUrl)
    return result
  }
  const lifecycle = async () => (await escalation.service.http.inject({ url: `/alarms/${alarmId}` })).json()

  await act({ action: 'acknowledge' })
  t.equal((await lifecycle()).lifecycle.state, 'acknowledged', 'the acknowledgement reached escalation')
  t.equal((await lifecycle()).lifecycle.acknowledgedBy.id, 'st-carer')

  const taskId = /name="taskId" value="([^"]+)"/.exec(page.html)?.[1]
  t.ok(taskId, 'the visit task was offered to the nearest carer')
  const task = (await dispatch.service.http.inject({ url: `/tasks/${taskId}` })).json().task
  t.equal(task.responderId, 'st-carer', 'nearest suitable responder')
  await act({ action: 'accept_task', taskId: taskId! })
  t.equal((await lifecycle()).lifecycle.state, 'dispatched', 'accepting the visit dispatches the carer')
  const arrival = await pool.query(`SELECT extract(epoch FROM due_at - now())::int AS s FROM escalation_timers WHERE alarm_id = $1 AND kind = 'arrival'`, [alarmId])
  t.ok(Math.abs(arrival.rows[0].s - 1200) < 30, `the arrival deadline escalation watches is the organisation's (${arrival.rows[0].s} s)`)
  await act({ action: 'depart', taskId: taskId! })
  await act({ action: 'arrive', taskId: taskId! })
  t.equal((await lifecycle()).lifecycle.state, 'on_scene')
  await act({ action: 'complete', taskId: taskId!, outcome: 'visited_fine', notes: '老人起身时头晕，已扶到床上，血压正常' })
  const done = await lifecycle()
  t.equal(done.lifecycle.state, 'resolved', 'the outcome closes the loop')
  t.equal(done.lifecycle.outcome, 'visited_fine')

  const timeline = (await dispatch.service.http.inject({ url: `/alarms/${alarmId}/timeline` })).json().timeline as Array<{ action: string; channel: string | null }>
  const actions = timeline.map(e => e.action)
  for (const step of ['raise', 'notify', 'notification_queued', 'notification_sent', 'notification_delivered', 'link_opened', 'view_alarm', 'acknowledge',
    'task_created', 'task_offer', 'task_accept', 'dispatch', 'task_depart', 'task_arrive', 'arrive', 'task_complete', 'resolve']) {
    t.ok(actions.includes(step), `the timeline shows ${step}`)
  }
  t.ok(actions.indexOf('acknowledge') < actions.indexOf('dispatch') && actions.indexOf('dispatch') < actions.lastIndexOf('resolve'), 'in order')

  // An action delivered twice under one request id (a retry after a lost answer) is applied once.
  const note = { kind: 'note', actor: { kind: 'staff', id: 'st-op' }, channel: 'console', text: '已电话联系家属', requestId: 'console:call-1' }
  const first = await escalation.service.http.inject({ method: 'POST', url: `/alarms/${alarmId}/actions`, payload: note })
  const second = await escalation.service.http.inject({ method: 'POST', url: `/alarms/${alarmId}/actions`, payload: note })
  t.equal(first.statusCode, 200)
  t.equal(second.json().duplicate, true, 'the repeat is recognised')
  const notes = (await lifecycle()).audit.filter((a: { action: string; detail: { text?: string } }) => a.action === 'note' && a.detail.text === '已电话联系家属')
  t.equal(notes.length, 1, 'and not applied twice')

  // The family is told what happened and what is being done, in plain words and without medical detail.
  t.ok(await waitUntil(async () => gateway.messages.filter(m => m.to === '13900000001').length >= 4, 10000), 'the daughter hears: raised, dispatched, arrived, resolved')
  const family = gateway.messages.filter(m => m.to === '13900000001').map(m => m.text)
  t.ok(family.every(text => !/血压|头晕|visited_fine|护理员乙/.test(text)), 'no medical detail, no staff names')
  t.match(family.join('\n'), /紧急呼叫/)

  // Nothing went out twice: one message per delivery id.
  const ids = smtp.inbox.map(m => m.messageId)
  t.equal(new Set(ids).size, ids.length, 'no e-mail twice')
  t.equal(new Set(webhook.calls.map(c => c.deliveryId)).size, webhook.calls.length, 'no webhook call twice')
  const waitingQuery = () => pool.query(
    `SELECT r.purpose, r.recipient_id, d.channel, d.status FROM deliveries d JOIN notification_requests r USING (command_id)
     WHERE r.alarm_id = $1 AND d.status IN ('queued', 'retrying', 'sending')`,
    [alarmId],
  )
  await waitUntil(async () => (await waitingQuery()).rows.length === 0, 5000)
  t.same((await waitingQuery()).rows, [], 'nothing left waiting to be sent')
})
