import type pg from 'pg'
import { parseInstant } from '@anxin/wall-clock'
import { computeServiceFigures, type ActorKind, type AlarmFacts, type AlarmLogEntry, type ServiceFigures } from '../domain/service-figures.ts'

export type ServiceFiguresQuery = { orgId: string; areaId: string | null; from: string; to: string; now: string }

type Db = pg.Pool | pg.PoolClient | pg.Client

// The lifecycle rows the rules look at (domain/service-figures.ts); notify, note, escalate and dispatch's own
// rows (link_opened, view_alarm, task_created, ...) are left in the database.
const LIFECYCLE_ACTIONS = ['raise', 'acknowledge', 'dispatch', 'arrive', 'resolve', 'auto_resolve', 'reopen']

/**
 * The alarms first raised in the window, with their lifecycle rows in log order, in one query. The raise rows
 * are found through the organisation (audit_log_org_seq_idx, then a filter on action and time), the rest of
 * each alarm's trail through audit_log_alarm_idx. Area scoping goes through the resident of the alarm.
 */
const ALARM_ROWS = `
  WITH raised AS (
    SELECT a.alarm_id, COALESCE(l.alarm_type, a.detail->>'alarmType', 'unknown') AS alarm_type
    FROM audit_log a
    LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.alarm_id AND l.org_id = a.org_id
    WHERE a.org_id = $1 AND a.action = 'raise' AND a.at >= $2 AND a.at < $3 AND a.alarm_id IS NOT NULL
      -- Test alarms (devices in test mode) are nobody's emergency: they count in no service figure.
      AND NOT COALESCE((a.detail->>'test')::boolean, false)
      AND ($4::text IS NULL OR EXISTS (
        SELECT 1 FROM residents r WHERE r.id = COALESCE(l.resident_id, a.resident_id) AND r.org_id = $1 AND r.area_id = $4))
  )
  SELECT e.alarm_id, r.alarm_type, e.action, e.actor_kind, (extract(epoch FROM e.at) * 1000)::float8 AS at_ms
  FROM (SELECT DISTINCT ON (alarm_id) alarm_id, alarm_type FROM raised) r
  JOIN audit_log e ON e.alarm_id = r.alarm_id AND e.org_id = $1
  WHERE e.action = ANY($5::text[]) AND e.at <= $6
  ORDER BY e.alarm_id, e.seq`

/** Current load: visit tasks not yet completed or cancelled, open device_offline alarms; and the zone. */
const CURRENT_ROW = `
  SELECT o.timezone,
    (SELECT count(*) FROM visit_tasks v
      WHERE v.org_id = $1 AND v.state NOT IN ('completed', 'cancelled')
        AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM residents r WHERE r.id = v.resident_id AND r.org_id = $1 AND r.area_id = $2))
    )::int AS open_tasks,
    (SELECT count(*) FROM alarms a
      WHERE a.org_id = $1 AND a.status = 'open' AND a.type = 'device_offline' AND NOT a.test
        AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM residents r WHERE r.id = a.resident_id AND r.org_id = $1 AND r.area_id = $2))
    )::int AS offline_devices
  FROM organisations o WHERE o.id = $1`

type AlarmRow = { alarm_id: string; alarm_type: string; action: string; actor_kind: ActorKind; at_ms: number }
type CurrentRow = { timezone: string; open_tasks: number; offline_devices: number }

/**
 * Service-level figures of an organisation (or one of its areas) for alarms first raised in [from, to), as at
 * `now`. Two set-based queries, whatever the number of alarms. Throws RangeError for a malformed window and
 * for an unknown organisation.
 */
export async function loadServiceFigures(db: Db, query: ServiceFiguresQuery): Promise<ServiceFigures> {
  const from = new Date(parseInstant(query.from, 'from'))
  const to = new Date(parseInstant(query.to, 'to'))
  const now = new Date(parseInstant(query.now, 'now'))
  const [alarmRows, currentRows] = await Promise.all([
    db.query<AlarmRow>(ALARM_ROWS, [query.orgId, from, to, query.areaId, LIFECYCLE_ACTIONS, now]),
    db.query<CurrentRow>(CURRENT_ROW, [query.orgId, query.areaId]),
  ])
  const current = currentRows.rows[0]
  if (!current) throw new RangeError(`unknown organisation ${JSON.stringify(query.orgId)}`)

  const alarms: AlarmFacts[] = []
  let last: { alarmId: string; alarmType: string; log: AlarmLogEntry[] } | undefined
  for (const row of alarmRows.rows) {
    if (last?.alarmId !== row.alarm_id) {
      last = { alarmId: row.alarm_id, alarmType: row.alarm_type, log: [] }
      alarms.push(last)
    }
    last.log.push({ action: row.action, actorKind: row.actor_kind, at: row.at_ms })
  }
  return computeServiceFigures(
    alarms,
    { from: query.from, to: query.to, now: query.now, timeZone: current.timezone },
    { openTasks: current.open_tasks, offlineDevices: current.offline_devices },
  )
}
