import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { appendAudit } from '@anxin/audit'
import { withTransaction } from '@anxin/db'
import { csrfToken, signSession, verifyCsrf, verifyLink, verifySession, type SessionClaims } from '../domain/action-token.ts'
import { TASK_OUTCOMES } from '../domain/visit-task.ts'
import { findLink, redeemLink } from '../adapters/action-links.ts'
import { loadAlarmOverview } from '../adapters/alarm-overview.ts'
import { checkEndpoint } from '../adapters/endpoint-check.ts'
import { confirmRequest } from '../adapters/delivery-store.ts'
import { queueEscalationCall, type CallResult, type EscalationAction } from '../adapters/escalation-calls.ts'
import { actOnTask, type TaskActionDeps } from './task-actions.ts'
import { flashText, pickLocale, text, type PageLocale } from './page-text.ts'
import { alarmPage, interstitial, messagePage, PUSH_SCRIPT, SERVICE_WORKER } from './responder-view.ts'

export type ResponderDeps = TaskActionDeps & { vapidPublicKey: string | null }

const cookieName = (alarmId: string): string => `anxin_rs_${alarmId.replace(/-/g, '').slice(0, 16)}`

const actionForm = z.object({
  csrf: z.string().min(1),
  action: z.enum(['acknowledge', 'decline', 'accept_task', 'decline_task', 'depart', 'arrive', 'complete']),
  taskId: z.uuid().optional(),
  outcome: z.preprocess(v => (v === '' ? undefined : v), z.enum(TASK_OUTCOMES).optional()),
  notes: z.string().max(2000).optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  lon: z.coerce.number().min(-180).max(180).optional(),
})

const pushSubscription = z.object({ endpoint: z.url().max(2000), keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }) })

/**
 * The page a notification's link opens. The signed link is exchanged once (POST, so a mail scanner following
 * the link cannot use it up) for a session cookie bound to that alarm and person; the page shows the alarm's
 * essentials and lets them acknowledge, decline, or carry a visit task through to its outcome. Everything they
 * do goes to escalation through the escalation_calls outbox and is audited there.
 */
