import type { SystemAlarm } from './system-alarm.ts'

/** What `GET /system-alarms` answers: the active alarms and the recently cleared ones. */
export type AlarmBoard = { active: SystemAlarm[]; recent: SystemAlarm[]; checkedAt: string | null }

export const EMPTY_BOARD: AlarmBoard = { active: [], recent: [], checkedAt: null }
export const RECENT_WINDOW_MS = 24 * 3600_000
export const RECENT_LIMIT = 100

/** The board after a round: its active alarms, and cleared ones of the last 24 h, newest first, at most 100. */
export function updateBoard(board: AlarmBoard, round: { active: SystemAlarm[]; cleared: SystemAlarm[] }, now: Date): AlarmBoard {
  const since = now.getTime() - RECENT_WINDOW_MS
  const recent = [...round.cleared, ...board.recent]
    .filter(a => a.clearedAt !== null && Date.parse(a.clearedAt) >= since)
    .sort((a, b) => b.clearedAt!.localeCompare(a.clearedAt!))
    .slice(0, RECENT_LIMIT)
  return { active: round.active, recent, checkedAt: now.toISOString() }
}
