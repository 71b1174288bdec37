/**
 * How often things happen. Rare events are per resident (or per device) per day; `realistic` follows the
 * order of magnitude seen in community alarm services, `demo` makes every kind show up within minutes of an
 * accelerated run (at speed 60 a simulated day takes 24 minutes).
 */
export type LifeRates = {
  name: string
  /** A watch's reporting interval. */
  telemetryIntervalS: number
  heartbeatIntervalS: { sos_pendant: number; wall_button: number; sensor: number }
  /** Base rate for a resident without risk factors; age, frailty and Parkinson's multiply it. */
  fallsPerDay: number
  sosPerDay: number
  /** Share of SOS calls pressed more than once (pressCount above 1, or several messages seconds apart). */
  repeatedSosShare: number
  /** For residents with dementia only. */
  wanderingPerDay: number
  /** Per device. */
  dropoutsPerDay: number
  dropoutMinutes: readonly [number, number]
  imOkShare: number
  buttonTestsPerDay: number
  visitorsPerDay: number
  /** Share of devices whose clock is off, and by up to how many seconds, when a device does not say. */
  clockSkew: { share: number; maxSeconds: number }
}

export const REALISTIC_RATES: LifeRates = {
  name: 'realistic',
  telemetryIntervalS: 300,
  heartbeatIntervalS: { sos_pendant: 1800, wall_button: 6 * 3600, sensor: 1800 },
  fallsPerDay: 0.003,
  sosPerDay: 0.01,
  repeatedSosShare: 0.4,
  wanderingPerDay: 0.03,
  dropoutsPerDay: 0.3,
  dropoutMinutes: [2, 20],
  imOkShare: 0.85,
  buttonTestsPerDay: 1 / 7,
  visitorsPerDay: 0.6,
  clockSkew: { share: 0.02, maxSeconds: 120 },
}

export const DEMO_RATES: LifeRates = {
  name: 'demo',
  telemetryIntervalS: 60,
  heartbeatIntervalS: { sos_pendant: 900, wall_button: 3600, sensor: 900 },
  fallsPerDay: 0.4,
  sosPerDay: 1,
  repeatedSosShare: 0.5,
  wanderingPerDay: 1.5,
  dropoutsPerDay: 3,
  dropoutMinutes: [1, 6],
  imOkShare: 0.95,
  buttonTestsPerDay: 0.5,
  visitorsPerDay: 1.5,
  clockSkew: { share: 0.1, maxSeconds: 600 },
}

export type RatesName = 'demo' | 'realistic'

export function resolveRates(rates: RatesName | LifeRates | undefined): LifeRates {
  if (rates === undefined || rates === 'realistic') return REALISTIC_RATES
  if (rates === 'demo') return DEMO_RATES
  return rates
}