export function registerResponderRoutes(app: FastifyInstance, deps: ResponderDeps): void {
  const { context } = deps
  const secrets = context.linkSecrets
  const secure = context.publicBaseUrl.startsWith('https:')
  const localeOf = (request: FastifyRequest): PageLocale => pickLocale((request.query as { lang?: string }).lang, request.headers['accept-language'])
  const html = (reply: FastifyReply, status: number, body: string): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body)

  const sessionOf = (request: FastifyRequest, alarmId: string): SessionClaims | null => {
    if (!z.uuid().safeParse(alarmId).success) return null
    const raw = request.headers.cookie?.split(';').map(c => c.trim()).find(c => c.startsWith(`${cookieName(alarmId)}=`))
    if (!raw) return null
    const verified = verifySession(decodeURIComponent(raw.slice(raw.indexOf('=') + 1)), secrets, context.now().toISOString())
    return verified.ok && verified.claims.alarmId === alarmId ? verified.claims : null
  }

  app.get('/responder/sw.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('service-worker-allowed', '/responder/').send(SERVICE_WORKER))
  app.get('/responder/push.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(PUSH_SCRIPT))

  app.get<{ Params: { token: string } }>('/r/:token', async (request, reply) => {
    const locale = localeOf(request)
    const verified = verifyLink(request.params.token, secrets, context.now().toISOString())
    if (!verified.ok) return html(reply, verified.reason === 'expired' ? 410 : 400, messagePage(locale, text(verified.reason === 'expired' ? 'linkExpired' : 'linkInvalid', locale)))
    const link = await findLink(context.pool, verified.claims.tokenId)
    if (!link) return html(reply, 400, messagePage(locale, text('linkInvalid', locale)))
    if (link.redeemed_at) {
      // The phone that used the link comes back to it (a second tap on the notification): take it to the page.
      const session = sessionOf(request, link.alarm_id)
      if (session && session.recipient.id === link.recipient_id) return reply.redirect(`/responder/alarms/${link.alarm_id}`, 303)
      return html(reply, 410, messagePage(locale, text('linkUsed', locale)))
    }
    return html(reply, 200, interstitial(locale, `/r/${request.params.token}${locale === 'en' ? '?lang=en' : ''}`))
  })

  app.post<{ Params: { token: string } }>('/r/:token', async (request, reply) => {
    const locale = localeOf(request)
    const now = context.now().toISOString()
    const verified = verifyLink(request.params.token, secrets, now)
    if (!verified.ok) return html(reply, verified.reason === 'expired' ? 410 : 400, messagePage(locale, text(verified.reason === 'expired' ? 'linkExpired' : 'linkInvalid', locale)))
    const claims = verified.claims
    const redeemed = await withTransaction(context.pool, async client => {
      const link = await redeemLink(client, claims.tokenId)
      if (!link) return null
      await confirmRequest(client, link.command_id, `link:${link.recipient_kind}:${link.recipient_id}`, { close: true })
      const facts = await client.query<{ resident_id: string }>('SELECT resident_id FROM alarms WHERE id = $1', [link.alarm_id])
      await appendAudit(client, {
        orgId: link.org_id, alarmId: link.alarm_id, residentId: facts.rows[0]?.resident_id ?? null, actorKind: link.recipient_kind, actorId: link.recipient_id,
        action: 'link_opened', channel: 'responder_app', at: now, detail: { tokenId: link.token_id, purpose: link.purpose },
      })
      return link
    })
    if (!redeemed) {
      const link = await findLink(context.pool, claims.tokenId)
      const expired = link !== null && link.redeemed_at === null
      return html(reply, 410, messagePage(locale, text(link === null ? 'linkInvalid' : expired ? 'linkExpired' : 'linkUsed', locale)))
    }
    const session = signSession({ sessionId: randomUUID(), tokenId: claims.tokenId, alarmId: claims.alarmId, recipient: claims.recipient, expiresAt: claims.expiresAt }, secrets)
    const maxAge = Math.max(1, Math.floor((Date.parse(claims.expiresAt) - Date.parse(now)) / 1000))
    // Lax, not Strict: a second tap on the link from a mail app or webmail is a cross-site navigation and must
    // still find the session. Actions are POSTs, which Lax never carries cross-site, and carry a CSRF token.
    reply.header('set-cookie', `${cookieName(claims.alarmId)}=${encodeURIComponent(session)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`)
    context.kick()
    return reply.redirect(`/responder/alarms/${claims.alarmId}${locale === 'en' ? '?lang=en' : ''}`, 303)
  })

  app.get<{ Params: { alarmId: string }; Querystring: { lang?: string; done?: string; error?: string } }>('/responder/alarms/:alarmId', async (request, reply) => {
    const locale = localeOf(request)
    const session = sessionOf(request, request.params.alarmId)
    if (!session) return html(reply, 401, messagePage(locale, text('sessionMissing', locale)))
    const view = await loadAlarmOverview(context.pool, session.alarmId)
    if (!view) return html(reply, 404, messagePage(locale, text('linkInvalid', locale)))
    // Showing the page is a read of the resident's data: audited like any other.
    await withTransaction(context.pool, client =>
      appendAudit(client, {
        orgId: view.facts.orgId, alarmId: session.alarmId, residentId: view.facts.residentId, actorKind: session.recipient.kind, actorId: session.recipient.id,
        action: 'view_alarm', channel: 'responder_app', at: context.now().toISOString(), detail: { sessionId: session.sessionId },
      }),
    )
    const code = request.query.error ?? request.query.done
    return html(
      reply,
      200,
      alarmPage(view, {
        locale, recipient: session.recipient, csrf: csrfToken(session.sessionId, secrets),
        actionUrl: `/responder/alarms/${session.alarmId}/actions${locale === 'en' ? '?lang=en' : ''}`,
        flash: code ? { ok: !request.query.error, message: flashText(code, locale) } : null, vapidPublicKey: deps.vapidPublicKey,
      }),
    )
  })

  app.post<{ Params: { alarmId: string } }>('/responder/alarms/:alarmId/actions', async (request, reply) => {
    const alarmId = request.params.alarmId
    const session = sessionOf(request, alarmId)
    if (!session) return reply.code(401).send({ code: 'no_session', message: 'open this page from the link in your notification' })
    const form = actionForm.safeParse(request.body)
    if (!form.success) return reply.code(400).send({ code: 'invalid_request', message: form.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ') })
    if (!verifyCsrf(session.sessionId, form.data.csrf, secrets)) return reply.code(403).send({ code: 'csrf', message: 'the form is stale or forged; reload the page' })
    const lang = localeOf(request) === 'en' ? '&lang=en' : ''
    const back = (query: string): FastifyReply => reply.redirect(`/responder/alarms/${alarmId}?${query}${lang}`, 303)
    const outcome = await act(deps, session, form.data)
    if (outcome === 'pending') return back('done=pending')
    return outcome.ok ? back('done=done') : back(`error=${encodeURIComponent(outcome.code)}`)
  })

  app.post<{ Params: { alarmId: string } }>('/responder/alarms/:alarmId/push-subscription', async (request, reply) => {
    const session = sessionOf(request, request.params.alarmId)
    if (!session || session.recipient.kind !== 'staff') return reply.code(401).send({ code: 'no_session', message: 'staff session required' })
    if (!verifyCsrf(session.sessionId, String(request.headers['x-csrf-token'] ?? ''), secrets)) return reply.code(403).send({ code: 'csrf', message: 'missing or wrong x-csrf-token' })
    const body = pushSubscription.safeParse(request.body)
    if (!body.success) return reply.code(400).send({ code: 'invalid_request', message: body.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ') })
    const endpoint = await checkEndpoint(body.data.endpoint, { allowLocal: context.allowLocalEndpoints })
    if (!endpoint.ok) return reply.code(400).send({ code: 'invalid_endpoint', message: `push endpoint ${endpoint.reason}` })
    await context.pool.query(
      `INSERT INTO push_subscriptions (endpoint, staff_id, p256dh, auth) VALUES ($1, $2, $3, $4)
       ON CONFLICT (endpoint) DO UPDATE SET staff_id = EXCLUDED.staff_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth`,
      [body.data.endpoint, session.recipient.id, body.data.keys.p256dh, body.data.keys.auth],
    )
    return reply.code(201).send({ ok: true })
  })
}

type ActionForm = z.infer<typeof actionForm>
type ActOutcome = { ok: true } | { ok: false; code: string } | 'pending'

const fromCall = (result: CallResult | 'pending'): ActOutcome => (result === 'pending' ? 'pending' : result.ok ? { ok: true } : { ok: false, code: result.code })

async function act(deps: ResponderDeps, session: SessionClaims, form: ActionForm): Promise<ActOutcome> {
  const { context, caller } = deps
  const actor = session.recipient
  if (form.lat !== undefined && form.lon !== undefined && actor.kind === 'staff') {
    await context.pool.query('UPDATE responder_profiles SET lat = $2, lon = $3, position_at = now(), updated_at = now() WHERE staff_id = $1', [actor.id, form.lat, form.lon])
  }
  const call = async (suffix: string, action: EscalationAction): Promise<CallResult | 'pending'> => {
    const requestId = `link:${session.tokenId}:${suffix}`
    await queueEscalationCall(context.pool, requestId, session.alarmId, action)
    return caller.deliverNow(requestId)
  }
  if (form.action === 'acknowledge') return fromCall(await call('acknowledge', { kind: 'acknowledge', actor, channel: 'responder_app' }))
  if (form.action === 'decline') {
    const noted = await call('decline', { kind: 'note', actor, channel: 'responder_app', text: `declined by ${actor.kind} ${actor.id}${form.notes ? `: ${form.notes}` : ''}` })
    // Nobody has the alarm yet and this person cannot take it: the next step should not wait for its timer.
    const state = await context.pool.query<{ state: string }>('SELECT state FROM alarm_lifecycles WHERE alarm_id = $1', [session.alarmId])
    if (['raised', 'notified'].includes(state.rows[0]?.state ?? '')) await call('decline-escalate', { kind: 'escalate', actor, channel: 'responder_app' })
    return fromCall(noted)
  }
  if (actor.kind !== 'staff' || !form.taskId) return { ok: false, code: 'invalid_request' }
  const task = (await context.pool.query<{ alarm_id: string }>('SELECT alarm_id FROM visit_tasks WHERE task_id = $1', [form.taskId])).rows[0]
  if (!task || task.alarm_id !== session.alarmId) return { ok: false, code: 'not_your_task' }
  const steps = { accept_task: 'accept', decline_task: 'decline', depart: 'depart', arrive: 'arrive', complete: 'complete' } as const
  const result = await actOnTask(deps, form.taskId, { action: steps[form.action], by: actor.id, outcome: form.outcome, notes: form.notes })
  return result === 'pending' || result.ok ? result : { ok: false, code: result.code }
}
