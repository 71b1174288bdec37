import t from 'tap'
import {
  deviceTestStatus,
  overdueDecision,
  overdueEventId,
  staleOverdueReason,
  testClearDecision,
  testSignal,
  type TestedDevice,
  type TestStatus,
} from '../../src/domain/device-test-rule.ts'

const DAY = 86_400_000
const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const at = (ms: number) => new Date(T0 + ms).toISOString()
const week = { intervalDays: 7, graceDays: 2 }
const pendant: TestedDevice = { deviceId: 'pendant-1', type: 'sos_pendant', status: 'active', testMode: false, provisionedAt: at(-30 * DAY), boundAt: at(-20 * DAY) }

t.test('the clock runs from the last test: ok up to the due instant, due up to the grace end, then overdue', async t => {
  const status = (now: number) => deviceTestStatus(pendant, at(0), week, at(now)).status
  t.equal(status(0), 'ok')
  t.equal(status(7 * DAY), 'ok', 'exactly at the due instant: still within the interval')
  t.equal(status(7 * DAY + 1), 'due', 'one millisecond later: in the maintenance list')
  t.equal(status(9 * DAY), 'due', 'exactly at the end of the grace period: still only due')
  t.equal(status(9 * DAY + 1), 'overdue', 'then overdue')
  const s = deviceTestStatus(pendant, at(0), week, at(8 * DAY))
  t.same(s, { status: 'due', lastTestAt: at(0), since: at(0), dueAt: at(7 * DAY), overdueAt: at(9 * DAY) })
})

t.test('a device never tested counts from its binding or provisioning, never from the epoch', async t => {
  const bound = deviceTestStatus(pendant, null, week, at(0))
  t.equal(bound.status, 'overdue', 'bound 20 days ago and never tested')
  t.equal((bound as Extract<TestStatus, { since: string }>).since, pendant.boundAt)
  const fresh: TestedDevice = { ...pendant, provisionedAt: at(-DAY), boundAt: null }
  t.equal(deviceTestStatus(fresh, null, week, at(0)).status, 'ok', 'provisioned yesterday, in the drawer')
  t.equal(deviceTestStatus(fresh, null, week, at(6 * DAY)).status, 'ok')
  t.equal(deviceTestStatus(fresh, null, week, at(6 * DAY + 1)).status, 'due')
  const rebound: TestedDevice = { ...pendant, boundAt: at(-DAY) }
  t.equal(deviceTestStatus(rebound, at(-10 * DAY), week, at(0)).status, 'ok', 'handed to someone new yesterday: counts from the hand-over')
})

t.test('sensors, revoked devices and devices in test mode are not tracked', async t => {
  for (const type of ['door_sensor', 'pir_sensor', 'bed_sensor']) {
    t.same(deviceTestStatus({ ...pendant, type }, null, week, at(0)), { status: 'untracked', reason: 'not_button_or_wearable' }, type)
  }
  for (const type of ['watch', 'wall_button']) t.equal(deviceTestStatus({ ...pendant, type }, null, week, at(0)).status, 'overdue', type)
  t.same(deviceTestStatus({ ...pendant, status: 'revoked' }, null, week, at(0)), { status: 'untracked', reason: 'revoked' })
  t.same(deviceTestStatus({ ...pendant, testMode: true }, null, week, at(0)), { status: 'untracked', reason: 'test_mode' })
})

t.test("the organisation's interval and grace apply; a grace of 0 makes due and overdue one instant", async t => {
  const daily = { intervalDays: 1, graceDays: 0 }
  t.equal(deviceTestStatus(pendant, at(0), daily, at(DAY)).status, 'ok')
  t.equal(deviceTestStatus(pendant, at(0), daily, at(DAY + 1)).status, 'overdue')
})

