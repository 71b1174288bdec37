import type pg from 'pg'
import type { AlarmEvent, AlarmLifecycleEvent } from '@anxin/contracts'
import { withTransaction } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import { deviceStatusChange } from '../domain/device-status-change.ts'
import { loadAlarmSummaries, type AlarmSummary } from './alarm-read-model.ts'
import { appendFeedEvents, lockFeed, type NewFeedEvent } from './feed-store.ts'

/**
 * Turns alarm events (alert) and lifecycle events (escalation) into feed events carrying the alarm as it now
 * is, so a browser updates its row in place without asking. Called per Kafka batch; idempotent by event id.
 */
export async function writeAlarmEvents(pool: pg.Pool, logger: Logger, events: readonly AlarmEvent[]): Promise<number> {
  return withAlarms(pool, logger, events, (e, alarm) => {
    const common = { orgId: e.orgId, areaId: alarm.areaId, residentId: e.residentId, alarmId: e.alarmId, at: e.occurredAt, cause: e.kind }
    const out: NewFeedEvent[] = [{ ...common, eventId: `alarm:${e.eventId}`, kind: 'alarm', alarm, device: null }]
    const device = deviceStatusChange({ type: e.type, kind: e.kind, deviceId: e.deviceId })
    if (device) out.push({ ...common, eventId: `device:${e.eventId}`, kind: 'device', alarm: null, device })
    return out
  })
}

export async function writeLifecycleEvents(pool: pg.Pool, logger: Logger, events: readonly AlarmLifecycleEvent[]): Promise<number> {
  return withAlarms(pool, logger, events, (e, alarm) => [
    { eventId: `lifecycle:${e.eventId}`, kind: 'lifecycle', orgId: e.orgId, areaId: alarm.areaId, residentId: e.residentId, alarmId: e.alarmId, at: e.at, cause: e.action, alarm, device: null },
  ])
}

/**
 * The alarms are read after taking the feed's lock, so each event's snapshot is at least as new as every event
 * before it: a later seq never carries an older picture of the alarm.
 */
async function withAlarms<E extends { alarmId: string }>(
  pool: pg.Pool,
  logger: Logger,
  events: readonly E[],
  toFeed: (event: E, alarm: AlarmSummary) => NewFeedEvent[],
): Promise<number> {
  return withTransaction(pool, async client => {
    await lockFeed(client)
    const alarms = await loadAlarmSummaries(client, [...new Set(events.map(e => e.alarmId))])
    const out: NewFeedEvent[] = []
    for (const e of events) {
      const alarm = alarms.get(e.alarmId)
      if (alarm) out.push(...toFeed(e, alarm))
      else logger.warn({ alarmId: e.alarmId }, 'event for an alarm not in the database; not shown')
    }
    return appendFeedEvents(client, out)
  })
}
