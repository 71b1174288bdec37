import t from 'tap'
import {
  CORRELATION_WINDOW_SECONDS,
  alarmIdFor,
  applyDecision,
  type AlarmChange,
  type OpenAlarm,
  type ResidentContext,
} from '../../src/domain/alarm-book.ts'
import type { LedgerFlags } from '../../src/domain/priority.ts'
import { evaluateUrgent, initialFallState } from '../../src/domain/sos-fall-rule.ts'
import type { AlarmType, CancelDecision, ClearDecision, Decision, RaiseDecision, Severity } from '../../src/domain/types.ts'

const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
const MIN = 60

const NO_FLAGS: LedgerFlags = { disabled: false, dementia: false, veryOld: false, livingAlone: false, emptyNest: false }
const ctx: ResidentContext = { residentId: 'res-0001', orgId: 'org-01', flags: NO_FLAGS }
const WATCH = 'watch-0001'
const PENDANT = 'pendant-0001'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function raise(type: AlarmType, severity: Severity, s: number, eventId: string, detail: RaiseDecision['detail'] = {}): RaiseDecision {
  return { action: 'raise', type, severity, at: at(s), evidence: [{ eventId, at: at(s), kind: 'vitals', values: {} }], detail }
}
function clear(type: AlarmType, s: number, eventId: string, reason = 'back_in_range'): ClearDecision {
  return { action: 'clear', type, at: at(s), reason, evidence: [{ eventId, at: at(s), kind: 'vitals', values: {} }] }
}
function cancel(type: AlarmType, s: number, eventId: string): CancelDecision {
  return { action: 'cancel', type, at: at(s), reason: 'cancelled_by_wearer', evidence: [{ eventId, at: at(s), kind: 'device_event', values: {} }] }
}

/** Applies decisions one after another as the processor does: the open list follows each change. */
function fold(open: OpenAlarm[], steps: Array<{ d: Decision; deviceId?: string | null; now: number }>, context = ctx) {
  const changes: Array<AlarmChange | null> = []
  for (const { d, deviceId = WATCH, now } of steps) {
    const change = applyDecision(open, context, d, { deviceId, now: at(now) })
    changes.push(change)
    if (!change) continue
    open = open.filter(a => a.type !== change.alarm.type)
    if (change.kind === 'raised' || change.kind === 'updated') open.push(change.alarm)
  }
  return { open, changes }
}

/** The one open alarm after a single raise. */
function opened(d: RaiseDecision, deviceId: string | null = WATCH, now = 1, open: OpenAlarm[] = [], context = ctx): OpenAlarm {
  const change = applyDecision(open, context, d, { deviceId, now: at(now) })
  if (!change || change.kind !== 'raised') throw new Error(`expected a raise, got ${change?.kind ?? 'null'}`)
  return change.alarm
}

// ---------------------------------------------------------------------------------------------------------
// Alarm ids
// ---------------------------------------------------------------------------------------------------------

t.test('alarmIdFor is a deterministic name-based uuid of resident, type and opening event', async t => {
  const id = alarmIdFor('res-0001', 'sos', 'evt-1')
  t.match(id, UUID)
  t.equal(alarmIdFor('res-0001', 'sos', 'evt-1'), id, 'same inputs, same id')
  t.not(alarmIdFor('res-0001', 'sos', 'evt-2'), id, 'another opening event')
  t.not(alarmIdFor('res-0001', 'fall', 'evt-1'), id, 'another type')
  t.not(alarmIdFor('res-0002', 'sos', 'evt-1'), id, 'another resident')
})

// ---------------------------------------------------------------------------------------------------------
// Raise
// ---------------------------------------------------------------------------------------------------------

