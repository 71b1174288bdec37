import type { ResidentProfile } from './profile.ts'
import { rngFor } from './random.ts'

/** What a profile implies for one resident's body and habits: the baselines every day starts from. */
export type ResidentTraits = {
  heartRate: number
  spo2: number
  systolic: number
  diastolic: number
  temperature: number
  /** Fasting blood glucose in mmol/L; only for residents with diabetes (their monitor reports it). */
  glucoseFasting: number | null
  /** How much more often than the base rate this resident falls. */
  fallRisk: number
  wanders: boolean
  walkSpeedMps: number
  /** How far an ordinary walk goes from home at most (wandering goes further). */
  walkReachM: number
  walksPerDay: number
  nightToiletTrips: number
  /** Usual waking and bed times, minutes after local midnight. */
  wakeMinute: number
  bedMinute: number
}

/** Derives a resident's baselines from age and conditions, with a seeded personal touch. */
export function residentTraits(profile: ResidentProfile, seed: number): ResidentTraits {
  const rng = rngFor(seed, profile.id, 'traits')
  const has = (condition: ResidentProfile['conditions'][number]) => profile.conditions.includes(condition)
  const years = Math.max(0, profile.age - 65)
  const frail = has('frailty') || has('parkinson')
  let fallRisk = 1 + years * 0.04
  if (has('frailty')) fallRisk *= 2
  if (has('parkinson')) fallRisk *= 2.5
  if (has('dementia')) fallRisk *= 1.3
  return {
    // Women's resting heart rate runs a few beats higher; their systolic pressure a little lower until late old age.
    heartRate: Math.round(rng.normal(70, 4) + (profile.sex === 'female' ? 3 : 0) + (has('heart_failure') ? 8 : 0) + (has('copd') ? 5 : 0)),
    spo2: Math.min(99, rng.normal(97, 0.6) - (has('copd') ? 4.5 : 0) - (has('heart_failure') ? 1.5 : 0)),
    systolic: Math.round(rng.normal(122, 5) + years * 0.5 - (profile.sex === 'female' && profile.age < 75 ? 3 : 0) + (has('hypertension') ? 22 : 0)),
    diastolic: Math.round(rng.normal(76, 3) + years * 0.1 + (has('hypertension') ? 10 : 0)),
    temperature: rng.normal(36.4, 0.1),
    glucoseFasting: has('diabetes') ? rng.between(6.5, 8.5) : null,
    fallRisk,
    wanders: has('dementia'),
    walkSpeedMps: frail ? rng.between(0.45, 0.65) : rng.between(0.75, 1.0),
    walkReachM: frail ? rng.between(200, 450) : rng.between(450, 780),
    walksPerDay: frail || has('heart_failure') ? rng.between(0.4, 1) : rng.between(1, 1.8),
    nightToiletTrips: 0.5 + years * 0.06 + (has('diabetes') ? 0.7 : 0) + (has('heart_failure') ? 0.5 : 0),
    wakeMinute: rng.normal(6.5 * 60, 15),
    bedMinute: rng.normal(22 * 60, 15),
  }
}
