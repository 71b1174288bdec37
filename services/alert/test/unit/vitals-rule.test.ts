import t from 'tap'
import type { Decision, RaiseDecision } from '../../src/domain/types.ts'
import { defaultThresholds, effectiveThresholds, type VitalMetric, type VitalThresholds } from '../../src/domain/vital-thresholds.ts'
import {
  MAX_EVIDENCE, evaluateVital, evaluateVitalsReading, initialVitalsState,
  type VitalsRuleState, type VitalsStates, type VitalsValues,
} from '../../src/domain/vitals-rule.ts'

const T0 = Date.parse('2026-11-22T03:00:00.000Z')
/** ISO time `sec` seconds after T0 (negative for earlier). */
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString()
const base = defaultThresholds([])

type Step = { sec: number; decisions: Decision[]; state: VitalsRuleState }

/** Feeds [seconds, value] readings of one metric in arrival order; event ids are `${metric}@${sec}`. */
function feed(metric: VitalMetric, readings: Array<[number, number]>, thresholds: VitalThresholds = base, start = initialVitalsState()) {
  let state = start
  const steps: Step[] = []
  for (const [sec, value] of readings) {
    const result = evaluateVital(state, { metric, value, at: at(sec), eventId: `${metric}@${sec}`, thresholds })
    state = result.state
    steps.push({ sec, decisions: result.decisions, state })
  }
  return { state, steps, decisions: steps.flatMap(s => s.decisions) }
}

/** Readings every `every` seconds from `from` to `to` inclusive, all with `value`. */
function steady(value: number, from: number, to: number, every = 30): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let sec = from; sec <= to; sec += every) out.push([sec, value])
  return out
}

const ids = (d: Decision | undefined) => d?.evidence.map(e => e.eventId)
const raises = (ds: Decision[]) => ds.filter((d): d is RaiseDecision => d.action === 'raise')
const clears = (ds: Decision[]) => ds.filter(d => d.action === 'clear')

t.test('in-range readings, including values equal to a limit, never alarm', async t => {
  const { state, decisions } = feed('heart_rate', [[0, 70], ...steady(120, 30, 600), ...steady(45, 630, 1200)])
  t.same(decisions, [], '120 and 45 are the limits themselves: in range')
  t.equal(state.phase, 'normal')
  t.equal(state.lastAt, at(1200), 'lastAt follows accepted readings in every phase')
})

t.test('one noisy sample never raises', async t => {
  const { steps, decisions } = feed('heart_rate', [[0, 70], [30, 135], [60, 72], [300, 135], [330, 80]])
  t.same(decisions, [])
  t.equal(steps[1]!.state.phase, 'pending')
  t.equal(steps[1]!.state.since, at(30))
  t.equal(steps[2]!.state.phase, 'normal', 'back in range before sustaining: forgotten')
  t.same(steps[2]!.state.evidence, [])
  t.equal(steps[3]!.state.since, at(300), 'a later spike starts a new run; the old one does not count')
})

t.test('sustained out of range raises once, dated from when it began', async t => {
  const { steps } = feed('heart_rate', [[0, 70], [30, 125], [90, 128], [149, 126], [150, 124], [180, 130]])
  t.same(steps[3]!.decisions, [], '119 s after the first high reading: not yet')
  t.equal(steps[3]!.state.phase, 'pending')
  t.same(steps[4]!.decisions, [{
    action: 'raise',
    type: 'heart_rate_high',
    severity: 'high',
    at: at(30),
    evidence: [
      { eventId: 'heart_rate@30', at: at(30), kind: 'vitals', values: { heart_rate: 125 } },
      { eventId: 'heart_rate@90', at: at(90), kind: 'vitals', values: { heart_rate: 128 } },
      { eventId: 'heart_rate@149', at: at(149), kind: 'vitals', values: { heart_rate: 126 } },
      { eventId: 'heart_rate@150', at: at(150), kind: 'vitals', values: { heart_rate: 124 } },
    ],
    detail: { metric: 'heart_rate', threshold: 120, direction: 'high', worst: 128 },
  }], 'exactly 120 s after the first high reading')
  t.equal(steps[4]!.state.phase, 'alarming')
  t.same(steps[5]!.decisions, [], 'still high: no repeat')
})

t.test('sustain is measured on reading times, however sparse', async t => {
  const { steps } = feed('spo2', [[0, 90], [600, 91]])
  t.same(steps[0]!.decisions, [])
  t.equal(raises(steps[1]!.decisions)[0]?.at, at(0), 'two low readings ten minutes apart confirm')
})