t.test('the overdue alarm: deterministic evidence per device and due instant, medium for buttons, low for watches', async t => {
  const status = deviceTestStatus(pendant, at(0), week, at(10 * DAY))
  const decision = overdueDecision(pendant, status, at(10 * DAY))!
  t.equal(decision.type, 'device_test_overdue')
  t.equal(decision.severity, 'medium')
  t.equal(decision.at, at(7 * DAY), 'the condition began when the test fell due')
  t.equal(decision.evidence[0]!.eventId, overdueEventId('pendant-1', at(7 * DAY)))
  t.equal(decision.evidence[0]!.kind, 'timer')
  t.same(decision.detail, { lastTestAt: at(0), since: at(0), dueAt: at(7 * DAY), overdueAt: at(9 * DAY), deviceType: 'sos_pendant' })
  const later = overdueDecision(pendant, deviceTestStatus(pendant, at(0), week, at(11 * DAY)), at(11 * DAY))!
  t.equal(later.evidence[0]!.eventId, decision.evidence[0]!.eventId, 'a later check names the same missed test')
  const watch = { ...pendant, type: 'watch' }
  t.equal(overdueDecision(watch, deviceTestStatus(watch, at(0), week, at(10 * DAY)), at(10 * DAY))!.severity, 'low')
  t.equal(overdueDecision(pendant, deviceTestStatus(pendant, at(0), week, at(8 * DAY)), at(8 * DAY)), null, 'due is not an alarm')
})

t.test('a test clears the overdue alarm, unless it is older than what the alarm was measured from', async t => {
  const alarm = { detail: { since: at(0) }, startedAt: at(7 * DAY) }
  const clear = testClearDecision(alarm, { eventId: 'e-1', at: at(10 * DAY) })!
  t.equal(clear.action, 'clear')
  t.equal(clear.type, 'device_test_overdue')
  t.equal(clear.reason, 'tested')
  t.same(clear.evidence, [{ eventId: 'e-1', at: at(10 * DAY), kind: 'device_event', values: { event: 'button_test' } }])
  t.equal(testClearDecision(alarm, { eventId: 'e-0', at: at(0) }), null, 'the test already counted')
  t.equal(testClearDecision(null, { eventId: 'e-1', at: at(10 * DAY) }), null, 'no alarm, nothing to clear')
})

t.test('the check closes overdue alarms nothing stands behind any more', async t => {
  const overdue = deviceTestStatus(pendant, at(0), week, at(10 * DAY))
  t.equal(staleOverdueReason(overdue, at(0), true), null, 'still overdue for the same missed test: stays open')
  t.equal(staleOverdueReason(deviceTestStatus(pendant, at(9 * DAY), week, at(10 * DAY)), at(0), true), 'tested')
  t.equal(staleOverdueReason(deviceTestStatus(pendant, at(1 * DAY), week, at(20 * DAY)), at(0), true), 'superseded', 'tested, then overdue again: a new alarm')
  t.equal(staleOverdueReason(overdue, at(0), false), 'unbound')
  t.equal(staleOverdueReason(deviceTestStatus({ ...pendant, status: 'revoked' }, at(0), week, at(10 * DAY)), at(0), true), 'revoked')
  t.equal(staleOverdueReason(deviceTestStatus({ ...pendant, testMode: true }, at(0), week, at(10 * DAY)), at(0), true), 'test_mode')
})

t.test('test signals: the button_test event, and an SOS or fall from a device in test mode', async t => {
  const base = { eventId: 'e-1', occurredAt: at(0), receivedAt: at(1000) }
  t.same(testSignal({ ...base, type: 'device.event', payload: { type: 'button_test' } }, false), { eventId: 'e-1', at: at(0) })
  t.equal(testSignal({ ...base, type: 'device.event', payload: { type: 'im_ok' } }, true), null)
  t.equal(testSignal({ ...base, type: 'device.alarm', payload: { type: 'sos' } }, false), null, 'a real SOS is not a test')
  t.same(testSignal({ ...base, type: 'device.alarm', payload: { type: 'sos' } }, true), { eventId: 'e-1', at: at(0) })
  t.same(testSignal({ ...base, occurredAt: at(DAY), type: 'device.event', payload: { type: 'button_test' } }, false), { eventId: 'e-1', at: at(1000) }, 'a clock in the future is not believed')
})
