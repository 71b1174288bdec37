import type pg from 'pg'
import type { AlarmLifecycle } from '../domain/lifecycle.ts'

/** What escalation keeps per alarm: the lifecycle, who it concerns, and where escalation stands. */
export type EscalationRecord = {
  lifecycle: AlarmLifecycle
  orgId: string
  residentId: string
  priority: number
  /** Highest step run (-1: none yet); counts of acknowledgements and dispatches (timer keys use them). */
  escalation: { level: number; repeats: number; acknowledgements: number; dispatches: number }
  /** A test alarm (from a device in test mode): recorded and handled by hand, never escalated (absent: false). */
  test?: boolean
}

type Row = {
  lifecycle: AlarmLifecycle; org_id: string; resident_id: string; priority: number; escalation_level: number
  escalation: { repeats?: number; acknowledgements?: number; dispatches?: number; test?: boolean }
}

export async function loadRecord(db: pg.ClientBase, alarmId: string, options: { forUpdate: boolean }): Promise<EscalationRecord | null> {
  const { rows } = await db.query<Row>(
    `SELECT lifecycle, org_id, resident_id, priority, escalation_level, escalation FROM alarm_lifecycles WHERE alarm_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [alarmId],
  )
  const r = rows[0]
  if (!r) return null
  return {
    lifecycle: r.lifecycle,
    orgId: r.org_id,
    residentId: r.resident_id,
    priority: r.priority,
    escalation: {
      level: r.escalation_level,
      repeats: r.escalation.repeats ?? 0,
      acknowledgements: r.escalation.acknowledgements ?? 0,
      dispatches: r.escalation.dispatches ?? 0,
    },
    ...(r.escalation.test ? { test: true } : {}),
  }
}

/** Inserts a new record; false when the alarm is already known (a redelivered "raised" event). */
export async function insertRecord(db: pg.ClientBase, record: EscalationRecord): Promise<boolean> {
  const l = record.lifecycle
  const result = await db.query(
    `INSERT INTO alarm_lifecycles (alarm_id, org_id, resident_id, alarm_type, state, version, escalation_level, escalation, priority, lifecycle)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (alarm_id) DO NOTHING`,
    [l.alarmId, record.orgId, record.residentId, l.alarmType, l.state, l.version, record.escalation.level,
      counts(record), record.priority, l],
  )
  return (result.rowCount ?? 0) > 0
}

/** Saves a record loaded FOR UPDATE in the same transaction. */
export async function saveRecord(db: pg.ClientBase, record: EscalationRecord): Promise<void> {
  const l = record.lifecycle
  await db.query(
    `UPDATE alarm_lifecycles SET state = $2, version = $3, escalation_level = $4, escalation = $5, lifecycle = $6, updated_at = now()
     WHERE alarm_id = $1`,
    [l.alarmId, l.state, l.version, record.escalation.level, counts(record), l],
  )
}

// The escalation column holds the counts, and the test mark (kept there: it needs no column of its own).
function counts(record: EscalationRecord) {
  const { repeats, acknowledgements, dispatches } = record.escalation
  return { repeats, acknowledgements, dispatches, ...(record.test ? { test: true } : {}) }
}
