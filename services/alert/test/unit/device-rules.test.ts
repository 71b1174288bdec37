import t from 'tap'
import {
  INITIAL_BATTERY_STATE,
  INITIAL_SUPERVISION_STATE,
  INITIAL_WORN_STATE,
  checkNotWorn,
  checkOffline,
  defaultGraceS,
  evaluateBattery,
  evaluateWorn,
  recordLowBatteryEvent,
  recordSeen,
  type BatteryState,
  type SupervisionState,
  type WornState,
} from '../../src/domain/device-rules.ts'
import type { Decision, RaiseDecision } from '../../src/domain/types.ts'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
const brief = (d: Decision) => [d.action, d.type, d.action === 'raise' ? d.severity : d.reason]

// ---------------------------------------------------------------------------------------------------------
// Offline
// ---------------------------------------------------------------------------------------------------------

const seenAt = (s: number, state: SupervisionState = INITIAL_SUPERVISION_STATE) => recordSeen(state, { at: at(s), eventId: `m${s}` }).state

t.test('grace is 10 % of the interval, at least 60 s', async t => {
  t.equal(defaultGraceS(300), 60)
  t.equal(defaultGraceS(600), 60)
  t.equal(defaultGraceS(3600), 360)
})

t.test('offline is raised exactly once, by the timer, after interval + grace (strict)', async t => {
  let state = seenAt(0)
  const decisions: { s: number; d: Decision }[] = []
  // A 30 s timer over 20 minutes of silence from a device reporting every 300 s (grace 60 s).
  for (let s = 30; s <= 1200; s += 30) {
    const r = checkOffline(state, { now: at(s), supervisionIntervalS: 300 })
    state = r.state
    for (const d of r.decisions) decisions.push({ s, d })
  }
  t.same(decisions.map(x => x.s), [390], 'first tick past 360 s, and only once')
  const d = decisions[0]!.d as RaiseDecision
  t.same(brief(d), ['raise', 'device_offline', 'medium'])
  t.equal(d.at, at(0), 'the silence began with the last message')
  t.same(d.detail, { lastSeenAt: at(0), silentSeconds: 390, supervisionIntervalS: 300, graceS: 60 })
  t.same(d.evidence, [{ eventId: 'm0:offline', at: at(390), kind: 'timer', values: { lastSeenAt: at(0), silentSeconds: 390 } }])
  t.equal(state.offline, true)
})

t.test('the limit itself is not offline; one second more is', async t => {
  const state = seenAt(0)
  t.equal(checkOffline(state, { now: at(360), supervisionIntervalS: 300 }).decisions.length, 0)
  t.equal(checkOffline(state, { now: at(361), supervisionIntervalS: 300 }).decisions.length, 1)
  t.equal(checkOffline(state, { now: at(3960), supervisionIntervalS: 3600 }).decisions.length, 0, '10 % grace on a long interval')
  t.equal(checkOffline(state, { now: at(3961), supervisionIntervalS: 3600 }).decisions.length, 1)
  t.equal(checkOffline(state, { now: at(301), supervisionIntervalS: 300, graceS: 0 }).decisions.length, 1, 'explicit grace')
  t.equal(checkOffline(state, { now: at(300), supervisionIntervalS: 300, graceS: 0 }).decisions.length, 0)
})

t.test('the caller may raise a silent SOS button as high', async t => {
  const r = checkOffline(seenAt(0), { now: at(400), supervisionIntervalS: 300, severity: 'high' })
  t.equal((r.decisions[0] as RaiseDecision).severity, 'high')
})

t.test('any message brings it back online, and a later silence raises again', async t => {
  let state = checkOffline(seenAt(0), { now: at(400), supervisionIntervalS: 300 }).state
  const back = recordSeen(state, { at: at(500), eventId: 'm500', kind: 'vitals' })
  t.same(back.decisions, [
    { action: 'clear', type: 'device_offline', at: at(500), reason: 'back_online', evidence: [{ eventId: 'm500', at: at(500), kind: 'vitals', values: {} }] },
  ])
  state = back.state
  t.same(state, { lastSeenAt: at(500), lastSeenEventId: 'm500', offline: false })
  t.equal(recordSeen(state, { at: at(510), eventId: 'm510' }).decisions.length, 0, 'online messages clear nothing')
  t.equal(checkOffline(state, { now: at(860), supervisionIntervalS: 300 }).decisions.length, 0)
  t.equal(checkOffline(state, { now: at(861), supervisionIntervalS: 300 }).decisions.length, 1)
})

t.test('a never-seen device is not judged; replays do not move lastSeenAt back or clear', async t => {
  t.equal(checkOffline(INITIAL_SUPERVISION_STATE, { now: at(99_999), supervisionIntervalS: 300 }).decisions.length, 0)
  const offline = checkOffline(seenAt(100), { now: at(500), supervisionIntervalS: 300 }).state
  const replay = recordSeen(offline, { at: at(50), eventId: 'old' })
  t.equal(replay.state, offline)
  t.equal(replay.decisions.length, 0)
  const dup = recordSeen(offline, { at: at(100), eventId: 'm100' })
  t.equal(dup.state, offline)
})