t.test('a critical reading raises at once', async t => {
  const immediate = feed('spo2', [[0, 97], [10, 80]])
  t.same(immediate.steps[1]!.decisions, [{
    action: 'raise', type: 'spo2_low', severity: 'critical', at: at(10),
    evidence: [{ eventId: 'spo2@10', at: at(10), kind: 'vitals', values: { spo2: 80 } }],
    detail: { metric: 'spo2', threshold: 92, direction: 'low', worst: 80 },
  }])

  const afterPending = feed('spo2', [[0, 90], [30, 84]])
  t.same(afterPending.steps[0]!.decisions, [], '90 is only high severity: waits')
  const raise = raises(afterPending.steps[1]!.decisions)[0]
  t.equal(raise?.severity, 'critical', '84 is below 92 - 6')
  t.equal(raise?.at, at(0), 'dated from the start of the low run')
  t.same(ids(raise), ['spo2@0', 'spo2@30'])

  const borderline = feed('spo2', [[0, 86]])
  t.same(borderline.decisions, [], '86 is exactly on the critical line: high, so it waits')
})

t.test('severity upgrade from high to critical raises again, never downgrades', async t => {
  const { steps, decisions } = feed('heart_rate', [[0, 125], [120, 130], [150, 150], [180, 155], [210, 160], [240, 140]])
  t.equal(raises(steps[1]!.decisions)[0]?.severity, 'high')
  t.same(steps[2]!.decisions, [], '150 is on the critical line (120 + 30): no change')
  const upgrade = raises(steps[3]!.decisions)[0]
  t.equal(upgrade?.severity, 'critical')
  t.equal(upgrade?.at, at(0), 'same episode, same start')
  t.equal(upgrade?.detail.worst, 155)
  t.same(ids(upgrade), ['heart_rate@0', 'heart_rate@120', 'heart_rate@150', 'heart_rate@180'])
  t.same(steps[4]!.decisions, [], 'already critical')
  t.same(steps[5]!.decisions, [], 'less bad again: no downgrade raise')
  t.equal(decisions.length, 2)
})

t.test('flapping around the limit: exactly one raise, no clear until hysteresis and sustain', async t => {
  const { steps, decisions } = feed('heart_rate', [
    // Hovering at 120 before anything is confirmed: every run is too short.
    [0, 118], [30, 122], [60, 118], [90, 122], [120, 119],
    // Sustained high: raised at 270, dated 150.
    [150, 125], [180, 125], [270, 124],
    // Hovering just under the limit but inside the 5 bpm band (116..120): not recovered.
    [300, 118], [330, 122], [360, 117], [390, 121], [420, 116],
    // Recovered briefly, then high again: back to alarming without a new raise.
    [450, 114], [480, 121],
    // Recovered, then into the band again: the clearing run is broken.
    [510, 115], [540, 113], [600, 116],
    // Recovered and staying there for 120 s: cleared, dated when it came back.
    [630, 110], [700, 112], [749, 110], [750, 109],
  ])
  const bySec = (sec: number) => steps.find(s => s.sec === sec)!
  t.equal(raises(decisions).length, 1, 'one raise')
  t.equal(clears(decisions).length, 1, 'one clear')
  t.equal(raises(bySec(270).decisions)[0]?.at, at(150))
  t.equal(bySec(420).state.phase, 'alarming', '116 is within the band')
  t.equal(bySec(450).state.phase, 'clearing')
  t.equal(bySec(450).state.clearingSince, at(450))
  t.equal(bySec(480).state.phase, 'alarming')
  t.equal(bySec(540).state.clearingSince, at(510))
  t.equal(bySec(600).state.phase, 'alarming', 'into the band again')
  t.same(bySec(749).decisions, [], '119 s after recovery: not yet')
  t.same(bySec(750).decisions, [{
    action: 'clear', type: 'heart_rate_high', at: at(630), reason: 'back_in_range',
    evidence: [
      { eventId: 'heart_rate@630', at: at(630), kind: 'vitals', values: { heart_rate: 110 } },
      { eventId: 'heart_rate@700', at: at(700), kind: 'vitals', values: { heart_rate: 112 } },
      { eventId: 'heart_rate@749', at: at(749), kind: 'vitals', values: { heart_rate: 110 } },
      { eventId: 'heart_rate@750', at: at(750), kind: 'vitals', values: { heart_rate: 109 } },
    ],
  }])
  t.same(bySec(750).state, { ...initialVitalsState(), lastAt: at(750) }, 'back to a clean normal state')
})

