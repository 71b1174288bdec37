import type pg from 'pg'
import { withTransaction } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import { loadRecord } from './lifecycle-store.ts'
import { scheduleTimer } from './timer-store.ts'

/**
 * Finds alarms that should be escalating but have no pending timer (a lost write, a timer cancelled by
 * hand, a bug) and puts them back on the ladder. An alarm being escalated (raised or notified) always has
 * an escalate or repeat timer pending, an acknowledged one a handling timer, a dispatched one an arrival
 * timer; on scene, the responder owns it. Raised and notified alarms are repaired by scheduling their next
 * step now; acknowledged and dispatched ones are reported (their deadline already passed or was removed).
 * Test alarms are never escalated, so they have no timer to miss.
 */
export async function auditStalledEscalations(
  pool: pg.Pool,
  options: { graceSeconds: number; logger: Logger; onStalled: (state: string, repaired: boolean) => void },
): Promise<number> {
  const { rows } = await pool.query<{ alarm_id: string; state: string }>(
    `SELECT l.alarm_id, l.state FROM alarm_lifecycles l
     WHERE l.state IN ('raised', 'notified', 'acknowledged', 'dispatched')
       AND l.updated_at < now() - make_interval(secs => $1)
       AND NOT COALESCE((l.escalation->>'test')::boolean, false)
       AND NOT EXISTS (SELECT 1 FROM escalation_timers t WHERE t.alarm_id = l.alarm_id AND t.fired_at IS NULL AND t.cancelled_at IS NULL)`,
    [options.graceSeconds],
  )
  for (const row of rows) {
    const repaired = row.state === 'raised' || row.state === 'notified' ? await repair(pool, row.alarm_id) : false
    options.onStalled(row.state, repaired)
    options.logger.warn({ alarmId: row.alarm_id, state: row.state, repaired }, 'stalled escalation found')
  }
  return rows.length
}

async function repair(pool: pg.Pool, alarmId: string): Promise<boolean> {
  return withTransaction(pool, async client => {
    const record = await loadRecord(client, alarmId, { forUpdate: true })
    if (!record) return false
    const round = record.lifecycle.reopenCount > 0 ? `${alarmId}:r${record.lifecycle.reopenCount}` : alarmId
    const now = new Date().toISOString()
    // The next step that has never been scheduled; past the last step the planner turns it into a repeat.
    for (let level = record.escalation.level + 1; level < record.escalation.level + 50; level++) {
      if (await scheduleTimer(client, { key: `${round}:escalate:${level}`, alarmId, kind: 'escalate', level, dueAt: now, payload: { repairedStall: true } })) return true
    }
    return false
  })
}
