import { nameBasedUuid, type AlarmEvent } from '@anxin/contracts'
import type { AlarmChange, ResidentContext } from './alarm-book.ts'

const STATUS = { raised: 'open', updated: 'open', cleared: 'cleared', cancelled: 'cancelled' } as const

/** The Kafka message for an applied alarm change. Its id follows from the alarm id and version. */
export function toAlarmEvent(change: AlarmChange, context: ResidentContext, occurredAt: string): AlarmEvent {
  const a = change.alarm
  return {
    eventId: nameBasedUuid(`alarm-event\n${a.alarmId}\n${a.version}`),
    schemaVersion: 1,
    kind: change.kind,
    alarmId: a.alarmId,
    incidentId: a.incidentId,
    version: a.version,
    orgId: context.orgId,
    residentId: context.residentId,
    deviceId: a.deviceId,
    type: a.type,
    severity: a.severity,
    priority: a.priority,
    status: STATUS[change.kind],
    occurrences: a.occurrences,
    startedAt: new Date(a.startedAt).toISOString(),
    occurredAt,
    causeEventId: change.evidence.at(-1)?.eventId ?? null,
    reason: change.reason,
    detail: a.detail,
    ...(a.test ? { test: true } : {}),
  }
}
