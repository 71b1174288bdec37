import type pg from 'pg'
import type { VisitTask } from '../domain/visit-task.ts'
import { loadAlarmFacts, type AlarmFacts } from './alarm-facts.ts'
import { tasksOfAlarm } from './task-store.ts'

/** Someone notified about the alarm; `seen` when they opened the link or answered the call. */
export type Called = { kind: string; id: string; name: string | null; role: string | null; status: string; seen: boolean; purpose: string; at: string }

export type Contact = { position: number; name: string; relation: string; phone: string }

/** Everything the responder page shows about one alarm: the person, the state, who else was called, the visits. */
export type AlarmOverview = {
  facts: AlarmFacts
  state: string
  version: number
  acknowledgedBy: { kind: string; id: string; name: string | null } | null
  outcome: string | null
  residentPhone: string | null
  contacts: Contact[]
  called: Called[]
  tasks: VisitTask[]
}

export async function loadAlarmOverview(pool: pg.Pool, alarmId: string): Promise<AlarmOverview | null> {
  const facts = await loadAlarmFacts(pool, alarmId)
  if (!facts) return null
  const lifecycle = (
    await pool.query<{ state: string; version: number; outcome: string | null; ack_kind: string | null; ack_id: string | null; ack_name: string | null }>(
      `SELECT l.state, l.version, l.lifecycle->>'outcome' AS outcome, l.lifecycle->'acknowledgedBy'->>'kind' AS ack_kind, l.lifecycle->'acknowledgedBy'->>'id' AS ack_id,
              COALESCE(s.full_name, c.full_name) AS ack_name
       FROM alarm_lifecycles l
       LEFT JOIN staff s ON l.lifecycle->'acknowledgedBy'->>'kind' = 'staff' AND s.id = l.lifecycle->'acknowledgedBy'->>'id'
       LEFT JOIN emergency_contacts c ON l.lifecycle->'acknowledgedBy'->>'kind' = 'contact'
         AND l.lifecycle->'acknowledgedBy'->>'id' = c.resident_id || ':contact:' || c.position
       WHERE l.alarm_id = $1`,
      [alarmId],
    )
  ).rows[0]
  const called = await pool.query<{ recipient_kind: string; recipient_id: string; name: string | null; role: string | null; status: string; seen: boolean; purpose: string; created_at: Date }>(
    `SELECT DISTINCT ON (recipient_kind, recipient_id, purpose) recipient_kind, recipient_id, recipient->>'name' AS name, recipient->>'role' AS role,
            status, COALESCE(confirmed_by LIKE 'link:%' OR confirmed_by LIKE 'phone:%', false) AS seen, purpose, created_at
     FROM notification_requests WHERE alarm_id = $1 AND purpose IN ('alarm', 'task_offer')
     ORDER BY recipient_kind, recipient_id, purpose, created_at DESC`,
    [alarmId],
  )
  const resident = await pool.query<{ phone: string | null }>('SELECT phone FROM residents WHERE id = $1', [facts.residentId])
  const contacts = await pool.query<Contact>(
    'SELECT position, full_name AS name, relation, phone FROM emergency_contacts WHERE resident_id = $1 ORDER BY position',
    [facts.residentId],
  )
  return {
    facts,
    state: lifecycle?.state ?? 'raised',
    version: lifecycle?.version ?? 1,
    acknowledgedBy: lifecycle?.ack_kind && lifecycle.ack_id ? { kind: lifecycle.ack_kind, id: lifecycle.ack_id, name: lifecycle.ack_name } : null,
    outcome: lifecycle?.outcome ?? null,
    residentPhone: resident.rows[0]?.phone ?? null,
    contacts: contacts.rows,
    called: called.rows
      .map(r => ({ kind: r.recipient_kind, id: r.recipient_id, name: r.name, role: r.role, status: r.status, seen: r.seen, purpose: r.purpose, at: r.created_at.toISOString() }))
      .sort((a, b) => a.at.localeCompare(b.at)),
    tasks: await tasksOfAlarm(pool, alarmId),
  }
}
