import type { AlarmType, Severity } from './types.ts'

/**
 * Vital-sign limits for one resident: clinical defaults for elderly people, shifted by chronic conditions,
 * then overridden field by field by the resident's doctor. Pure: no I/O, no clock.
 *
 * Convention used everywhere: a value is out of range when it is STRICTLY above a high limit or STRICTLY
 * below a low limit. A value equal to a limit is in range (a limit is the last acceptable value).
 */

export const VITAL_METRICS = ['heart_rate', 'spo2', 'systolic', 'diastolic', 'temperature', 'glucose'] as const
export type VitalMetric = (typeof VITAL_METRICS)[number]
export type Direction = 'high' | 'low'

/** Units as in the device contract: bpm, %, mmHg, °C, mmol/L; seconds for `sustainSeconds`. */
export type VitalThresholds = {
  heartRateLow: number
  heartRateHigh: number
  spo2Low: number
  systolicHigh: number
  systolicLow: number
  diastolicHigh: number
  temperatureHigh: number
  temperatureLow: number
  glucoseLow: number
  glucoseHigh: number
  /** How long a value must stay out of range before the alarm is raised (and back in range before it clears). */
  sustainSeconds: number
}

/**
 * A doctor's per-resident overrides. `null` is accepted as "no override" as well as a missing field, because
 * overrides come from stored JSON where a cleared form field is null; every Partial<VitalThresholds> fits.
 */
export type ThresholdOverrides = { [K in keyof VitalThresholds]?: VitalThresholds[K] | null }

/** The conditions the registry knows (residents.conditions). Only some of them move vital limits. */
export type ResidentCondition = 'hypertension' | 'diabetes' | 'heart_disease' | 'copd' | 'dementia' | 'stroke_history'

/** Defaults for an elderly resident with no recorded condition. */
export const BASE_THRESHOLDS: Readonly<VitalThresholds> = Object.freeze({
  heartRateLow: 45,
  heartRateHigh: 120,
  spo2Low: 92,
  systolicHigh: 160,
  systolicLow: 90,
  diastolicHigh: 100,
  temperatureHigh: 38.0,
  temperatureLow: 35.0,
  glucoseLow: 3.9,
  glucoseHigh: 13.9,
  // Two minutes filters motion artefacts and a loose strap without delaying a real episode much.
  sustainSeconds: 120,
})

/**
 * What each chronic condition changes. Dementia and stroke history change no vital limit (dementia matters
 * to the geofence and inactivity rules); unknown condition names are ignored.
 */
export const CONDITION_ADJUSTMENTS: Readonly<Partial<Record<ResidentCondition, Readonly<Partial<VitalThresholds>>>>> = Object.freeze({
  // Treated hypertensive elderly live higher; 160/100 would alarm every day and teach carers to ignore it.
  hypertension: Object.freeze({ systolicHigh: 180, diastolicHigh: 110 }),
  // COPD patients' baseline saturation is lower (targets are often 88–92 %); 92 would alarm permanently.
  copd: Object.freeze({ spo2Low: 88 }),
  // A diseased heart tolerates tachycardia and bradycardia worse (ischaemia, syncope): alarm earlier both ways.
  heart_disease: Object.freeze({ heartRateHigh: 110, heartRateLow: 50 }),
  // Treated diabetics (insulin, sulfonylureas) can fall fast, so warn of hypoglycaemia earlier; their usual
  // glucose runs higher, so only a clearly high value (16.7 mmol/L = 300 mg/dL) is an alarm.
  diabetes: Object.freeze({ glucoseLow: 4.4, glucoseHigh: 16.7 }),
})

type Field = keyof VitalThresholds
const FIELDS = Object.keys(BASE_THRESHOLDS) as Field[]

/**
 * For each field, which value alarms sooner: the lower high limit, the higher low limit, the shorter sustain.
 * Used only to settle two conditions asking different values for the same field (see combineAdjustments).
 */
const MORE_SENSITIVE: Readonly<Record<Field, 'min' | 'max'>> = {
  heartRateLow: 'max',
  heartRateHigh: 'min',
  spo2Low: 'max',
  systolicHigh: 'min',
  systolicLow: 'max',
  diastolicHigh: 'min',
  temperatureHigh: 'min',
  temperatureLow: 'max',
  glucoseLow: 'max',
  glucoseHigh: 'min',
  sustainSeconds: 'min',
}

/**
 * Applies condition adjustments to the base, field by field. A field no condition mentions keeps the base
 * value; a field one condition mentions takes that condition's value, even when it is looser than the base
 * (that is the point of COPD's 88 %). When several conditions ask different values for the same field, the
 * more sensitive one wins: each condition's value is what is safe for that condition alone, and a missed
 * alarm costs more than an extra one. (With today's table no two conditions touch the same field, so the
 * result is simply the union of their adjustments; the rule is for when the table grows.)
 */
