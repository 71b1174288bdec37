import type { DeviceStatus, Location, Vitals } from '@anxin/contracts'

/** A small seeded PRNG (mulberry32): the same seed gives the same readings, run after run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Baseline = { heartRate: number; spo2: number; systolic: number; diastolic: number; temperature: number; home: { lat: number; lon: number } }

export const DEFAULT_BASELINE: Baseline = {
  heartRate: 72,
  spo2: 97,
  systolic: 132,
  diastolic: 82,
  temperature: 36.5,
  home: { lat: 31.2366, lon: 121.448 },
}

/** One plausible reading around a resident's baseline, with the hour of day nudging heart rate (lower at night). */
export function nextReading(random: () => number, baseline: Baseline, at: Date, battery: number): { vitals: Vitals; location: Location; status: DeviceStatus } {
  const hour = at.getUTCHours() + 8
  const night = hour % 24 < 6 || hour % 24 >= 22
  const jitter = (spread: number) => (random() - 0.5) * 2 * spread
  return {
    vitals: {
      heartRate: Math.round(baseline.heartRate + (night ? -8 : 0) + jitter(6)),
      spo2: Math.min(100, Math.round(baseline.spo2 + jitter(1.5))),
      systolic: Math.round(baseline.systolic + jitter(8)),
      diastolic: Math.round(baseline.diastolic + jitter(5)),
      temperature: Math.round((baseline.temperature + jitter(0.3)) * 10) / 10,
      steps: night ? 0 : Math.round(random() * 40),
    },
    location: {
      lat: Math.round((baseline.home.lat + jitter(0.0004)) * 1e6) / 1e6,
      lon: Math.round((baseline.home.lon + jitter(0.0004)) * 1e6) / 1e6,
      accuracyM: Math.round(5 + random() * 20),
      source: 'gps',
    },
    status: { battery: Math.max(0, Math.round(battery)), worn: true, charging: false, rssi: Math.round(-60 + jitter(15)) },
  }
}
