/**
 * An alarm about the platform itself (not about a resident): a service that stopped answering, a consumer
 * that stopped making progress, a disk about to fill, Kafka gone. One active alarm per id, raised once and
 * cleared once, like ThingsBoard's "one active alarm per type and originator".
 */
export const SYSTEM_ALARM_KINDS = ['service_unresponsive', 'service_not_ready', 'consumer_stalled', 'disk_low', 'kafka_unreachable'] as const
export type SystemAlarmKind = (typeof SYSTEM_ALARM_KINDS)[number]
export type SystemAlarmSeverity = 'critical' | 'warning'

export type SystemAlarm = {
  /** `<kind>:<subject>`: the deterministic key that makes "raised once" hold across rounds. */
  id: string
  kind: SystemAlarmKind
  /** What the alarm is about: a service name, a consumer group label, a disk label, or "kafka". */
  subject: string
  severity: SystemAlarmSeverity
  /** For people: what was seen, in plain words (no personal data exists at this level). */
  detail: string
  raisedAt: string
  clearedAt: string | null
}

export const SEVERITY: Record<SystemAlarmKind, SystemAlarmSeverity> = {
  service_unresponsive: 'critical',
  service_not_ready: 'warning',
  consumer_stalled: 'critical',
  disk_low: 'critical',
  kafka_unreachable: 'critical',
}

export const alarmId = (kind: SystemAlarmKind, subject: string): string => `${kind}:${subject}`