t.test('a raise with nothing open opens an alarm', async t => {
  const d = raise('heart_rate_high', 'high', 0, 'hr-1', { metric: 'heart_rate', threshold: 120, worst: 131 })
  const change = applyDecision([], ctx, d, { deviceId: WATCH, now: at(120) })
  const id = alarmIdFor('res-0001', 'heart_rate_high', 'hr-1')
  t.strictSame(change, {
    kind: 'raised',
    reason: null,
    evidence: d.evidence,
    alarm: {
      alarmId: id,
      incidentId: id,
      type: 'heart_rate_high',
      severity: 'high',
      priority: 300,
      occurrences: 1,
      deviceId: WATCH,
      startedAt: at(0),
      raisedAt: at(120),
      version: 1,
      detail: { metric: 'heart_rate', threshold: 120, worst: 131 },
    },
  })
})

t.test('the alarm id follows the opening event: replays give the same id, another event another', async t => {
  const first = opened(raise('fall', 'critical', 0, 'fall-1'))
  const replay = opened(raise('fall', 'critical', 0, 'fall-1'), WATCH, 999)
  const other = opened(raise('fall', 'critical', 0, 'fall-2'))
  t.equal(replay.alarmId, first.alarmId)
  t.not(other.alarmId, first.alarmId)
})

t.test('a raise without evidence takes its id from type and time', async t => {
  const d: RaiseDecision = { ...raise('inactivity', 'low', 0, 'unused'), evidence: [] }
  t.equal(opened(d).alarmId, alarmIdFor('res-0001', 'inactivity', `inactivity:${at(0)}`))
})

t.test('a second raise of the same type updates the open alarm', async t => {
  const first = opened(raise('heart_rate_high', 'high', 0, 'hr-1', { metric: 'heart_rate', threshold: 120, worst: 131, note: 'first' }))
  const again = raise('heart_rate_high', 'critical', 60, 'hr-9', { metric: 'heart_rate', threshold: 120, worst: 155 })
  const change = applyDecision([first], ctx, again, { deviceId: PENDANT, now: at(61) })
  t.strictSame(change, {
    kind: 'updated',
    reason: null,
    evidence: again.evidence,
    alarm: {
      ...first,
      severity: 'critical',
      priority: 400,
      occurrences: 2,
      version: 2,
      detail: { metric: 'heart_rate', threshold: 120, worst: 155, note: 'first' },
    },
  })
  // Unchanged by the update: identity, incident, device, start and first raise time.
  t.equal(change?.alarm.alarmId, first.alarmId)
  t.equal(change?.alarm.deviceId, WATCH)
  t.equal(change?.alarm.startedAt, at(0))
  t.equal(change?.alarm.raisedAt, at(1))
})

t.test('an update never lowers severity', async t => {
  const critical = opened(raise('spo2_low', 'critical', 0, 'sp-1'))
  const change = applyDecision([critical], ctx, raise('spo2_low', 'high', 30, 'sp-2'), { deviceId: WATCH, now: at(30) })
  t.equal(change?.kind, 'updated')
  t.equal(change?.alarm.severity, 'critical')
  t.equal(change?.alarm.priority, 400)
  t.equal(change?.alarm.occurrences, 2)
})

t.test('an inactivity warning then alarm: one alarm, upgraded from low to high', async t => {
  const { open, changes } = fold([], [
    { d: raise('inactivity', 'low', 0, 'act-1:inactivity-warning', { stage: 'warning' }), now: 135 * MIN },
    { d: raise('inactivity', 'high', 0, 'act-1:inactivity-alarm', { stage: 'alarm' }), now: 180 * MIN },
  ])
  t.strictSame(changes.map(c => c?.kind), ['raised', 'updated'])
  t.equal(open.length, 1)
  t.equal(open[0]!.severity, 'high')
  t.equal(open[0]!.priority, 300)
  t.equal(open[0]!.detail.stage, 'alarm')
  t.equal(open[0]!.alarmId, alarmIdFor('res-0001', 'inactivity', 'act-1:inactivity-warning'))
})

