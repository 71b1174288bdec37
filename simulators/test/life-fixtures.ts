import { planLife, type LifeDevice, type LifeMessage, type LifePlanOptions, type ResidentProfile } from '../src/index.ts'

/** Shared test residents and helpers for the life simulation tests (not a test file itself). */
export const HOME = { lat: 31.2366, lon: 121.448 }
/** Local midnight in Shanghai. */
export const DAY_ONE = Date.parse('2026-11-22T00:00:00+08:00')
export const DAY_MS = 86_400_000

export function resident(id: string, conditions: ResidentProfile['conditions'] = [], age = 78): ResidentProfile {
  return { id, age, conditions, livesAlone: true, home: HOME }
}

export function homeDevices(prefix: string): LifeDevice[] {
  return [
    { id: `${prefix}W`, type: 'watch' },
    { id: `${prefix}P`, type: 'sos_pendant' },
    { id: `${prefix}B`, type: 'wall_button' },
    { id: `${prefix}D`, type: 'door_sensor' },
    { id: `${prefix}M`, type: 'pir_sensor' },
    { id: `${prefix}S`, type: 'bed_sensor' },
  ]
}

export function days(n: number, options: Partial<LifePlanOptions> & Pick<LifePlanOptions, 'profile'>): LifeMessage[] {
  return planLife({ devices: homeDevices('T1'), seed: 1, from: DAY_ONE, to: DAY_ONE + n * DAY_MS, rates: 'realistic', ...options })
}

/** Hour of day in Shanghai (UTC+8, no daylight saving). */
export function shanghaiHour(at: number): number {
  return (new Date(at).getUTCHours() + 8) % 24
}

export function shanghaiMinute(at: number): number {
  return (shanghaiHour(at) * 60 + new Date(at).getUTCMinutes())
}

export const typeOf = (m: LifeMessage) => (m.payload as { type?: string }).type
export const vitalsOf = (m: LifeMessage) => (m.payload as { vitals?: { heartRate?: number; steps?: number } }).vitals
export const statusOf = (m: LifeMessage) => (m.payload as { status?: { battery?: number; charging?: boolean; worn?: boolean } }).status
