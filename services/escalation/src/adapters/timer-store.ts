import type pg from 'pg'

export type Timer = {
  /** Deterministic, e.g. `${alarmId}:escalate:${level}`: scheduling the same step twice is a no-op. */
  key: string
  alarmId: string
  kind: string
  level: number
  dueAt: string
  payload: Record<string, unknown>
}

/** Schedules a timer in the caller's transaction; false when a timer with that key already exists. */
export async function scheduleTimer(client: pg.ClientBase | pg.Pool, timer: Timer): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO escalation_timers (key, alarm_id, kind, level, due_at, payload) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO NOTHING`,
    [timer.key, timer.alarmId, timer.kind, timer.level, timer.dueAt, timer.payload],
  )
  return (result.rowCount ?? 0) > 0
}

/** Cancels an alarm's pending timers (all, or of the given kinds); fired timers stay as history. */
export async function cancelTimers(client: pg.ClientBase, alarmId: string, kinds?: string[]): Promise<number> {
  const result = await client.query(
    `UPDATE escalation_timers SET cancelled_at = now()
     WHERE alarm_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL AND ($2::text[] IS NULL OR kind = ANY($2))`,
    [alarmId, kinds ?? null],
  )
  return result.rowCount ?? 0
}

type TimerRow = { key: string; alarm_id: string; kind: string; level: number; due_at: Date; payload: Record<string, unknown> }

export function toTimer(row: TimerRow): Timer {
  return { key: row.key, alarmId: row.alarm_id, kind: row.kind, level: row.level, dueAt: row.due_at.toISOString(), payload: row.payload }
}