t.test('SOS pressed five times: one alarm with five occurrences', async t => {
  let fall = initialFallState()
  const steps = [1, 2, 3, 4, 5].map(press => {
    const r = evaluateUrgent(fall, { type: 'sos', eventId: `sos-${press}`, at: at(press * 10), pressCount: press })
    fall = r.state
    return { d: r.decisions[0]!, deviceId: PENDANT, now: press * 10 }
  })
  const { open, changes } = fold([], steps)
  t.strictSame(changes.map(c => c?.kind), ['raised', 'updated', 'updated', 'updated', 'updated'])
  t.equal(open.length, 1)
  const sos = open[0]!
  t.equal(sos.alarmId, alarmIdFor('res-0001', 'sos', 'sos-1'), 'the first press names the alarm')
  t.equal(sos.occurrences, 5)
  t.equal(sos.version, 5)
  t.equal(sos.severity, 'critical')
  t.equal(sos.startedAt, at(10))
  t.equal(sos.detail.pressCount, 5, 'detail from the latest press')
  t.equal(sos.deviceId, PENDANT)
})

// ---------------------------------------------------------------------------------------------------------
// Clear and cancel
// ---------------------------------------------------------------------------------------------------------

t.test('a clear closes the open alarm of its type', async t => {
  const hr = opened(raise('heart_rate_high', 'high', 0, 'hr-1'))
  const spo2 = opened(raise('spo2_low', 'high', 0, 'sp-1'))
  const d = clear('heart_rate_high', 300, 'hr-20')
  const change = applyDecision([spo2, hr], ctx, d, { deviceId: WATCH, now: at(301) })
  t.strictSame(change, { kind: 'cleared', reason: 'back_in_range', evidence: d.evidence, alarm: { ...hr, version: 2 } })
})

t.test('a clear never closes an SOS or a fall: only a person does', async t => {
  const sos = opened(raise('sos', 'critical', 0, 'sos-1'))
  const fall = opened(raise('fall', 'critical', 0, 'fall-1'))
  t.equal(applyDecision([sos, fall], ctx, clear('sos', 60, 'x-1', 'whatever'), { deviceId: WATCH, now: at(60) }), null)
  t.equal(applyDecision([sos, fall], ctx, clear('fall', 60, 'x-2', 'whatever'), { deviceId: WATCH, now: at(60) }), null)
})

t.test("a cancel of a fall (I'm OK in time) closes it as cancelled", async t => {
  const fall = opened(raise('fall', 'critical', 0, 'fall-1'))
  const d = cancel('fall', 20, 'ok-1')
  const change = applyDecision([fall], ctx, d, { deviceId: WATCH, now: at(21) })
  t.strictSame(change, { kind: 'cancelled', reason: 'cancelled_by_wearer', evidence: d.evidence, alarm: { ...fall, version: 2 } })
})

t.test('clear or cancel with nothing of that type open changes nothing', async t => {
  const spo2 = opened(raise('spo2_low', 'high', 0, 'sp-1'))
  t.equal(applyDecision([], ctx, clear('heart_rate_high', 0, 'hr-1'), { deviceId: WATCH, now: at(0) }), null)
  t.equal(applyDecision([], ctx, cancel('fall', 0, 'ok-1'), { deviceId: WATCH, now: at(0) }), null)
  t.equal(applyDecision([spo2], ctx, clear('heart_rate_high', 0, 'hr-1'), { deviceId: WATCH, now: at(0) }), null)
  t.equal(applyDecision([spo2], ctx, cancel('fall', 0, 'ok-1'), { deviceId: WATCH, now: at(0) }), null)
})

t.test('after a clear the next raise opens a new alarm', async t => {
  const { open, changes } = fold([], [
    { d: raise('heart_rate_high', 'high', 0, 'hr-1'), now: 120 },
    { d: clear('heart_rate_high', 600, 'hr-30'), now: 720 },
    { d: raise('heart_rate_high', 'high', 3600, 'hr-99'), now: 3720 },
  ])
  t.strictSame(changes.map(c => c?.kind), ['raised', 'cleared', 'raised'])
  t.equal(open.length, 1)
  t.equal(open[0]!.alarmId, alarmIdFor('res-0001', 'heart_rate_high', 'hr-99'))
  t.equal(open[0]!.occurrences, 1)
  t.equal(open[0]!.version, 1)
})

