import type { SessionUser } from '../domain/session-user.ts'
import { loadResidentDetail, type ResidentDetail } from './resident-records.ts'
import { loadAlarmSummary, type AlarmSummary } from './alarm-read-model.ts'
import type { ConsoleContext } from './console-context.ts'
import { tasksOfAlarm, type TaskView } from './visit-tasks.ts'

export type Evidence = { at: string; kind: string; role: string; values: Record<string, unknown> }
export type LastLocation = { at: string; lat: number; lon: number; accuracyM: number | null }

export type AlarmDetail = {
  alarm: AlarmSummary
  resident: ResidentDetail
  evidence: Evidence[]
  tasks: TaskView[]
  /** The resident's devices now (also in `resident.devices`): what is on the wrist or the wall matters on this page. */
  devices: ResidentDetail['devices']
  location: LastLocation | null
  recommendation: { call120: boolean }
}

/**
 * Everything an operator needs on one screen: the alarm, who the resident is (record, contacts, care team,
 * devices), what happened (evidence), the visits, where they were last seen, and whether the policy has
 * reached its "call 120" step.
 */
export async function loadAlarmDetail(context: ConsoleContext, user: SessionUser, alarmId: string): Promise<AlarmDetail | null> {
  const { pool } = context
  const alarm = await loadAlarmSummary(pool, user, alarmId)
  if (!alarm) return null
  const now = context.now()
  const [resident, evidence, tasks, location, call120] = await Promise.all([
    loadResidentDetail(pool, user, alarm.residentId, now),
    pool.query<{ at: Date; kind: string; role: string; values: Record<string, unknown> }>('SELECT at, kind, role, "values" FROM alarm_evidence WHERE alarm_id = $1 ORDER BY at', [alarmId]),
    tasksOfAlarm(pool, alarmId),
    pool.query<{ time: Date; lat: number; lon: number; accuracy_m: number | null }>(
      'SELECT time, lat, lon, accuracy_m FROM locations WHERE resident_id = $1 ORDER BY time DESC LIMIT 1',
      [alarm.residentId],
    ),
    // Escalation records the policy's "call 120" step as a notification of the recommendation itself.
    pool.query(`SELECT 1 FROM audit_log WHERE alarm_id = $1 AND action = 'notify' AND detail->'recipient'->>'id' = 'call_120' LIMIT 1`, [alarmId]),
  ])
  if (!resident) return null
  const l = location.rows[0]
  return {
    alarm,
    resident,
    evidence: evidence.rows.map(e => ({ at: e.at.toISOString(), kind: e.kind, role: e.role, values: e.values })),
    tasks,
    devices: resident.devices,
    location: l ? { at: l.time.toISOString(), lat: l.lat, lon: l.lon, accuracyM: l.accuracy_m } : null,
    recommendation: { call120: (call120.rowCount ?? 0) > 0 },
  }
}
