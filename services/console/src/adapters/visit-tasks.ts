import type pg from 'pg'

export type TaskView = {
  taskId: string; alarmId: string; sequence: number; state: string; version: number; responderId: string | null; responderName: string | null
  offerExpiresAt: string | null; arrivalDueAt: string | null; overdueAt: string | null; outcome: string | null; notes: string | null; createdAt: string; updatedAt: string
}

type Row = {
  task_id: string; alarm_id: string; sequence: number; state: string; version: number; responder_id: string | null; full_name: string | null
  offer_expires_at: Date | null; arrival_due_at: Date | null; overdue_at: Date | null; task: { outcome?: string | null; notes?: string | null }; created_at: Date; updated_at: Date
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null

const toView = (r: Row): TaskView => ({
  taskId: r.task_id, alarmId: r.alarm_id, sequence: r.sequence, state: r.state, version: r.version, responderId: r.responder_id, responderName: r.full_name,
  offerExpiresAt: iso(r.offer_expires_at), arrivalDueAt: iso(r.arrival_due_at), overdueAt: iso(r.overdue_at), outcome: r.task.outcome ?? null, notes: r.task.notes ?? null,
  createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
})

const SELECT = `SELECT t.task_id, t.alarm_id, t.sequence, t.state, t.version, t.responder_id, s.full_name, t.offer_expires_at, t.arrival_due_at, t.overdue_at,
                       t.task, t.created_at, t.updated_at
                  FROM visit_tasks t LEFT JOIN staff s ON s.id = t.responder_id`

/** The visit tasks of an alarm (dispatch owns them; the console reads them), first visit first. */
export async function tasksOfAlarm(db: pg.Pool, alarmId: string): Promise<TaskView[]> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE t.alarm_id = $1 ORDER BY t.sequence`, [alarmId])
  return rows.map(toView)
}

/** A responder's tasks: open ones (offered to them or theirs), then those closed in the last day. */
export async function tasksOfResponder(db: pg.Pool, staffId: string, now: Date): Promise<TaskView[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE t.responder_id = $1 AND (t.state NOT IN ('completed', 'cancelled') OR t.updated_at > $2::timestamptz - interval '1 day')
      ORDER BY (t.state IN ('completed', 'cancelled')), t.created_at DESC LIMIT 50`,
    [staffId, now],
  )
  return rows.map(toView)
}

export async function loadTaskView(db: pg.Pool, taskId: string): Promise<TaskView | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE t.task_id = $1`, [taskId])
  return rows[0] ? toView(rows[0]) : null
}
