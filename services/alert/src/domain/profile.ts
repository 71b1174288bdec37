import type { LedgerFlags } from './priority.ts'

/** Everything the rules need to know about one resident, from the registry. */
export type ResidentProfile = {
  residentId: string
  orgId: string
  flags: LedgerFlags
  conditions: string[]
  /** A doctor's overrides of the condition defaults; fields left null use the defaults. */
  thresholdOverrides: Record<string, number | null> | null
  safeZones: Array<{ id: string; name: string; lat: number; lon: number; radiusM: number }>
  activityPlan: {
    dayStart: string
    nightStart: string
    maxInactiveDayMinutes: number
    maxInactiveNightMinutes: number
    warningRatio: number
    timezone: string
  } | null
  /** `testMode`: the device is being tested; its alarms are test alarms (absent: false). */
  devices: Array<{ deviceId: string; type: string; supervisionIntervalS: number; testMode?: boolean }>
}
