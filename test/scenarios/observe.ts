import type pg from 'pg'
import type { DispatchService } from '@anxin/dispatch'
import type { ScenarioIds } from './fixture.ts'

/** What the platform recorded about one resident, read the way the console and the audit would. */

export type AlarmRow = { id: string; type: string; severity: string; priority: number; status: string; occurrences: number; test: boolean; raised_at: Date; state: string | null; level: number | null }

export async function alarmsOf(pool: pg.Pool, residentId: string): Promise<AlarmRow[]> {
  const { rows } = await pool.query<AlarmRow>(
    `SELECT a.id, a.type, a.severity, a.priority, a.status, a.occurrences, a.test, a.raised_at, l.state, l.escalation_level AS level
     FROM alarms a LEFT JOIN alarm_lifecycles l ON l.alarm_id = a.id WHERE a.resident_id = $1 ORDER BY a.raised_at, a.id`,
    [residentId],
  )
  return rows
}

export type Command = { alarmId: string; alarmType: string; level: number; reason: string; recipient: { kind: string; id: string }; channels: string[]; at: string }

/** Escalation's notify commands for the resident's alarms: what it decided to send, to whom, how (see platform.ts). */
export async function commandsOf(pool: pg.Pool, residentId: string): Promise<Command[]> {
  const { rows } = await pool.query<{ payload: Command }>(
    `SELECT payload FROM scenario_commands WHERE payload->>'residentId' = $1 ORDER BY seq`,
    [residentId],
  )
  return rows.map(r => r.payload)
}

export type TimelineEntry = { at: string; source: string; action: string; actor: { kind: string; id: string } | null; channel: string | null; detail: Record<string, unknown> }

/** The alarm's timeline as the console shows it (dispatch assembles it from the audit trail and deliveries). */
export async function timelineOf(dispatch: DispatchService, alarmId: string): Promise<TimelineEntry[]> {
  const response = await dispatch.http.inject({ url: `/alarms/${alarmId}/timeline` })
  return (response.json() as { timeline: TimelineEntry[] }).timeline
}

/** A person's key in the scenario ("doctor", "family:1", "call_120") for a platform id. */
export function keyOf(ids: ScenarioIds, id: string): string {
  const staff = Object.entries(ids.staff).find(([, v]) => v === id)
  if (staff) return staff[0]
  const contact = /:contact:(\d+)$/.exec(id)
  if (contact) return `family:${contact[1]}`
  return id
}

/** The platform id for a person's key in the scenario. */
export function idOf(ids: ScenarioIds, key: string): string {
  if (key.startsWith('family:')) return `${ids.residentId}:contact:${key.slice(7)}`
  return ids.staff[key] ?? key
}

/** "notify:doctor", "acknowledge:carer", "raise": the words a scenario's timeline expectation uses. */
export function timelineWords(ids: ScenarioIds, entry: TimelineEntry): string[] {
  const recipient = (entry.detail.recipient as { id?: string } | undefined)?.id
  const who = entry.action === 'notify' && recipient ? recipient : entry.actor?.kind === 'system' ? null : entry.actor?.id
  return who ? [entry.action, `${entry.action}:${keyOf(ids, who)}`] : [entry.action]
}
