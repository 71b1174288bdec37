import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { auditConsole } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { ALARM_VIEWS, listAlarms, loadAlarmSummary, type AlarmSummary } from '../adapters/alarm-read-model.ts'
import { loadAlarmDetail } from '../adapters/alarm-detail.ts'
import { nearbyResponders } from '../adapters/responders.ts'
import { latestFeedSeq } from '../adapters/feed-store.ts'
import { isResponder } from '../domain/roles.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { actionBodies, lifecycleAction, type ActionName } from './alarm-actions.ts'
import { ApiError, notFound } from './api-error.ts'
import { recordContact } from './daily-contact-routes.ts'
import { alarmSummarySchema, pageOf } from './schemas.ts'
import type { ApiRouter } from './route-kit.ts'
import { loadVitalSeries } from '../adapters/resident-records.ts'

const alarmParams = z.object({ alarmId: z.uuid() })
const listQuery = z.object({
  view: z.enum(ALARM_VIEWS).default('open'),
  type: z.string().max(64).optional(),
  severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  areaId: z.string().max(64).optional(),
  residentId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
})
const alarmAnswer = z.object({ alarm: alarmSummarySchema })

/** A responder may act on an alarm they have (or had) a visit task for, or whose resident they care for. */
async function responderInvolved(context: ConsoleContext, user: SessionUser, alarmId: string): Promise<boolean> {
  const { rowCount } = await context.pool.query(
    `SELECT 1 FROM alarms a JOIN residents r ON r.id = a.resident_id
      WHERE a.id = $1 AND a.org_id = $3 AND ($2 IN (r.assigned_carer_id, r.family_doctor_id) OR EXISTS (SELECT 1 FROM visit_tasks t WHERE t.alarm_id = a.id AND t.responder_id = $2))`,
    [alarmId, user.staffId, user.orgId],
  )
  return (rowCount ?? 0) > 0
}

