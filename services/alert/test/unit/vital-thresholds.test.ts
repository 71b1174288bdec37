import t from 'tap'
import {
  BASE_THRESHOLDS, HYSTERESIS, alarmTypeFor, combineAdjustments, defaultThresholds, directionOf, effectiveThresholds,
  isBackInRange, metricBounds, severityFor, type ThresholdOverrides,
} from '../../src/domain/vital-thresholds.ts'

const base = defaultThresholds([])

t.test('defaults for a resident with no condition', async t => {
  t.same(base, {
    heartRateLow: 45, heartRateHigh: 120, spo2Low: 92, systolicHigh: 160, systolicLow: 90, diastolicHigh: 100,
    temperatureHigh: 38.0, temperatureLow: 35.0, glucoseLow: 3.9, glucoseHigh: 13.9, sustainSeconds: 120,
  })
  const mine = defaultThresholds([])
  mine.heartRateHigh = 999
  t.equal(defaultThresholds([]).heartRateHigh, 120, 'each call returns a fresh object; the base is not shared')
})

t.test('each condition moves only its own fields', async t => {
  t.same(defaultThresholds(['hypertension']), { ...BASE_THRESHOLDS, systolicHigh: 180, diastolicHigh: 110 })
  t.same(defaultThresholds(['copd']), { ...BASE_THRESHOLDS, spo2Low: 88 })
  t.same(defaultThresholds(['heart_disease']), { ...BASE_THRESHOLDS, heartRateHigh: 110, heartRateLow: 50 })
  t.same(defaultThresholds(['diabetes']), { ...BASE_THRESHOLDS, glucoseLow: 4.4, glucoseHigh: 16.7 })
  t.same(defaultThresholds(['dementia', 'stroke_history']), BASE_THRESHOLDS, 'conditions without vital limits')
  t.same(defaultThresholds(['unknown', 'constructor', 'toString']), BASE_THRESHOLDS, 'unknown names, even prototype ones, are ignored')
})

t.test('several conditions combine field by field', async t => {
  t.same(defaultThresholds(['hypertension', 'copd', 'heart_disease', 'diabetes', 'dementia']), {
    heartRateLow: 50, heartRateHigh: 110, spo2Low: 88, systolicHigh: 180, systolicLow: 90, diastolicHigh: 110,
    temperatureHigh: 38.0, temperatureLow: 35.0, glucoseLow: 4.4, glucoseHigh: 16.7, sustainSeconds: 120,
  })
  t.same(defaultThresholds(['copd', 'hypertension']), defaultThresholds(['hypertension', 'copd']), 'order does not matter')
  t.same(defaultThresholds(['copd', 'copd']), defaultThresholds(['copd']), 'duplicates do not matter')
})

t.test('two adjustments of the same field: the more sensitive value wins', async t => {
  const combined = combineAdjustments(BASE_THRESHOLDS, [
    { systolicHigh: 180, spo2Low: 88, sustainSeconds: 300 },
    { systolicHigh: 150, spo2Low: 90, sustainSeconds: 60 },
  ])
  t.equal(combined.systolicHigh, 150, 'high limit: the lower one')
  t.equal(combined.spo2Low, 90, 'low limit: the higher one')
  t.equal(combined.sustainSeconds, 60, 'sustain: the shorter one')
  t.equal(combined.heartRateHigh, 120, 'fields nobody adjusts keep the base')
  t.equal(combineAdjustments(BASE_THRESHOLDS, [{ spo2Low: 88 }]).spo2Low, 88, 'a single adjustment wins even when looser than the base')
})

t.test("the doctor's overrides win field by field; null and undefined are ignored", async t => {
  const overrides: ThresholdOverrides = { heartRateHigh: 130, spo2Low: null, glucoseHigh: undefined, sustainSeconds: 300 }
  const result = effectiveThresholds(['copd', 'hypertension'], overrides)
  t.equal(result.heartRateHigh, 130, 'override applied')
  t.equal(result.sustainSeconds, 300, 'override applied')
  t.equal(result.spo2Low, 88, 'null override keeps the COPD default')
  t.equal(result.glucoseHigh, 13.9, 'undefined override keeps the default')
  t.equal(result.systolicHigh, 180, 'untouched condition default')
  t.equal(effectiveThresholds(['hypertension'], { systolicHigh: 150 }).systolicHigh, 150, 'override beats the condition default, even tighter')
  t.same(effectiveThresholds(['copd'], null), defaultThresholds(['copd']), 'no overrides at all')
  const junk = { heartRateHigh: Number.NaN, bogus: 5 } as unknown as ThresholdOverrides
  t.same(effectiveThresholds([], junk), base, 'NaN values and unknown keys are ignored')
})

t.test('metric bounds: only the directions a metric can alarm in', async t => {
  t.same(metricBounds('heart_rate', base), { low: 45, high: 120 })
  t.same(metricBounds('spo2', base), { low: 92, high: null })
  t.same(metricBounds('systolic', base), { low: 90, high: 160 })
  t.same(metricBounds('diastolic', base), { low: null, high: 100 })
  t.same(metricBounds('temperature', base), { low: 35.0, high: 38.0 })
  t.same(metricBounds('glucose', base), { low: 3.9, high: 13.9 })
})