// ---------------------------------------------------------------------------------------------------------
// Correlation into incidents
// ---------------------------------------------------------------------------------------------------------

t.test('a fall, a heart-rate spike 3 min later and the inactivity since the fall are one incident', async t => {
  const { open, changes } = fold([], [
    { d: raise('fall', 'critical', 0, 'fall-1'), now: 1 },
    { d: raise('heart_rate_high', 'high', 3 * MIN, 'hr-1'), now: 5 * MIN },
    // Inactivity is raised hours later, but it began at the fall (the last activity).
    { d: raise('inactivity', 'high', 0, 'fall-1:inactivity-alarm'), now: 180 * MIN },
  ])
  t.strictSame(changes.map(c => c?.kind), ['raised', 'raised', 'raised'])
  const fallId = alarmIdFor('res-0001', 'fall', 'fall-1')
  t.strictSame(open.map(a => [a.type, a.incidentId]), [
    ['fall', fallId],
    ['heart_rate_high', fallId],
    ['inactivity', fallId],
  ])
  t.not(open[1]!.alarmId, fallId, 'each alarm keeps its own id')
})

t.test('outside the correlation window a person alarm starts a new incident', async t => {
  t.equal(CORRELATION_WINDOW_SECONDS, 900)
  const fall = opened(raise('fall', 'critical', 0, 'fall-1'))
  const later = opened(raise('heart_rate_high', 'high', 20 * MIN, 'hr-1'), WATCH, 20 * MIN, [fall])
  t.equal(later.incidentId, later.alarmId, '20 min later: own incident')

  const edge = opened(raise('heart_rate_high', 'high', 15 * MIN, 'hr-2'), WATCH, 15 * MIN, [fall])
  t.equal(edge.incidentId, fall.incidentId, 'exactly 15 min: joins (inclusive)')
  const past = opened(raise('heart_rate_high', 'high', 15 * MIN + 1, 'hr-3'), WATCH, 15 * MIN, [fall])
  t.equal(past.incidentId, past.alarmId, '15 min 1 s: own incident')
})

t.test('correlation looks both ways in time and joins the earliest related alarm', async t => {
  const hr = opened(raise('heart_rate_high', 'high', 0, 'hr-1'))
  const fall = opened(raise('fall', 'critical', 5 * MIN, 'fall-1'), WATCH, 5 * MIN, [hr])
  t.equal(fall.incidentId, hr.alarmId, 'a fall after a spike joins the spike')

  // Two unrelated incidents 20 min apart; an alarm between them is within 15 min of both: the earlier wins.
  const exit = opened(raise('geofence_exit', 'high', 0, 'geo-1'))
  const spo2 = opened(raise('spo2_low', 'high', 20 * MIN, 'sp-1'), WATCH, 20 * MIN, [exit])
  t.equal(spo2.incidentId, spo2.alarmId)
  const between = opened(raise('fall', 'critical', 10 * MIN, 'fall-2'), WATCH, 10 * MIN, [spo2, exit])
  t.equal(between.incidentId, exit.alarmId)
})

t.test('device alarms never join a person incident, and person alarms never join a device alarm', async t => {
  const fall = opened(raise('fall', 'critical', 0, 'fall-1'))
  const offline = opened(raise('device_offline', 'high', MIN, 'pendant:offline'), PENDANT, MIN, [fall])
  const battery = opened(raise('low_battery', 'low', MIN, 'bat-1'), WATCH, MIN, [fall, offline])
  const notWorn = opened(raise('device_not_worn', 'medium', 0, 'nw-1'), WATCH, MIN, [fall, offline, battery])
  t.equal(offline.incidentId, offline.alarmId)
  t.equal(battery.incidentId, battery.alarmId)
  t.equal(notWorn.incidentId, notWorn.alarmId)

  const hr = opened(raise('heart_rate_high', 'high', 0, 'hr-1'), WATCH, MIN, [offline, battery, notWorn])
  t.equal(hr.incidentId, hr.alarmId, 'only device alarms open: a person alarm starts its own incident')
})

