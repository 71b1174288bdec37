import type pg from 'pg'
import { PERSON_ALARM_TYPES } from '@anxin/contracts'

/** Alert's priority for a critical alarm (services/alert/src/domain/priority.ts): severity base 400. */
const CRITICAL_PRIORITY = 400
const ALWAYS_CRITICAL_TYPES: ReadonlySet<string> = new Set(PERSON_ALARM_TYPES)

/** What a message or the responder page says about an alarm and the person it is about. Personal data. */
export type AlarmFacts = {
  alarmId: string
  orgId: string
  residentId: string
  alarmType: string
  priority: number
  critical: boolean
  raisedAt: string
  residentName: string
  residentAddress: string
  residentAge: number
  livingSituation: string
  residentLocation: { lat: number; lon: number } | null
  areaId: string | null
  timezone: string
  /** The alarm's lifecycle state in escalation ('raised' until escalation has recorded it). */
  lifecycleState: string
  /** From a device in test mode: nobody is sent and no family is told. */
  test: boolean
}

export const isCritical = (alarmType: string, priority: number): boolean => ALWAYS_CRITICAL_TYPES.has(alarmType) || priority >= CRITICAL_PRIORITY

type FactsRow = {
  id: string; org_id: string; resident_id: string; type: string; priority: number; raised_at: Date; full_name: string; address: string
  age: number; living_situation: string; lat: number | null; lon: number | null; area_id: string | null; timezone: string; lifecycle_state: string | null
  test: boolean
}

export async function loadAlarmFacts(db: pg.ClientBase | pg.Pool, alarmId: string): Promise<AlarmFacts | null> {
  const { rows } = await db.query<FactsRow>(
    `SELECT a.id, a.org_id, a.resident_id, a.type, a.priority, a.raised_at, r.full_name, r.address, r.living_situation, r.lat, r.lon,
            r.area_id, o.timezone, date_part('year', age(r.birth_date))::int AS age, l.state AS lifecycle_state, a.test
     FROM alarms a JOIN residents r ON r.id = a.resident_id JOIN organisations o ON o.id = a.org_id
     LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.id
     WHERE a.id = $1`,
    [alarmId],
  )
  const r = rows[0]
  if (!r) return null
  return {
    alarmId: r.id, orgId: r.org_id, residentId: r.resident_id, alarmType: r.type, priority: r.priority, critical: isCritical(r.type, r.priority),
    raisedAt: r.raised_at.toISOString(), residentName: r.full_name, residentAddress: r.address, residentAge: r.age,
    livingSituation: r.living_situation, residentLocation: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
    areaId: r.area_id, timezone: r.timezone, lifecycleState: r.lifecycle_state ?? 'raised', test: r.test,
  }
}