t.test('out of range is strictly beyond the limit', async t => {
  const hr = metricBounds('heart_rate', base)
  t.equal(directionOf(120, hr), null, 'equal to the high limit is in range')
  t.equal(directionOf(121, hr), 'high')
  t.equal(directionOf(45, hr), null, 'equal to the low limit is in range')
  t.equal(directionOf(44, hr), 'low')
  t.equal(directionOf(92, metricBounds('spo2', base)), null)
  t.equal(directionOf(91.9, metricBounds('spo2', base)), 'low')
  t.equal(directionOf(100, metricBounds('spo2', base)), null, 'SpO2 has no high limit')
  t.equal(directionOf(30, metricBounds('diastolic', base)), null, 'diastolic has no low limit')
  t.equal(directionOf(38.0, metricBounds('temperature', base)), null)
  t.equal(directionOf(38.1, metricBounds('temperature', base)), 'high')
})

t.test('severity: high when out of range, critical beyond the critical line', async t => {
  const cases: Array<[Parameters<typeof severityFor>[0], number, string | null]> = [
    ['heart_rate', 120, null], ['heart_rate', 150, 'high'], ['heart_rate', 151, 'critical'],
    ['heart_rate', 35, 'high'], ['heart_rate', 34, 'critical'],
    ['spo2', 92, null], ['spo2', 86, 'high'], ['spo2', 85, 'critical'],
    ['systolic', 190, 'high'], ['systolic', 191, 'critical'], ['systolic', 80, 'high'], ['systolic', 79, 'critical'],
    ['diastolic', 120, 'high'], ['diastolic', 121, 'critical'],
    ['temperature', 39.5, 'high'], ['temperature', 39.6, 'critical'], ['temperature', 34.0, 'high'], ['temperature', 33.9, 'critical'],
    ['glucose', 22.0, 'high'], ['glucose', 22.1, 'critical'], ['glucose', 3.0, 'high'], ['glucose', 2.9, 'critical'],
    ['glucose', 5.5, null],
  ]
  for (const [metric, value, expected] of cases) {
    t.equal(severityFor(metric, value, metricBounds(metric, base)), expected, `${metric} ${value}`)
  }
})

t.test("relative critical lines follow the resident's limits; absolute ones do not", async t => {
  const cardiac = defaultThresholds(['heart_disease'])
  t.equal(severityFor('heart_rate', 141, metricBounds('heart_rate', cardiac)), 'critical', 'heart disease: 110 + 30')
  t.equal(severityFor('heart_rate', 141, metricBounds('heart_rate', base)), 'high')
  const copd = defaultThresholds(['copd'])
  t.equal(severityFor('spo2', 85, metricBounds('spo2', copd)), 'high', 'COPD: critical below 82')
  t.equal(severityFor('spo2', 81, metricBounds('spo2', copd)), 'critical')
  const diabetic = defaultThresholds(['diabetes'])
  t.equal(severityFor('glucose', 2.9, metricBounds('glucose', diabetic)), 'critical', 'hypoglycaemia line is absolute')
  t.equal(severityFor('glucose', 3.5, metricBounds('glucose', diabetic)), 'high')
})

t.test('hysteresis: how far back inside a limit clears', async t => {
  t.same(HYSTERESIS, { heart_rate: 5, spo2: 2, systolic: 10, diastolic: 5, temperature: 0.3, glucose: 0.5 })
  const hr = metricBounds('heart_rate', base)
  t.equal(isBackInRange('heart_rate', 115, 'high', hr), true, 'HR high 120 clears at 115')
  t.equal(isBackInRange('heart_rate', 116, 'high', hr), false)
  t.equal(isBackInRange('heart_rate', 50, 'low', hr), true, 'HR low 45 clears at 50')
  t.equal(isBackInRange('heart_rate', 49, 'low', hr), false)
  t.equal(isBackInRange('spo2', 94, 'low', metricBounds('spo2', base)), true)
  t.equal(isBackInRange('spo2', 93.9, 'low', metricBounds('spo2', base)), false)
  t.equal(isBackInRange('temperature', 37.7, 'high', metricBounds('temperature', base)), true, 'no floating-point surprise at 38.0 - 0.3')
  t.equal(isBackInRange('temperature', 37.8, 'high', metricBounds('temperature', base)), false)
  t.equal(isBackInRange('glucose', 13.4, 'high', metricBounds('glucose', base)), true, 'no floating-point surprise at 13.9 - 0.5')
  t.equal(isBackInRange('glucose', 4.4, 'low', metricBounds('glucose', base)), true, 'no floating-point surprise at 3.9 + 0.5')
  t.equal(isBackInRange('glucose', 4.3, 'low', metricBounds('glucose', base)), false)
})

t.test('alarm type per metric and direction', async t => {
  t.equal(alarmTypeFor('heart_rate', 'high'), 'heart_rate_high')
  t.equal(alarmTypeFor('heart_rate', 'low'), 'heart_rate_low')
  t.equal(alarmTypeFor('spo2', 'low'), 'spo2_low')
  t.equal(alarmTypeFor('spo2', 'high'), null)
  t.equal(alarmTypeFor('systolic', 'high'), 'blood_pressure_high')
  t.equal(alarmTypeFor('diastolic', 'high'), 'blood_pressure_high')
  t.equal(alarmTypeFor('systolic', 'low'), 'blood_pressure_low')
  t.equal(alarmTypeFor('diastolic', 'low'), null)
  t.equal(alarmTypeFor('temperature', 'high'), 'temperature_high')
  t.equal(alarmTypeFor('temperature', 'low'), 'temperature_low')
  t.equal(alarmTypeFor('glucose', 'high'), 'glucose_high')
  t.equal(alarmTypeFor('glucose', 'low'), 'glucose_low')
})
