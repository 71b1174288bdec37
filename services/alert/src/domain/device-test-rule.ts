import type { ClearDecision, Evidence, RaiseDecision, Severity } from './types.ts'

/**
 * The weekly test of buttons and wearables (每周测试): each must send a test signal (its `button_test` event)
 * within the organisation's interval. Pure.
 *
 * - Tracked: active watches, SOS pendants and wall buttons. Home sensors (door, PIR, bed) are not buttons or
 *   wearables; a revoked device protects nobody; a device in test mode is with an installer or being checked
 *   right now (its test presses are recorded as tests), so it is not judged until it leaves test mode.
 * - The clock starts at the newest of: the last test, the current binding, the provisioning. A new device is
 *   never overdue from the epoch, and one handed to a new person counts from the hand-over (installers test
 *   at hand-over), not from a test made for someone else.
 * - `ok` up to and including `dueAt` (since + interval); `due` after it (the maintenance list) up to and
 *   including `overdueAt` (dueAt + grace); `overdue` after that (a `device_test_overdue` alarm). Days are
 *   exact 24-hour periods: the rule is about elapsed time, not calendar days (China has no daylight saving).
 */

export const TESTED_DEVICE_TYPES = ['watch', 'sos_pendant', 'wall_button'] as const

export const DEFAULT_TEST_SETTINGS: TestSettings = { intervalDays: 7, graceDays: 2 }

const DAY_MS = 86_400_000

export type TestSettings = { intervalDays: number; graceDays: number }

export type TestedDevice = {
  deviceId: string
  type: string
  status: 'active' | 'revoked'
  testMode: boolean
  /** When it was provisioned (devices.created_at). */
  provisionedAt: string
  /** When its current binding began; null when it is bound to nobody. */
  boundAt: string | null
}

export type TestStatus =
  | { status: 'untracked'; reason: 'not_button_or_wearable' | 'revoked' | 'test_mode' }
  | {
      status: 'ok' | 'due' | 'overdue'
      lastTestAt: string | null
      /** Where the clock runs from: the last test, or the binding or provisioning if later. */
      since: string
      dueAt: string
      overdueAt: string
    }

export function isTestedType(type: string): boolean {
  return (TESTED_DEVICE_TYPES as readonly string[]).includes(type)
}

export function deviceTestStatus(device: TestedDevice, lastTestAt: string | null, settings: TestSettings, now: string): TestStatus {
  if (!isTestedType(device.type)) return { status: 'untracked', reason: 'not_button_or_wearable' }
  if (device.status !== 'active') return { status: 'untracked', reason: 'revoked' }
  if (device.testMode) return { status: 'untracked', reason: 'test_mode' }
  const sinceMs = Math.max(...[lastTestAt, device.boundAt, device.provisionedAt].filter((t): t is string => t !== null).map(t => Date.parse(t)))
  const dueMs = sinceMs + settings.intervalDays * DAY_MS
  const overdueMs = dueMs + settings.graceDays * DAY_MS
  const nowMs = Date.parse(now)
  const status = nowMs > overdueMs ? 'overdue' : nowMs > dueMs ? 'due' : 'ok'
  return { status, lastTestAt, since: new Date(sinceMs).toISOString(), dueAt: new Date(dueMs).toISOString(), overdueAt: new Date(overdueMs).toISOString() }
}

/** An emergency button that may not work is a bigger gap in someone's safety than a watch. */
const OVERDUE_SEVERITY: Record<string, Severity> = { sos_pendant: 'medium', wall_button: 'medium', watch: 'low' }

/**
 * The evidence id that opens the alarm: one per device and due instant, so the alarm id (alarm-book's
 * `alarmIdFor`) is the same at every check. Two checks raise one alarm, and an alarm a person closed is not
 * raised again for the same missed test; the next one (after a new test) has a new due instant.
 */
export const overdueEventId = (deviceId: string, dueAt: string): string => `device-test:${deviceId}:${dueAt}`

/** The alarm for an overdue device, or null when it is not overdue. */
export function overdueDecision(device: Pick<TestedDevice, 'deviceId' | 'type'>, status: TestStatus, now: string): RaiseDecision | null {
  if (status.status !== 'overdue') return null
  const facts = { lastTestAt: status.lastTestAt, since: status.since, dueAt: status.dueAt, overdueAt: status.overdueAt }
  return {
    action: 'raise',
    type: 'device_test_overdue',
    severity: OVERDUE_SEVERITY[device.type] ?? 'low',
    // The condition began when the test fell due; the grace period only delayed the alarm.
    at: status.dueAt,
    evidence: [{ eventId: overdueEventId(device.deviceId, status.dueAt), at: now, kind: 'timer', values: facts }],
    detail: { ...facts, deviceType: device.type },
  }
}

/**
 * A test signal clears the device's overdue alarm, unless it is older than what the alarm was measured from
 * (a late or replayed test that was already counted).
 */
export function testClearDecision(
  alarm: { detail: Record<string, unknown>; startedAt: string } | null,
  test: { eventId: string; at: string },
): ClearDecision | null {
  if (!alarm) return null
  const since = typeof alarm.detail.since === 'string' ? alarm.detail.since : null
  if (since !== null && !(Date.parse(test.at) > Date.parse(since))) return null
  const evidence: Evidence = { eventId: test.eventId, at: test.at, kind: 'device_event', values: { event: 'button_test' } }
  return { action: 'clear', type: 'device_test_overdue', at: test.at, reason: 'tested', evidence: [evidence] }
}

/** Why the periodic check closes an open overdue alarm without a test signal; null: it stays open. */
export function staleOverdueReason(status: TestStatus, alarmSince: string | null, stillBound: boolean): string | null {
  if (!stillBound) return 'unbound'
  if (status.status === 'untracked') return status.reason
  if (status.status === 'overdue' && (alarmSince === null || status.since === alarmSince)) return null
  // Tested (or bound anew) since the alarm was raised: the test watch found it first.
  return status.status === 'overdue' ? 'superseded' : 'tested'
}

/**
 * Whether a device message is a test signal: the `button_test` event always; an SOS or fall from a device in
 * test mode too (the weekly test done through the whole alarm path, which the test view shows). The time is
 * the device's, unless it claims to come from the future (then the receipt time).
 */
export function testSignal(
  envelope: { type: string; eventId: string; occurredAt: string; receivedAt: string; payload: unknown },
  testMode: boolean,
): { eventId: string; at: string } | null {
  const event = envelope.type === 'device.event' && (envelope.payload as { type?: string }).type === 'button_test'
  if (!event && !(envelope.type === 'device.alarm' && testMode)) return null
  const at = Date.parse(envelope.occurredAt) > Date.parse(envelope.receivedAt) + 60_000 ? envelope.receivedAt : envelope.occurredAt
  return { eventId: envelope.eventId, at }
}