export function registerAlarmRoutes(api: ApiRouter, context: ConsoleContext): void {
  api.route({
    method: 'GET', url: '/api/alarms', tag: 'alarms', summary: 'The alarm queue (open, by priority then age) or the alarm history', permission: 'alarms.read',
    query: listQuery, response: pageOf(alarmSummarySchema).extend({ feedSeq: z.string() }),
    handler: async ({ user, query }) => {
      // The feed position is read first: anything that changes after the snapshot is in the feed after it.
      const feedSeq = await latestFeedSeq(context.pool)
      const page = await listAlarms(context.pool, user, query)
      // The queue names residents and what happened to them: looking at it is audited, once per page.
      await auditConsole(context.pool, user, { action: 'list_alarms', detail: { view: query.view, shown: page.items.length } }, context.now())
      return { ...page, feedSeq }
    },
  })

  api.route({
    method: 'GET', url: '/api/alarms/:alarmId', tag: 'alarms', summary: 'An alarm with the resident, evidence, tasks, devices and last location', permission: 'alarms.read',
    params: alarmParams,
    handler: async ({ user, params }) => {
      const detail = await loadAlarmDetail(context, user, params.alarmId)
      if (!detail) throw notFound('alarm')
      await auditConsole(context.pool, user, { action: 'view_alarm', alarmId: params.alarmId, residentId: detail.alarm.residentId }, context.now())
      return detail
    },
  })

  api.route({
    method: 'GET', url: '/api/alarms/:alarmId/timeline', tag: 'alarms', summary: "The alarm's whole story: lifecycle, notifications, tasks, page views", permission: 'alarms.read',
    params: alarmParams,
    handler: async ({ user, params }) => {
      const alarm = await loadAlarmSummary(context.pool, user, params.alarmId)
      if (!alarm) throw notFound('alarm')
      type Entry = { actor: { kind: string; id: string } | null; detail: { recipient?: { kind: string; id: string; name?: string | null } | null } }
      const answer = await context.dispatch.expectOk<{ timeline: Entry[] }>('GET', `/alarms/${params.alarmId}/timeline`)
      const names = await personNames(context, alarm.residentId, answer.timeline.flatMap(e => [e.actor, e.detail.recipient ?? null]))
      const named = <P extends { kind: string; id: string; name?: string | null }>(p: P) => ({ ...p, name: p.name ?? names.get(`${p.kind}:${p.id}`) ?? null })
      // Escalation's audit names people by id only; the timeline shows who they are.
      return {
        items: answer.timeline.map(e => ({
          ...e, actor: e.actor ? named(e.actor) : null, detail: e.detail.recipient ? { ...e.detail, recipient: named(e.detail.recipient) } : e.detail,
        })),
      }
    },
  })

  api.route({
    method: 'GET', url: '/api/alarms/:alarmId/vitals', tag: 'alarms', summary: "The resident's vital signs around the alarm (continuous aggregates)", permission: 'alarms.read',
    params: alarmParams, query: z.object({ hours: z.coerce.number().int().min(1).max(168).default(24) }),
    handler: async ({ user, params, query }) => {
      const alarm = await loadAlarmSummary(context.pool, user, params.alarmId)
      if (!alarm) throw notFound('alarm')
      await auditConsole(context.pool, user, { action: 'view_vitals', alarmId: alarm.id, residentId: alarm.residentId, detail: { hours: query.hours } }, context.now())
      return loadVitalSeries(context.pool, alarm.residentId, query.hours, context.now())
    },
  })

  for (const name of ['acknowledge', 'calls', 'escalate', 'resolve', 'reopen'] as const satisfies readonly ActionName[]) {
    api.route({
      method: 'POST', url: `/api/alarms/:alarmId/${name}`, tag: 'alarms', summary: `Alarm action: ${name}`,
      // A responder acknowledges from their phone an alarm they are involved in; everything else is the desk's.
      permission: name === 'acknowledge' ? ['alarms.act', 'responder'] : 'alarms.act',
      params: alarmParams, body: actionBodies[name] as z.ZodType<Record<string, unknown>>, response: alarmAnswer,
      handler: async ({ user, params, body }) => {
        const alarm = await inScope(context, user, params.alarmId)
        const action = lifecycleAction(name, body, { kind: 'staff', id: user.staffId })
        if (isResponder(user.role)) action.channel = 'responder_app'
        await context.escalation.expectOk('POST', `/alarms/${alarm.id}/actions`, action)
        // Speaking to the resident on the phone is the day's contact (每天至少联系1次).
        if (name === 'calls' && body.to === 'resident' && body.outcome === 'answered') {
          await recordContact(context.pool, { residentId: alarm.residentId, kind: 'call', at: context.now(), sourceId: `alarm-call:${randomUUID()}`, staffId: user.staffId })
        }
        return { alarm: (await loadAlarmSummary(context.pool, user, alarm.id))! }
      },
    })
  }

  api.route({
    method: 'POST', url: '/api/alarms/:alarmId/dispatch', tag: 'alarms', summary: 'Send a chosen carer or doctor: offers them a visit task; the alarm is dispatched when they accept',
    permission: 'alarms.act', params: alarmParams, body: actionBodies.dispatch, successStatus: 201,
    handler: async ({ user, params, body }) => {
      const alarm = await inScope(context, user, params.alarmId)
      refuseTestAlarm(alarm)
      if (['resolved', 'closed'].includes(alarm.state)) throw new ApiError(409, 'already_resolved', `the alarm is ${alarm.state}; reopen it first`)
      if (body.expectedVersion && body.expectedVersion !== alarm.version) {
        throw new ApiError(409, 'version_conflict', `the alarm changed (now ${alarm.state}, version ${alarm.version}); look again before dispatching`)
      }
      const staff = await context.pool.query(`SELECT 1 FROM staff WHERE id = $1 AND org_id = $2 AND role IN ('carer', 'doctor') AND active`, [body.responderId, user.orgId])
      if (!staff.rowCount) throw new ApiError(400, 'invalid_responder', 'responderId must be an active carer or doctor of your organisation')
      // Dispatching is taking the alarm: acknowledge first if nobody has (the answer time is the operator's).
      if (alarm.state === 'raised' || alarm.state === 'notified') {
        const ack = await context.escalation.call<{ code?: string }>('POST', `/alarms/${alarm.id}/actions`, lifecycleAction('acknowledge', {}, { kind: 'staff', id: user.staffId }))
        if (ack.status >= 400 && ack.body?.code !== 'already_acknowledged') throw new ApiError(ack.status, ack.body?.code ?? 'refused', 'could not acknowledge before dispatching')
      }
      const answer = await context.dispatch.expectOk<{ task: unknown }>('POST', `/alarms/${alarm.id}/tasks`, { responderId: body.responderId })
      await auditConsole(context.pool, user, { action: 'dispatch_requested', alarmId: alarm.id, residentId: alarm.residentId, detail: { responderId: body.responderId } }, context.now())
      return { task: answer.task, alarm: await loadAlarmSummary(context.pool, user, alarm.id) }
    },
  })

  api.route({
    method: 'POST', url: '/api/alarms/:alarmId/tasks', tag: 'alarms', summary: 'Ask for a home visit by the nearest suitable responder', permission: 'alarms.act',
    params: alarmParams, body: z.object({}).strict().optional(), successStatus: 201,
    handler: async ({ user, params }) => {
      const alarm = await inScope(context, user, params.alarmId)
      refuseTestAlarm(alarm)
      const answer = await context.dispatch.expectOk<{ task: unknown }>('POST', `/alarms/${alarm.id}/tasks`, {})
      await auditConsole(context.pool, user, { action: 'visit_requested', alarmId: alarm.id, residentId: alarm.residentId }, context.now())
      return { task: answer.task }
    },
  })

  api.route({
    method: 'GET', url: '/api/responders', tag: 'alarms', summary: 'Carers and doctors to dispatch, nearest to the alarm first', permission: 'alarms.act',
    query: z.object({ alarmId: z.uuid() }),
    handler: async ({ user, query }) => {
      const alarm = await inScope(context, user, query.alarmId)
      return { items: await nearbyResponders(context.pool, user, alarm.residentId) }
    },
  })

  async function inScope(ctx: ConsoleContext, user: SessionUser, alarmId: string): Promise<AlarmSummary> {
    const alarm = await loadAlarmSummary(ctx.pool, user, alarmId)
    if (!alarm || (isResponder(user.role) && !(await responderInvolved(ctx, user, alarmId)))) throw notFound('alarm')
    return alarm
  }
}

/** A test alarm (a device in test mode) is checked and resolved at the desk; nobody is sent to it. */
function refuseTestAlarm(alarm: AlarmSummary): void {
  if (alarm.test) throw new ApiError(409, 'test_alarm', 'this is a test alarm from a device in test mode: nobody is sent out; resolve it when the test is checked')
}

/** Names for the people in a timeline: staff by id, contacts by "<resident>:contact:<position>". */
async function personNames(context: ConsoleContext, residentId: string, actors: Array<{ kind: string; id: string } | null>): Promise<Map<string, string>> {
  const staffIds = [...new Set(actors.filter(a => a?.kind === 'staff').map(a => a!.id))]
  const names = new Map<string, string>()
  if (staffIds.length > 0) {
    const { rows } = await context.pool.query<{ id: string; full_name: string }>('SELECT id, full_name FROM staff WHERE id = ANY($1)', [staffIds])
    for (const r of rows) names.set(`staff:${r.id}`, r.full_name)
  }
  const contacts = await context.pool.query<{ position: number; full_name: string }>('SELECT position, full_name FROM emergency_contacts WHERE resident_id = $1', [residentId])
  for (const c of contacts.rows) names.set(`contact:${residentId}:contact:${c.position}`, c.full_name)
  return names
}