t.test('priority grows with the ledger flags, on raise and on update', async t => {
  const vulnerable: ResidentContext = { ...ctx, flags: { ...NO_FLAGS, livingAlone: true, veryOld: true } }
  const plain = opened(raise('heart_rate_high', 'high', 0, 'hr-1'))
  const flagged = opened(raise('heart_rate_high', 'high', 0, 'hr-1'), WATCH, 1, [], vulnerable)
  t.equal(plain.priority, 300)
  t.equal(flagged.priority, 320)
  const update = applyDecision([flagged], vulnerable, raise('heart_rate_high', 'critical', 60, 'hr-5'), { deviceId: WATCH, now: at(60) })
  t.equal(update?.alarm.priority, 420, 'recomputed from the new severity and the flags')
})

// ---------------------------------------------------------------------------------------------------------
// Device alarms are per resident and type, not per device
// ---------------------------------------------------------------------------------------------------------

t.test('device alarms of two devices of one resident are kept apart', async t => {
  // Keyed by resident and type alone, the watch coming back online would close the pendant's offline alarm,
  // and the pendant (whose supervision state is already `offline: true`) would never be re-raised.
  const pendantOffline = opened(raise('device_offline', 'high', 0, 'pendant:offline'), PENDANT, 4000)

  const watchOffline = applyDecision([pendantOffline], ctx, raise('device_offline', 'medium', 60, 'watch:offline'), { deviceId: WATCH, now: at(4100) })
  t.equal(watchOffline?.kind, 'raised', "the watch's offline opens its own alarm")
  t.equal(watchOffline?.alarm.deviceId, WATCH, "the watch's alarm names the watch")

  const watchBack = applyDecision([pendantOffline], ctx, clear('device_offline', 4200, 'watch-msg', 'back_online'), { deviceId: WATCH, now: at(4200) })
  t.equal(watchBack, null, "the watch coming back online does not clear the pendant's offline alarm")
})

t.test('open alarms are plain JSON', async t => {
  const { open } = fold([], [
    { d: raise('fall', 'critical', 0, 'fall-1', { lat: 31.23, lon: null }), now: 1 },
    { d: raise('heart_rate_high', 'high', 60, 'hr-1', { metric: 'heart_rate', threshold: 110 }), deviceId: null, now: 120 },
  ])
  t.strictSame(JSON.parse(JSON.stringify(open)), open)
})

t.test('a device in test mode has a slot of its own: a test press never absorbs a real SOS, nor joins its incident', async t => {
  const testSos = applyDecision([], ctx, raise('sos', 'critical', 0, 'ev-test'), { deviceId: PENDANT, now: at(0), test: true })
  t.equal(testSos?.kind, 'raised')
  t.equal(testSos?.alarm.test, true, 'the alarm is a test alarm')
  const open = [testSos!.alarm]
  const realSos = applyDecision(open, ctx, raise('sos', 'critical', 30, 'ev-real'), { deviceId: WATCH, now: at(30) })
  t.equal(realSos?.kind, 'raised', 'a real SOS while a test SOS is open raises a real alarm')
  t.equal(realSos?.alarm.test, undefined)
  t.not(realSos?.alarm.incidentId, testSos?.alarm.incidentId, 'in an incident of its own')
  const again = applyDecision([...open, realSos!.alarm], ctx, raise('sos', 'critical', 60, 'ev-test-2'), { deviceId: PENDANT, now: at(60), test: true })
  t.equal(again?.kind, 'updated', 'a second test press adds to the test alarm')
  t.equal(again?.alarm.alarmId, testSos?.alarm.alarmId)
  t.not(alarmIdFor(ctx.residentId, 'sos', 'ev-test', 'test:pendant-0001'), alarmIdFor(ctx.residentId, 'sos', 'ev-test'), 'the test slot is part of the alarm id')
})
