import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type pg from 'pg'
import type { Press } from './fleet.ts'
import { POLICY_STEPS } from './platform.ts'

/**
 * Watches, every 100 ms, which presses the operator's console can show: the alarm service attached the press
 * to an alarm and the console's feed holds that alarm. Records when each first became visible. Queries that
 * fail (the database is down or full) are simply tried again.
 */
export function watchVisibility(pool: pg.Pool, presses: () => Press[]) {
  const visibleAt = new Map<string, number>()
  let running = true
  const loop = (async () => {
    while (running) {
      const waiting = presses().filter(p => !visibleAt.has(p.eventId)).map(p => p.eventId)
      if (waiting.length > 0) {
        const rows = await pool
          .query<{ event_id: string }>(
            `SELECT e.event_id FROM alarm_evidence e
             WHERE e.event_id = ANY($1)
               AND EXISTS (SELECT 1 FROM console_feed f WHERE f.alarm_id = e.alarm_id AND f.kind = 'alarm' AND f.payload->>'cause' = 'raised')`,
            [waiting],
          )
          .then(r => r.rows, () => [])
        const now = Date.now()
        for (const row of rows) visibleAt.set(row.event_id, now)
      }
      await new Promise(r => setTimeout(r, 100))
    }
  })()
  return {
    visibleAt,
    until: async (wanted: Press[], timeoutMs: number): Promise<boolean> => {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        if (wanted.every(p => visibleAt.has(p.eventId))) return true
        await new Promise(r => setTimeout(r, 100))
      }
      return false
    },
    stop: async () => {
      running = false
      await loop
    },
  }
}

export type Reconciliation = {
  sent: number
  acknowledged: number
  notAcknowledged: string[]
  wrongAck: string[]
  /** Presses that never reached an alarm on the console. */
  lost: string[]
  /** Residents with more than one SOS alarm, or alarms shown (raised in the feed) more than once. */
  duplicateAlarms: string[]
  alarms: number
  /** Alarms whose escalation steps did not each fire exactly once, in order. */
  stepProblems: string[]
  notificationsRequested: number
  /** SMS the provider received more than once for the same notification (at-least-once to a provider). */
  smsDuplicates: number
}

/** Sent, acknowledged to devices, alarms, notifications: what happened to every press of a fault. */
export async function reconcile(pool: pg.Pool, presses: Press[], smsDir: string): Promise<Reconciliation> {
  const eventIds = presses.map(p => p.eventId)
  const acknowledged = presses.filter(p => p.result !== null)
  const wrongAck = acknowledged.filter(p => !['accepted', 'duplicate'].includes(p.result!.ack.status) || p.result!.ack.eventId !== p.eventId)
  const evidence = await pool.query<{ event_id: string; alarm_id: string }>(`SELECT event_id, alarm_id::text FROM alarm_evidence WHERE event_id = ANY($1)`, [eventIds])
  const found = new Set(evidence.rows.map(r => r.event_id))
  const alarmIds = [...new Set(evidence.rows.map(r => r.alarm_id))]
  const residents = [...new Set(presses.map(p => p.residentId))]
  const perResident = await pool.query<{ resident_id: string; n: string }>(
    `SELECT resident_id, count(*) AS n FROM alarms WHERE type = 'sos' AND resident_id = ANY($1) GROUP BY resident_id HAVING count(*) > 1`,
    [residents],
  )
  const shownTwice = await pool.query<{ alarm_id: string }>(
    `SELECT alarm_id::text FROM console_feed WHERE alarm_id = ANY($1::uuid[]) AND kind = 'alarm' AND payload->>'cause' = 'raised' GROUP BY alarm_id HAVING count(*) > 1`,
    [alarmIds],
  )
  const levels = await pool.query<{ alarm_id: string; levels: number[] }>(
    `SELECT alarm_id::text, array_agg(level ORDER BY fired_at, level) AS levels FROM escalation_timers
     WHERE kind = 'escalate' AND fired_at IS NOT NULL AND alarm_id = ANY($1::uuid[]) GROUP BY alarm_id`,
    [alarmIds],
  )
  const notifies = await pool.query<{ alarm_id: string; n: string }>(
    `SELECT alarm_id::text, count(*) AS n FROM audit_log WHERE action = 'notify' AND alarm_id = ANY($1::uuid[]) GROUP BY alarm_id`,
    [alarmIds],
  )
  const overdue = await pool.query<{ alarm_id: string; key: string }>(
    `SELECT alarm_id::text, key FROM escalation_timers
     WHERE alarm_id = ANY($1::uuid[]) AND fired_at IS NULL AND cancelled_at IS NULL AND due_at < now() - interval '3 seconds'`,
    [alarmIds],
  )
  const expectedLevels = JSON.stringify(Array.from({ length: POLICY_STEPS }, (_, i) => i))
  const levelsOf = new Map(levels.rows.map(r => [r.alarm_id, JSON.stringify(r.levels)]))
  const notifiesOf = new Map(notifies.rows.map(r => [r.alarm_id, Number(r.n)]))
  const stepProblems = [
    ...alarmIds.filter(id => levelsOf.get(id) !== expectedLevels).map(id => `${id}: steps fired ${levelsOf.get(id) ?? '[]'}, expected ${expectedLevels}`),
    ...alarmIds.filter(id => notifiesOf.get(id) !== POLICY_STEPS).map(id => `${id}: ${notifiesOf.get(id) ?? 0} notifications recorded, expected ${POLICY_STEPS}`),
    ...overdue.rows.map(r => `${r.alarm_id}: timer ${r.key} is overdue and has not fired`),
  ]
  const requests = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM notification_requests WHERE alarm_id = ANY($1::uuid[]) AND purpose = 'alarm'`, [alarmIds])
  return {
    sent: presses.length,
    acknowledged: acknowledged.length,
    notAcknowledged: presses.filter(p => p.result === null).map(p => `${p.eventId} (${p.error ?? 'pending'})`),
    wrongAck: wrongAck.map(p => `${p.eventId}: ${JSON.stringify(p.result!.ack)}`),
    lost: presses.filter(p => !found.has(p.eventId)).map(p => p.eventId),
    duplicateAlarms: [...perResident.rows.map(r => `resident ${r.resident_id}: ${r.n} SOS alarms`), ...shownTwice.rows.map(r => `alarm ${r.alarm_id} raised twice in the feed`)],
    alarms: alarmIds.length,
    stepProblems,
    notificationsRequested: Number(requests.rows[0]!.n),
    smsDuplicates: smsDuplicates(smsDir),
  }
}

function smsDuplicates(smsDir: string): number {
  let files: string[]
  try {
    files = readdirSync(smsDir)
  } catch {
    return 0
  }
  const references = files.map(f => (JSON.parse(readFileSync(join(smsDir, f), 'utf8')) as { reference: string }).reference)
  return references.length - new Set(references).size
}
