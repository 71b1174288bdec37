import type pg from 'pg'
import type { ResponderCandidate } from '../domain/responder-matching.ts'
import type { TaskEvent, VisitTask } from '../domain/visit-task.ts'

const OPEN_STATES = ['offered', 'accepted', 'en_route', 'arrived']

export async function loadTask(client: pg.ClientBase, taskId: string, options: { forUpdate: boolean }): Promise<(VisitTask & { residentId: string; sequence: number }) | null> {
  const { rows } = await client.query<{ task: VisitTask; resident_id: string; sequence: number }>(
    `SELECT task, resident_id, sequence FROM visit_tasks WHERE task_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [taskId],
  )
  const r = rows[0]
  return r ? { ...r.task, residentId: r.resident_id, sequence: r.sequence } : null
}

/** The alarm's tasks still under way (all but `except`), oldest first, locked for the caller's transaction. */
export async function lockOpenTasks(client: pg.ClientBase, alarmId: string, except: string | null): Promise<Array<VisitTask & { residentId: string }>> {
  const { rows } = await client.query<{ task: VisitTask; resident_id: string }>(
    `SELECT task, resident_id FROM visit_tasks WHERE alarm_id = $1 AND state NOT IN ('completed', 'cancelled') AND task_id IS DISTINCT FROM $2
     ORDER BY sequence FOR UPDATE`,
    [alarmId, except],
  )
  return rows.map(r => ({ ...r.task, residentId: r.resident_id }))
}

/** The alarm's tasks, newest first. */
export async function tasksOfAlarm(db: pg.ClientBase | pg.Pool, alarmId: string): Promise<VisitTask[]> {
  const { rows } = await db.query<{ task: VisitTask }>('SELECT task FROM visit_tasks WHERE alarm_id = $1 ORDER BY sequence DESC', [alarmId])
  return rows.map(r => r.task)
}

export async function nextSequence(client: pg.ClientBase, alarmId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT COALESCE(max(sequence), 0)::int + 1 AS n FROM visit_tasks WHERE alarm_id = $1', [alarmId])
  return rows[0]!.n
}

/** Inserts a new task; false when this alarm already has a task with this sequence (a redelivered trigger). */
export async function insertTask(client: pg.ClientBase, task: VisitTask, sequence: number, residentId: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO visit_tasks (task_id, alarm_id, sequence, org_id, resident_id, state, version, responder_id, task)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [task.taskId, task.alarmId, sequence, task.orgId, residentId, task.state, task.version, task.responderId, task],
  )
  return (rowCount ?? 0) > 0
}

/** Stores the task after one transition, with its event; the caller holds the row lock. */
export async function saveTask(client: pg.ClientBase, task: VisitTask, event: TaskEvent): Promise<void> {
  await client.query(
    `UPDATE visit_tasks SET state = $2, version = $3, responder_id = $4, offer_expires_at = $5, arrival_due_at = $6, overdue_at = $7, task = $8, updated_at = now()
     WHERE task_id = $1`,
    [task.taskId, task.state, task.version, task.responderId, task.offerExpiresAt, task.arrivalDueAt, task.overdueAt, task],
  )
  await client.query(
    `INSERT INTO task_events (task_id, version, kind, from_state, to_state, by_staff, at, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [event.taskId, event.version, event.kind, event.from, event.to, event.by, event.at, event.detail],
  )
}

type CandidateRow = {
  staff_id: string; role: 'carer' | 'doctor'; area_id: string | null; skills: string[]; available: boolean; max_open_tasks: number
  lat: number | null; lon: number | null; position_at: Date | null; open_tasks: number
}

/**
 * The organisation's carers and doctors with a responder profile. "On duty" is the responder's own switch
 * on their profile (available); the rota decides whom escalation calls, the switch whom a visit is offered.
 */
export async function loadCandidates(client: pg.ClientBase, orgId: string): Promise<ResponderCandidate[]> {
  const { rows } = await client.query<CandidateRow>(
    `SELECT s.id AS staff_id, s.role, s.area_id, p.skills, p.available, p.max_open_tasks, p.lat, p.lon, p.position_at,
            (SELECT count(*) FROM visit_tasks t WHERE t.responder_id = s.id AND t.state = ANY($2))::int AS open_tasks
     FROM staff s JOIN responder_profiles p ON p.staff_id = s.id
     WHERE s.org_id = $1 AND s.active AND s.role IN ('carer', 'doctor')`,
    [orgId, OPEN_STATES],
  )
  return rows.map(r => ({
    staffId: r.staff_id, role: r.role, areaId: r.area_id, skills: r.skills, available: r.available, onDuty: r.available,
    openTasks: r.open_tasks, maxOpenTasks: r.max_open_tasks,
    position: r.lat !== null && r.lon !== null && r.position_at ? { lat: r.lat, lon: r.lon, at: r.position_at.toISOString() } : null,
  }))
}

/** Tasks whose offer has lapsed and tasks whose responder is late, for the sweeper. */
export async function dueTaskIds(db: pg.Pool, now: string): Promise<{ expiredOffers: string[]; overdueArrivals: string[] }> {
  const offers = await db.query<{ task_id: string }>(`SELECT task_id FROM visit_tasks WHERE state = 'offered' AND offer_expires_at <= $1 LIMIT 100`, [now])
  const late = await db.query<{ task_id: string }>(
    `SELECT task_id FROM visit_tasks WHERE state IN ('accepted', 'en_route') AND overdue_at IS NULL AND arrival_due_at <= $1 LIMIT 100`,
    [now],
  )
  return { expiredOffers: offers.rows.map(r => r.task_id), overdueArrivals: late.rows.map(r => r.task_id) }
}
