import type { Vitals } from '@anxin/contracts'
import { hourOfDay, MINUTE_MS } from './local-time.ts'
import type { Rng } from './random.ts'
import type { Activity, ActivityKind } from './timeline.ts'
import type { ResidentTraits } from './traits.ts'

/** Average steps per minute in each activity (the watch adds them up into a daily count). */
const STEPS_PER_MINUTE: Record<ActivityKind, number> = { asleep: 0, at_home: 5, meal: 2, shower: 3, toilet: 8, walk: 70, wander: 80, fallen: 0 }

/** Heart-rate rise over the resting baseline in each activity. */
const HEART_RATE_LIFT: Record<ActivityKind, number> = { asleep: -8, at_home: 0, meal: 4, shower: 6, toilet: 5, walk: 16, wander: 20, fallen: 14 }

export function stepsInMinute(kind: ActivityKind, rng: Rng): number {
  const mean = STEPS_PER_MINUTE[kind]
  return mean === 0 ? 0 : Math.max(0, Math.round(mean * rng.between(0.5, 1.5)))
}

/**
 * Vital signs as a wrist device would read them now: the resident's baseline, a circadian swing (lowest in
 * the small hours, highest mid-afternoon), what they are doing, and after meals a glucose rise for diabetics.
 */
export function vitalsNow(traits: ResidentTraits, activity: Activity, dayStart: number, at: number, meals: readonly number[], rng: Rng): Omit<Vitals, 'steps'> {
  const hour = hourOfDay(dayStart, at)
  const circadian = Math.cos((2 * Math.PI * (hour - 15)) / 24)
  const exertion = activity.kind === 'walk' || activity.kind === 'wander'
  const asleep = activity.kind === 'asleep'
  const vitals: Omit<Vitals, 'steps'> = {
    heartRate: clampInt(traits.heartRate + 4 * circadian + HEART_RATE_LIFT[activity.kind] + rng.normal(0, 2.5), 35, 180),
    spo2: round(Math.min(100, Math.max(80, traits.spo2 - (asleep ? 1 : 0) - (exertion && traits.spo2 < 94 ? 2 : 0) + rng.normal(0, 0.6))), 0),
    systolic: clampInt(traits.systolic + 6 * circadian + (asleep ? -10 : 0) + (exertion ? 12 : 0) + rng.normal(0, 4), 80, 230),
    diastolic: clampInt(traits.diastolic + 3 * circadian + (asleep ? -6 : 0) + (exertion ? 5 : 0) + rng.normal(0, 3), 45, 140),
    temperature: round(traits.temperature + 0.3 * Math.cos((2 * Math.PI * (hour - 17)) / 24) + rng.normal(0, 0.08), 1),
  }
  if (traits.glucoseFasting !== null) vitals.glucose = round(Math.min(30, traits.glucoseFasting + mealRise(meals, at) + rng.normal(0, 0.2)), 1)
  return vitals
}

/** Glucose rise after meals (mmol/L): peaks about an hour after eating and fades over the next two. */
function mealRise(meals: readonly number[], at: number): number {
  let rise = 0
  for (const meal of meals) {
    const x = (at - meal) / (60 * MINUTE_MS)
    if (x > 0 && x < 5) rise += 4 * x * Math.exp(1 - x)
  }
  return rise
}

function clampInt(value: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, value)))
}

function round(value: number, decimals: number): number {
  return Math.round(value * 10 ** decimals) / 10 ** decimals
}
