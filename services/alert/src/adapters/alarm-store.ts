import type pg from 'pg'
import { transientError } from '@anxin/errors'
import { alarmScope, type AlarmChange, type OpenAlarm, type ResidentContext } from '../domain/alarm-book.ts'
import { toAlarmEvent } from '../domain/alarm-event.ts'
import type { AlarmType, Severity } from '../domain/types.ts'

const ROLE = { raised: 'raise', updated: 'update', cleared: 'clear', cancelled: 'cancel' } as const

/**
 * Alarms in PostgreSQL. Each change is applied at most once: a raise by the alarm's deterministic id, an
 * update or clear by its evidence key (alarm, event, role). The alarm event for Kafka is written to the
 * outbox in the same transaction.
 */
export class AlarmStore {
  private readonly pool: pg.Pool
  constructor(pool: pg.Pool) {
    this.pool = pool
  }

  async loadOpen(residentId: string): Promise<OpenAlarm[]> {
    const { rows } = await this.pool.query(
      `SELECT id, incident_id, type, severity, priority, occurrences, device_id, started_at, raised_at, version, detail, test
       FROM alarms WHERE resident_id = $1 AND status = 'open'`,
      [residentId],
    )
    return rows.map(r => ({
      alarmId: r.id,
      incidentId: r.incident_id,
      type: r.type as AlarmType,
      severity: r.severity as Severity,
      priority: r.priority,
      occurrences: r.occurrences,
      deviceId: r.device_id,
      startedAt: r.started_at.toISOString(),
      raisedAt: r.raised_at.toISOString(),
      version: r.version,
      detail: r.detail,
      ...(r.test ? { test: true } : {}),
    }))
  }

  /** Applies the changes in one transaction; returns those that were new (not already applied). */
  async apply(context: ResidentContext, changes: AlarmChange[], now: string): Promise<AlarmChange[]> {
    if (changes.length === 0) return []
    const client = await this.pool.connect().catch(error => {
      throw transientError('database_unavailable', (error as Error).message, error)
    })
    try {
      await client.query('BEGIN')
      const applied: AlarmChange[] = []
      for (const change of changes) if (await applyOne(client, context, change, now)) applied.push(change)
      for (const change of applied) {
        const event = toAlarmEvent(change, context, now)
        await client.query(
          'INSERT INTO alarm_outbox (event_id, key, payload) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
          [event.eventId, context.residentId, event],
        )
      }
      await client.query('COMMIT')
      return applied
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      if ((error as { retryable?: boolean }).retryable !== undefined) throw error
      throw transientError('alarm_store_failed', (error as Error).message, error)
    } finally {
      client.release()
    }
  }
}

async function applyOne(client: pg.PoolClient, context: ResidentContext, change: AlarmChange, now: string): Promise<boolean> {
  const a = change.alarm
  if (change.kind === 'raised') {
    const inserted = await client.query(
      `INSERT INTO alarms (id, org_id, resident_id, device_id, scope, type, severity, priority, status, incident_id, occurrences,
                           started_at, raised_at, updated_at, detail, version, test)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, 1, $10, $11, $11, $12, 1, $13) ON CONFLICT DO NOTHING`,
      [a.alarmId, context.orgId, context.residentId, a.deviceId, alarmScope(a.type, a.deviceId, a.test), a.type, a.severity, a.priority, a.incidentId, a.startedAt, now, a.detail, a.test ?? false],
    )
    if (inserted.rowCount === 0) {
      const exists = await client.query('SELECT 1 FROM alarms WHERE id = $1', [a.alarmId])
      if (exists.rowCount) return false
      // Another alarm of this type is open that our view did not show: reload and decide again.
      throw transientError('alarm_state_stale', `an open ${a.type} alarm already exists for this resident`)
    }
    await insertEvidence(client, change)
    return true
  }
  if (!(await insertEvidence(client, change))) return false
  const updated =
    change.kind === 'updated'
      ? await client.query(
          `UPDATE alarms SET severity = $2, priority = $3, occurrences = $4, detail = $5, version = $6, updated_at = $7
           WHERE id = $1 AND version = $6 - 1 AND status = 'open'`,
          [a.alarmId, a.severity, a.priority, a.occurrences, a.detail, a.version, now],
        )
      : await client.query(
          `UPDATE alarms SET status = $2, close_reason = $3, closed_at = $4, updated_at = $4, version = $5
           WHERE id = $1 AND version = $5 - 1 AND status = 'open'`,
          [a.alarmId, change.kind, change.reason, now, a.version],
        )
  if (updated.rowCount === 0) throw transientError('alarm_state_stale', `alarm ${a.alarmId} changed underneath`)
  return true
}

/**
 * Returns false when this change's cause (the last piece of evidence: the observation that made the rule
 * decide) is already recorded on this alarm, in any role: the change was applied before (a replayed batch).
 * Earlier evidence may repeat across changes and is kept once.
 */
async function insertEvidence(client: pg.PoolClient, change: AlarmChange): Promise<boolean> {
  const cause = change.evidence.at(-1)
  if (!cause) return true
  const seen = await client.query('SELECT 1 FROM alarm_evidence WHERE alarm_id = $1 AND event_id = $2', [change.alarm.alarmId, cause.eventId])
  if (seen.rowCount) return false
  for (const e of change.evidence) {
    await client.query(
      `INSERT INTO alarm_evidence (alarm_id, event_id, at, kind, role, "values") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [change.alarm.alarmId, e.eventId, e.at, e.kind, ROLE[change.kind], e.values],
    )
  }
  return true
}