// ---------------------------------------------------------------------------------------------------------
// Not worn
// ---------------------------------------------------------------------------------------------------------

function wornRun(inputs: { s: number; worn: boolean; sustainSeconds?: number }[], state: WornState = INITIAL_WORN_STATE) {
  const decisions: { s: number; d: Decision }[] = []
  for (const i of inputs) {
    const input: Parameters<typeof evaluateWorn>[1] = { at: at(i.s), eventId: `w${i.s}`, worn: i.worn }
    if (i.sustainSeconds !== undefined) input.sustainSeconds = i.sustainSeconds
    const r = evaluateWorn(state, input)
    state = r.state
    for (const d of r.decisions) decisions.push({ s: i.s, d })
  }
  return { state, decisions }
}

t.test('not worn is raised only after 600 s off (inclusive), once, and cleared when worn again', async t => {
  const { state, decisions } = wornRun([
    { s: 0, worn: true },
    { s: 60, worn: false },
    { s: 360, worn: false },
    { s: 659, worn: false },
    { s: 660, worn: false }, // 600 s off
    { s: 960, worn: false },
    { s: 1000, worn: true },
  ])
  t.same(decisions.map(x => [x.s, ...brief(x.d)]), [
    [660, 'raise', 'device_not_worn', 'medium'],
    [1000, 'clear', 'device_not_worn', 'worn_again'],
  ])
  const raise = decisions[0]!.d as RaiseDecision
  t.equal(raise.at, at(60), 'dated from when it came off')
  t.same(raise.detail, { notWornSince: at(60), notWornSeconds: 600, sustainSeconds: 600 })
  t.same(raise.evidence.map(e => [e.eventId, e.kind]), [['w60', 'status'], ['w660', 'status']])
  t.same(state, { ...INITIAL_WORN_STATE, lastAt: at(1000) })
})

t.test('a quick re-wear (shower) never alarms and restarts the stretch', async t => {
  const { decisions } = wornRun([
    { s: 0, worn: false },
    { s: 300, worn: false },
    { s: 420, worn: true },
    { s: 500, worn: false },
    { s: 1099, worn: false }, // 599 s since 500
  ])
  t.equal(decisions.length, 0)
  const later = wornRun([{ s: 0, worn: false }, { s: 420, worn: true }, { s: 500, worn: false }, { s: 1100, worn: false }])
  t.same(later.decisions.map(x => [x.s, x.d.at]), [[1100, at(500)]])
})

t.test('a late not-worn report cannot undo a newer worn one', async t => {
  // Were the late report at 50 s let in, the stretch would date from it and 650 s would already alarm.
  const { state, decisions } = wornRun([{ s: 0, worn: false }, { s: 100, worn: true }, { s: 50, worn: false }, { s: 650, worn: false }])
  t.equal(decisions.length, 0)
  t.equal(state.notWornSince, at(650))
})

t.test('the timer ends the sustain period when no further report comes', async t => {
  const ev = evaluateWorn(INITIAL_WORN_STATE, { at: at(0), eventId: 'nw', worn: false, source: 'device_event' })
  t.equal(ev.decisions.length, 0)
  t.equal(checkNotWorn(ev.state, { now: at(599) }).decisions.length, 0)
  const r = checkNotWorn(ev.state, { now: at(600) })
  t.equal(r.decisions.length, 1)
  const d = r.decisions[0] as RaiseDecision
  t.equal(d.at, at(0))
  t.same(d.evidence.map(e => [e.eventId, e.kind]), [['nw', 'device_event'], ['nw:not-worn', 'timer']])
  t.equal(checkNotWorn(r.state, { now: at(900) }).decisions.length, 0, 'once')
  t.equal(checkNotWorn(INITIAL_WORN_STATE, { now: at(99_999) }).decisions.length, 0, 'nothing while worn / unknown')
  t.equal(checkNotWorn(ev.state, { now: at(119), sustainSeconds: 120 }).decisions.length, 0)
  t.equal(checkNotWorn(ev.state, { now: at(120), sustainSeconds: 120 }).decisions.length, 1, 'custom sustain')
})

t.test('sustainSeconds 0 raises on the first report with one piece of evidence', async t => {
  const { decisions } = wornRun([{ s: 0, worn: false, sustainSeconds: 0 }])
  t.equal(decisions.length, 1)
  t.equal(decisions[0]!.d.evidence.length, 1)
})

// ---------------------------------------------------------------------------------------------------------
// Low battery
// ---------------------------------------------------------------------------------------------------------

