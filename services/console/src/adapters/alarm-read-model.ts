import type pg from 'pg'
import { z } from 'zod'
import { decodeCursor } from '../http/registry-kit.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { scopeSql } from './console-context.ts'

export type Person = { kind: 'staff' | 'contact' | 'system'; id: string; name: string | null }

export type AlarmSummary = {
  id: string
  type: string
  severity: 'low' | 'medium' | 'high' | 'critical'
  priority: number
  state: string
  version: number
  alertStatus: 'open' | 'cleared' | 'cancelled'
  occurrences: number
  residentId: string
  residentName: string
  areaId: string | null
  areaName: string | null
  deviceId: string | null
  raisedAt: string
  acknowledgedAt: string | null
  acknowledgedBy: Person | null
  responder: Person | null
  dispatchedAt: string | null
  arrivedAt: string | null
  resolvedAt: string | null
  outcome: string | null
  escalationLevel: number
  /** From a device in test mode: listed only in the test view, nobody notified. */
  test: boolean
}

type Row = {
  id: string; type: string; severity: AlarmSummary['severity']; priority: number; alert_status: AlarmSummary['alertStatus']; occurrences: number
  resident_id: string; resident_name: string; area_id: string | null; area_name: string | null; device_id: string | null; raised_at: Date
  state: string | null; version: number | null; escalation_level: number | null; lifecycle: Record<string, unknown> | null; test: boolean
  ack_name: string | null; responder_name: string | null
}

// A person in a lifecycle is a staff member or one of the resident's emergency contacts ("<resident>:contact:<n>").
const personName = (alias: string, field: string) => `
  LEFT JOIN staff ${alias}_s ON l.lifecycle->'${field}'->>'kind' = 'staff' AND ${alias}_s.id = l.lifecycle->'${field}'->>'id'
  LEFT JOIN emergency_contacts ${alias}_c ON l.lifecycle->'${field}'->>'kind' = 'contact' AND ${alias}_c.resident_id = a.resident_id
        AND ${alias}_c.position::text = split_part(l.lifecycle->'${field}'->>'id', ':contact:', 2)`

const SELECT = `
SELECT a.id, a.type, a.severity, a.priority, a.status AS alert_status, a.occurrences, a.resident_id, r.full_name AS resident_name, r.area_id,
       ar.name AS area_name, a.device_id, a.raised_at, l.state, l.version, l.escalation_level, l.lifecycle, a.test,
       COALESCE(ack_s.full_name, ack_c.full_name) AS ack_name, COALESCE(resp_s.full_name, resp_c.full_name) AS responder_name
  FROM alarms a
  JOIN residents r ON r.id = a.resident_id
  LEFT JOIN areas ar ON ar.id = r.area_id
  LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.id
  ${personName('ack', 'acknowledgedBy')}
  ${personName('resp', 'responder')}`

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

function person(value: unknown, name: string | null): Person | null {
  if (!value || typeof value !== 'object') return null
  const p = value as { kind: Person['kind']; id: string }
  return { kind: p.kind, id: p.id, name }
}

function toSummary(r: Row): AlarmSummary {
  const l = r.lifecycle ?? {}
  return {
    id: r.id, type: r.type, severity: r.severity, priority: r.priority,
    // The alert service has raised it and escalation has not taken it in yet (a few milliseconds): raised.
    state: r.state ?? 'raised', version: r.version ?? 0, alertStatus: r.alert_status, occurrences: r.occurrences,
    residentId: r.resident_id, residentName: r.resident_name, areaId: r.area_id, areaName: r.area_name, deviceId: r.device_id,
    raisedAt: r.raised_at.toISOString(), acknowledgedAt: str(l.acknowledgedAt), acknowledgedBy: person(l.acknowledgedBy, r.ack_name),
    responder: person(l.responder, r.responder_name), dispatchedAt: str(l.dispatchedAt), arrivedAt: str(l.arrivedAt), resolvedAt: str(l.resolvedAt),
    outcome: str(l.outcome), escalationLevel: r.escalation_level ?? -1, test: r.test,
  }
}