t.test('a low alarm clears after coming back above limit + band', async t => {
  const { steps } = feed('heart_rate', [[0, 40], [120, 41], [150, 49], [180, 52], [299, 55], [300, 51]])
  t.equal(raises(steps[1]!.decisions)[0]?.type, 'heart_rate_low')
  t.equal(steps[2]!.state.phase, 'alarming', '49 is within the band above 45')
  t.equal(steps[3]!.state.phase, 'clearing', '52 >= 45 + 5')
  t.same(steps[4]!.decisions, [])
  t.same(clears(steps[5]!.decisions).map(d => [d.type, d.at, d.reason]), [['heart_rate_low', at(180), 'back_in_range']])
})

t.test('duplicate and out-of-order readings are ignored', async t => {
  const first = feed('heart_rate', [[0, 125]])
  const duplicate = evaluateVital(first.state, { metric: 'heart_rate', value: 125, at: at(0), eventId: 'heart_rate@0', thresholds: base })
  t.equal(duplicate.state, first.state, 'same time: state untouched')
  t.same(duplicate.decisions, [])

  // A stale in-range reading would otherwise reset the pending run.
  const pending = feed('heart_rate', [[-30, 100], [120, 125]], base, first.state)
  t.equal(pending.steps[0]!.state, first.state, 'older reading: state untouched')
  t.equal(raises(pending.steps[1]!.decisions)[0]?.at, at(0), 'the run was not broken')

  const redelivered = feed('heart_rate', [[120, 125]], base, pending.state)
  t.same(redelivered.decisions, [], 'the confirming reading redelivered does not raise twice')

  // A stale high reading would otherwise break the clearing run.
  const clearing = feed('heart_rate', [[150, 110], [140, 130], [270, 110]], base, pending.state)
  t.equal(clearing.steps[1]!.state.phase, 'clearing')
  t.same(clears(clearing.steps[2]!.decisions).map(d => d.at), [at(150)])
})

t.test('unusable readings are ignored', async t => {
  const start = feed('heart_rate', [[0, 125]]).state
  const nan = evaluateVital(start, { metric: 'heart_rate', value: Number.NaN, at: at(10), eventId: 'x', thresholds: base })
  t.equal(nan.state, start)
  const badTime = evaluateVital(start, { metric: 'heart_rate', value: 70, at: 'yesterday', eventId: 'y', thresholds: base })
  t.equal(badTime.state, start)
})

t.test('opposite direction while pending restarts the run', async t => {
  const { steps } = feed('heart_rate', [[0, 130], [30, 40], [150, 42]])
  t.same(steps[1]!.decisions, [])
  t.equal(steps[1]!.state.direction, 'low')
  t.equal(steps[1]!.state.since, at(30))
  t.same(steps[1]!.state.evidence.map(e => e.eventId), ['heart_rate@30'], 'the high reading is not evidence of the low run')
  t.same(steps[2]!.decisions.map(d => [d.action, d.type, d.at]), [['raise', 'heart_rate_low', at(30)]])
})

t.test('opposite direction while alarming clears the old alarm and starts the new run', async t => {
  const { steps } = feed('heart_rate', [[0, 130], [120, 130], [150, 40], [269, 41], [270, 42]])
  t.same(steps[2]!.decisions, [{
    action: 'clear', type: 'heart_rate_high', at: at(150), reason: 'opposite_direction',
    evidence: [{ eventId: 'heart_rate@150', at: at(150), kind: 'vitals', values: { heart_rate: 40 } }],
  }])
  t.equal(steps[2]!.state.phase, 'pending')
  t.equal(steps[2]!.state.direction, 'low')
  t.same(steps[3]!.decisions, [])
  const low = raises(steps[4]!.decisions)[0]
  t.equal(low?.type, 'heart_rate_low')
  t.equal(low?.at, at(150))
  t.equal(low?.detail.worst, 40)

  const critical = feed('heart_rate', [[0, 130], [120, 130], [150, 30]])
  t.same(critical.steps[2]!.decisions.map(d => [d.action, d.type]), [['clear', 'heart_rate_high'], ['raise', 'heart_rate_low']],
    'a critical swing clears and raises in one step')
  t.equal(raises(critical.steps[2]!.decisions)[0]?.severity, 'critical')

  const fromClearing = feed('heart_rate', [[0, 130], [120, 130], [150, 100], [180, 40]])
  t.equal(fromClearing.steps[2]!.state.phase, 'clearing')
  t.same(fromClearing.steps[3]!.decisions.map(d => [d.action, d.type, d.action === 'clear' ? d.reason : null]), [['clear', 'heart_rate_high', 'opposite_direction']])
})