function batteryRun(inputs: { s: number; battery: number; charging?: boolean }[], state: BatteryState = INITIAL_BATTERY_STATE) {
  const decisions: { s: number; d: Decision }[] = []
  for (const i of inputs) {
    const input: Parameters<typeof evaluateBattery>[1] = { at: at(i.s), eventId: `b${i.s}`, battery: i.battery }
    if (i.charging !== undefined) input.charging = i.charging
    const r = evaluateBattery(state, input)
    state = r.state
    for (const d of r.decisions) decisions.push({ s: i.s, d })
  }
  return { state, decisions }
}

t.test('low below 15 % (15 itself is fine), cleared only at 25 %: no flapping in between', async t => {
  const { state, decisions } = batteryRun([
    { s: 0, battery: 16 },
    { s: 10, battery: 15 },
    { s: 20, battery: 14 }, // raise
    { s: 30, battery: 16 },
    { s: 40, battery: 14 },
    { s: 50, battery: 20 },
    { s: 60, battery: 24 },
    { s: 70, battery: 25 }, // clear
    { s: 80, battery: 14 }, // low again
  ])
  t.same(decisions.map(x => [x.s, ...brief(x.d)]), [
    [20, 'raise', 'low_battery', 'low'],
    [70, 'clear', 'low_battery', 'battery_recovered'],
    [80, 'raise', 'low_battery', 'low'],
  ])
  const raise = decisions[0]!.d as RaiseDecision
  t.equal(raise.at, at(20))
  t.same(raise.detail, { battery: 14, lowPct: 15, source: 'status' })
  t.same(raise.evidence, [{ eventId: 'b20', at: at(20), kind: 'status', values: { battery: 14, charging: false } }])
  t.equal(state.low, true)
})

t.test('charging: no alarm while on the charger, and plugging in clears', async t => {
  const { decisions } = batteryRun([
    { s: 0, battery: 10, charging: true },
    { s: 10, battery: 10, charging: false }, // raise
    { s: 20, battery: 11, charging: true }, // clear: someone dealt with it
    { s: 30, battery: 12, charging: false }, // unplugged while still low: raise again
  ])
  t.same(decisions.map(x => [x.s, ...brief(x.d)]), [
    [10, 'raise', 'low_battery', 'low'],
    [20, 'clear', 'low_battery', 'charging'],
    [30, 'raise', 'low_battery', 'low'],
  ])
})

t.test('custom thresholds', async t => {
  const inputs = [{ s: 0, battery: 19 }, { s: 10, battery: 30 }, { s: 20, battery: 40 }]
  let state = INITIAL_BATTERY_STATE
  const actions: string[] = []
  for (const i of inputs) {
    const r = evaluateBattery(state, { at: at(i.s), eventId: 'x', battery: i.battery, lowPct: 20, clearPct: 40 })
    state = r.state
    actions.push(...r.decisions.map(d => `${i.s}:${d.action}`))
  }
  t.same(actions, ['0:raise', '20:clear'])
})

t.test('the device low_battery event raises whatever the level, once; status clears it', async t => {
  const ev = recordLowBatteryEvent(INITIAL_BATTERY_STATE, { at: at(0), eventId: 'lb', battery: 18 })
  t.equal(ev.decisions.length, 1)
  const d = ev.decisions[0] as RaiseDecision
  t.same(brief(d), ['raise', 'low_battery', 'low'])
  t.same(d.detail, { battery: 18, source: 'device_event' })
  t.same(d.evidence, [{ eventId: 'lb', at: at(0), kind: 'device_event', values: { event: 'low_battery', battery: 18 } }])
  t.equal(recordLowBatteryEvent(ev.state, { at: at(10), eventId: 'lb2' }).decisions.length, 0, 'already low')
  const after = batteryRun([{ s: 20, battery: 20 }, { s: 30, battery: 26 }], ev.state)
  t.same(after.decisions.map(x => [x.s, x.d.action]), [[30, 'clear']])
  const noLevel = recordLowBatteryEvent(INITIAL_BATTERY_STATE, { at: at(0), eventId: 'lb' })
  t.equal((noLevel.decisions[0] as RaiseDecision).detail.battery, null)
})

t.test('late battery readings are ignored', async t => {
  const { state, decisions } = batteryRun([{ s: 60, battery: 30 }, { s: 30, battery: 10 }, { s: 60, battery: 5 }])
  t.equal(decisions.length, 0)
  t.same(state, { lastAt: at(60), low: false })
  const late = recordLowBatteryEvent(state, { at: at(10), eventId: 'old' })
  t.equal(late.state, state)
  t.equal(late.decisions.length, 0)
})

t.test('all states are plain JSON', async t => {
  const states = [
    checkOffline(seenAt(0), { now: at(400), supervisionIntervalS: 300 }).state,
    wornRun([{ s: 0, worn: false }]).state,
    batteryRun([{ s: 0, battery: 5 }]).state,
  ]
  for (const s of states) t.same(JSON.parse(JSON.stringify(s)), s)
  t.equal(wornRun([{ s: 0, worn: false }]).state.notWornSource, 'status')
})