/** The queue, the history (closed, all) and the test alarms, which appear nowhere else. */
export const ALARM_VIEWS = ['open', 'closed', 'all', 'test'] as const
export type AlarmFilter = {
  view: (typeof ALARM_VIEWS)[number]
  type?: string
  severity?: string
  areaId?: string
  residentId?: string
  from?: string
  to?: string
  limit: number
  cursor?: string
}

const OPEN = `(COALESCE(l.state, 'raised') NOT IN ('resolved', 'closed') AND (l.state IS NOT NULL OR a.status = 'open'))`

const queueKey = z.object({ p: z.number().int(), t: z.iso.datetime(), id: z.uuid() })
type QueueKey = z.infer<typeof queueKey>

/**
 * Alarms in the user's scope. The open view is the queue: highest priority first, then oldest first (the one
 * waiting longest); history views and the test view are newest first. Keyset pagination, so a page is stable while alarms arrive.
 */
export async function listAlarms(db: pg.Pool, user: SessionUser, filter: AlarmFilter): Promise<{ items: AlarmSummary[]; nextCursor: string | null }> {
  const values: unknown[] = []
  const where = [scopeSql(user, values, { org: 'a.org_id', area: 'r.area_id' })]
  const add = (sql: string, value: unknown): void => {
    values.push(value)
    where.push(sql.replace('?', `$${values.length}`))
  }
  // Test alarms (devices in test mode) are a queue of their own: an operator never has them in the real one.
  where.push(filter.view === 'test' ? 'a.test' : 'NOT a.test')
  if (filter.view === 'open') where.push(OPEN)
  if (filter.view === 'closed') where.push(`NOT ${OPEN}`)
  if (filter.type) add('a.type = ?', filter.type)
  if (filter.severity) add('a.severity = ?', filter.severity)
  if (filter.areaId) add('r.area_id = ?', filter.areaId)
  if (filter.residentId) add('a.resident_id = ?', filter.residentId)
  if (filter.from) add('a.raised_at >= ?', filter.from)
  if (filter.to) add('a.raised_at < ?', filter.to)
  const queue = filter.view === 'open'
  const cursor = decodeCursor(filter.cursor, queueKey) ?? null
  if (cursor && queue) {
    values.push(cursor.p, cursor.t, cursor.id)
    const [p, t, id] = [values.length - 2, values.length - 1, values.length]
    where.push(`(a.priority < $${p} OR (a.priority = $${p} AND (a.raised_at, a.id) > ($${t}::timestamptz, $${id}::uuid)))`)
  } else if (cursor) {
    values.push(cursor.t, cursor.id)
    where.push(`(a.raised_at, a.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`)
  }
  values.push(filter.limit + 1)
  const order = queue ? 'a.priority DESC, a.raised_at ASC, a.id ASC' : 'a.raised_at DESC, a.id DESC'
  const { rows } = await db.query<Row>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${values.length}`, values)
  const page = rows.slice(0, filter.limit).map(toSummary)
  const last = page.at(-1)
  const nextCursor = rows.length > filter.limit && last ? Buffer.from(JSON.stringify({ p: last.priority, t: last.raisedAt, id: last.id } satisfies QueueKey)).toString('base64url') : null
  return { items: page, nextCursor }
}

/** One alarm as the queue shows it, if it is in the user's scope (null otherwise: not found, never "forbidden"). */
export async function loadAlarmSummary(db: pg.Pool | pg.ClientBase, user: SessionUser, alarmId: string): Promise<AlarmSummary | null> {
  const values: unknown[] = [alarmId]
  const scope = scopeSql(user, values, { org: 'a.org_id', area: 'r.area_id' })
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = $1 AND ${scope}`, values)
  return rows[0] ? toSummary(rows[0]) : null
}

/** Alarms by id without a user's scope: the feed writer records each change once for everyone, scoped on the way out. */
export async function loadAlarmSummaries(db: pg.Pool | pg.ClientBase, alarmIds: readonly string[]): Promise<Map<string, AlarmSummary>> {
  if (alarmIds.length === 0) return new Map()
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = ANY($1::uuid[])`, [alarmIds])
  return new Map(rows.map(r => [r.id, toSummary(r)]))
}