t.test('evidence keeps at most MAX_EVIDENCE readings: first, worst and last survive', async t => {
  const readings = steady(125, 0, 720).map(([sec, v]): [number, number] => [sec, sec === 90 ? 140 : v])
  const { state } = feed('heart_rate', readings)
  t.equal(state.evidence.length, MAX_EVIDENCE)
  t.equal(state.evidence[0]?.eventId, 'heart_rate@0', 'first')
  t.ok(state.evidence.some(e => e.eventId === 'heart_rate@90'), 'worst')
  t.equal(state.evidence.at(-1)?.eventId, 'heart_rate@720', 'last')
  t.equal(state.worst, 140)

  const upgrade = feed('heart_rate', [[750, 155]], base, state)
  const raise = raises(upgrade.decisions)[0]
  t.equal(raise?.evidence.length, MAX_EVIDENCE)
  t.equal(raise?.evidence[0]?.eventId, 'heart_rate@0')
  t.equal(raise?.evidence.at(-1)?.eventId, 'heart_rate@750', 'the new worst is the last')
})

t.test('sustainSeconds 0 raises and clears on the first reading', async t => {
  const { steps } = feed('temperature', [[0, 38.4], [60, 37.6]], { ...base, sustainSeconds: 0 })
  t.same(steps[0]!.decisions.map(d => [d.action, d.type, d.at]), [['raise', 'temperature_high', at(0)]])
  t.same(steps[1]!.decisions.map(d => [d.action, d.type, d.at]), [['clear', 'temperature_high', at(60)]])
})

t.test('condition defaults: a COPD resident lives at 90 % SpO2', async t => {
  const tenMinutesAt90 = steady(90, 0, 600, 60)
  t.same(feed('spo2', tenMinutesAt90, defaultThresholds(['copd'])).decisions, [], 'COPD: no alarm')
  const other = feed('spo2', tenMinutesAt90, defaultThresholds(['hypertension']))
  t.same(other.decisions.map(d => [d.action, d.type, d.at]), [['raise', 'spo2_low', at(0)]], 'non-COPD: alarm')
  t.same(feed('spo2', steady(87, 0, 600, 60), defaultThresholds(['copd'])).decisions.map(d => d.type), ['spo2_low'], 'COPD below 88')
})

t.test("the doctor's override wins", async t => {
  const tenMinutesAt125 = steady(125, 0, 600, 60)
  t.same(feed('heart_rate', tenMinutesAt125, effectiveThresholds([], { heartRateHigh: 130 })).decisions, [])
  t.equal(feed('heart_rate', tenMinutesAt125, base).decisions.length, 1, 'without the override it alarms')

  const slower = feed('heart_rate', tenMinutesAt125, effectiveThresholds([], { sustainSeconds: 300 }))
  t.same(slower.steps.filter(s => s.decisions.length > 0).map(s => s.sec), [300], 'override of the sustain time')

  const tighter = feed('systolic', steady(165, 0, 600, 60), effectiveThresholds(['hypertension'], { systolicHigh: 150 }))
  t.same(raises(tighter.decisions).map(d => [d.type, d.detail.threshold]), [['blood_pressure_high', 150]],
    'tighter than the hypertension default (180)')
})

t.test('several conditions at once', async t => {
  const thresholds = defaultThresholds(['hypertension', 'copd', 'heart_disease'])
  let states: VitalsStates = {}
  const decisions: Decision[] = []
  for (const sec of [0, 60, 120, 180]) {
    const r = evaluateVitalsReading(states, { at: at(sec), eventId: `m@${sec}`, vitals: { systolic: 170, diastolic: 105, spo2: 89, heartRate: 115 } }, thresholds)
    states = r.states
    decisions.push(...r.decisions)
  }
  t.same(decisions.map(d => [d.action, d.type, d.at]), [['raise', 'heart_rate_high', at(0)]],
    'hypertension and COPD tolerate 170/105 and 89 %; heart disease alarms at 115')
  t.equal(raises(decisions)[0]?.detail.threshold, 110)
})