export function combineAdjustments(base: Readonly<VitalThresholds>, adjustments: ReadonlyArray<Readonly<Partial<VitalThresholds>>>): VitalThresholds {
  const result = { ...base }
  for (const field of FIELDS) {
    const proposed = adjustments.map(a => a[field]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    if (proposed.length === 0) continue
    result[field] = MORE_SENSITIVE[field] === 'min' ? Math.min(...proposed) : Math.max(...proposed)
  }
  return result
}

function adjustmentFor(condition: string): Readonly<Partial<VitalThresholds>> | undefined {
  // hasOwn: a condition named e.g. 'constructor' must not pick up Object.prototype members.
  return Object.hasOwn(CONDITION_ADJUSTMENTS, condition) ? CONDITION_ADJUSTMENTS[condition as ResidentCondition] : undefined
}

export function defaultThresholds(conditions: readonly string[]): VitalThresholds {
  const adjustments = conditions.map(adjustmentFor).filter(a => a !== undefined)
  return combineAdjustments(BASE_THRESHOLDS, adjustments)
}

/**
 * Condition defaults, then the doctor's overrides win field by field. Missing, null and non-numeric override
 * fields are ignored; keys that are not threshold fields are ignored. Whether an override is clinically
 * plausible (e.g. low < high) is for the form that stores it to check, not for the rule.
 */
export function effectiveThresholds(conditions: readonly string[], overrides: ThresholdOverrides | null): VitalThresholds {
  const result = defaultThresholds(conditions)
  if (!overrides) return result
  for (const field of FIELDS) {
    const value = overrides[field]
    if (typeof value === 'number' && Number.isFinite(value)) result[field] = value
  }
  return result
}

/**
 * How far back inside a limit a value must come before an alarm may clear. Without it a value hovering at the
 * limit (120, 121, 119, 122 …) would raise and clear over and over.
 */
export const HYSTERESIS: Readonly<Record<VitalMetric, number>> = Object.freeze({
  heart_rate: 5,
  spo2: 2,
  systolic: 10,
  diastolic: 5,
  temperature: 0.3,
  glucose: 0.5,
})

export type Bounds = { low: number | null; high: number | null }

/** A metric's limits; null where the metric has no alarm in that direction (high SpO2, low diastolic). */
export function metricBounds(metric: VitalMetric, t: VitalThresholds): Bounds {
  switch (metric) {
    case 'heart_rate': return { low: t.heartRateLow, high: t.heartRateHigh }
    case 'spo2': return { low: t.spo2Low, high: null }
    case 'systolic': return { low: t.systolicLow, high: t.systolicHigh }
    // Low blood pressure is judged on the systolic alone, as clinicians do for hypotension alarms.
    case 'diastolic': return { low: null, high: t.diastolicHigh }
    case 'temperature': return { low: t.temperatureLow, high: t.temperatureHigh }
    case 'glucose': return { low: t.glucoseLow, high: t.glucoseHigh }
  }
}

/** Strictly beyond a limit; a value equal to the limit is in range. */
export function directionOf(value: number, bounds: Bounds): Direction | null {
  if (bounds.high !== null && value > bounds.high) return 'high'
  if (bounds.low !== null && value < bounds.low) return 'low'
  return null
}

// Guards against floating-point drift in limit ± band (e.g. 13.9 - 0.5), so the documented clear value clears.
const EPSILON = 1e-9

/**
 * Whether a value has come back inside the limit of an alarm in `direction` by at least the hysteresis band
 * (heart rate high 120 clears at <= 115, SpO2 low 92 clears at >= 94). A metric without a limit in that
 * direction cannot be alarming that way, so any value counts as back.
 */
export function isBackInRange(metric: VitalMetric, value: number, direction: Direction, bounds: Bounds): boolean {
  const band = HYSTERESIS[metric]
  if (direction === 'high') return bounds.high === null || value <= bounds.high - band + EPSILON
  return bounds.low === null || value >= bounds.low + band - EPSILON
}

/**
 * The line beyond which an out-of-range value is critical (and is raised without waiting for `sustainSeconds`).
 * Heart rate, SpO2 and systolic-high lines are relative to the resident's own limit, because their danger
 * depends on the baseline (a COPD patient at 84 % is where a healthy one is at 88 %). Hypotension, the
 * hypertensive-crisis diastolic, body temperature and glucose lines are absolute: those are physiological
 * danger points whatever the resident's usual values (e.g. glucose < 3.0 mmol/L is level-2 hypoglycaemia).
 */
export function criticalLine(metric: VitalMetric, direction: Direction, limit: number): number {
  switch (metric) {
    case 'heart_rate': return direction === 'high' ? limit + 30 : limit - 10
    case 'spo2': return limit - 6
    case 'systolic': return direction === 'high' ? limit + 30 : 80
    case 'diastolic': return 120
    case 'temperature': return direction === 'high' ? 39.5 : 34.0
    case 'glucose': return direction === 'high' ? 22.0 : 3.0
  }
}

export type VitalSeverity = Extract<Severity, 'high' | 'critical'>

/**
 * null when in range; 'high' when out of range; 'critical' when strictly beyond the critical line. An absolute
 * line may sit inside a doctor's widened range: then every out-of-range value is critical, which is intended
 * (the override decides whether to alarm, the danger line decides how urgently).
 */
export function severityFor(metric: VitalMetric, value: number, bounds: Bounds): VitalSeverity | null {
  const direction = directionOf(value, bounds)
  if (direction === 'high' && bounds.high !== null) return value > criticalLine(metric, 'high', bounds.high) ? 'critical' : 'high'
  if (direction === 'low' && bounds.low !== null) return value < criticalLine(metric, 'low', bounds.low) ? 'critical' : 'high'
  return null
}

const ALARM_TYPE: Readonly<Record<VitalMetric, Readonly<Record<Direction, AlarmType | null>>>> = {
  heart_rate: { high: 'heart_rate_high', low: 'heart_rate_low' },
  spo2: { high: null, low: 'spo2_low' },
  // Systolic and diastolic share blood_pressure_high: one open alarm for the resident, however it was reached.
  systolic: { high: 'blood_pressure_high', low: 'blood_pressure_low' },
  diastolic: { high: 'blood_pressure_high', low: null },
  temperature: { high: 'temperature_high', low: 'temperature_low' },
  glucose: { high: 'glucose_high', low: 'glucose_low' },
}

/** null exactly where metricBounds has no limit. */
export function alarmTypeFor(metric: VitalMetric, direction: Direction): AlarmType | null {
  return ALARM_TYPE[metric][direction]
}