/** Feeds (systolic, diastolic) pairs through evaluateVitalsReading; returns decisions per reading. */
function feedBloodPressure(readings: Array<[number, number, number]>, thresholds: VitalThresholds = base) {
  let states: VitalsStates = {}
  const steps: Array<{ sec: number; decisions: Decision[]; states: VitalsStates }> = []
  for (const [sec, systolic, diastolic] of readings) {
    const r = evaluateVitalsReading(states, { at: at(sec), eventId: `bp@${sec}`, vitals: { systolic, diastolic } }, thresholds)
    states = r.states
    steps.push({ sec, decisions: r.decisions, states })
  }
  return { steps, decisions: steps.flatMap(s => s.decisions) }
}

t.test('evaluateVitalsReading runs every metric present and only those', async t => {
  const vitals = { heartRate: 70, spo2: 97, steps: 1200 }
  const existing = feed('glucose', [[0, 6]]).state
  const r = evaluateVitalsReading({ glucose: existing }, { at: at(10), eventId: 'm', vitals: vitals as VitalsValues }, base)
  t.same(Object.keys(r.states).sort(), ['glucose', 'heart_rate', 'spo2'])
  t.equal(r.states.glucose, existing, 'a metric absent from the reading keeps its state')
  t.equal(r.states.heart_rate?.lastAt, at(10))
  t.same(r.decisions, [])
})

t.test('blood pressure: systolic and diastolic high share one alarm', async t => {
  const { steps, decisions } = feedBloodPressure([
    [0, 170, 105], [60, 172, 106], [120, 171, 104],
    // Systolic recovers and stays recovered; diastolic is still high.
    [150, 140, 104], [270, 140, 104],
    // Diastolic recovers too.
    [300, 140, 90], [420, 140, 90],
  ])
  t.same(steps[2]!.decisions.map(d => [d.action, d.type, d.at, d.action === 'raise' ? d.detail.metric : null]),
    [['raise', 'blood_pressure_high', at(0), 'systolic']], 'both confirm at 120 s: one raise')
  t.equal(steps[4]!.states.systolic?.phase, 'normal', 'systolic has cleared on its own...')
  t.same(steps[4]!.decisions, [], '...but the shared alarm stays open while diastolic is high')
  t.same(steps[6]!.decisions.map(d => [d.action, d.type, d.at]), [['clear', 'blood_pressure_high', at(300)]])
  t.equal(decisions.length, 2)
})

t.test('blood pressure: a second metric raises only to increase severity', async t => {
  const { steps } = feedBloodPressure([[0, 170, 80], [120, 170, 80], [150, 170, 105], [270, 170, 105], [300, 170, 125]])
  t.same(steps[1]!.decisions.map(d => d.type), ['blood_pressure_high'])
  t.equal(steps[3]!.states.diastolic?.phase, 'alarming', 'diastolic confirmed on its own...')
  t.same(steps[3]!.decisions, [], '...but the alarm is already open at that severity')
  const upgrade = raises(steps[4]!.decisions)
  t.same(upgrade.map(d => [d.severity, d.detail.metric]), [['critical', 'diastolic']], 'diastolic above 120 upgrades it')
})

t.test('blood pressure: both raising or clearing in one reading yields one decision', async t => {
  const { steps } = feedBloodPressure([[0, 170, 105], [120, 170, 125], [150, 130, 80], [270, 130, 80]])
  t.same(raises(steps[1]!.decisions).map(d => [d.severity, d.detail.metric, d.at]), [['critical', 'diastolic', at(0)]],
    'the more severe of two simultaneous raises')
  t.equal(steps[1]!.decisions.length, 1)
  t.same(steps[3]!.decisions.map(d => [d.action, d.type]), [['clear', 'blood_pressure_high']], 'one clear, not two')
})

t.test('blood pressure: systolic alone raises and clears normally; low is systolic only', async t => {
  const high = feedBloodPressure([[0, 170, 80], [120, 170, 80], [150, 140, 80], [270, 140, 80]])
  t.same(high.decisions.map(d => [d.action, d.type]), [['raise', 'blood_pressure_high'], ['clear', 'blood_pressure_high']])
  const low = feedBloodPressure([[0, 85, 50], [120, 86, 50]])
  t.same(low.decisions.map(d => [d.action, d.type, d.action === 'raise' ? d.severity : null]), [['raise', 'blood_pressure_low', 'high']])
})
