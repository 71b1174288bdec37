import type { LatLon } from './geo.ts'

export const RESIDENT_CONDITIONS = ['hypertension', 'diabetes', 'dementia', 'copd', 'heart_failure', 'parkinson', 'frailty'] as const
export type ResidentCondition = (typeof RESIDENT_CONDITIONS)[number]

/** Who lives the simulated life: enough to shape vital signs, routines and risks, nothing identifying. */
export type ResidentProfile = {
  id: string
  age: number
  sex?: 'female' | 'male'
  conditions: readonly ResidentCondition[]
  livesAlone: boolean
  home: LatLon
  /** IANA zone of the resident's wall clock; routines (sleep, meals) follow it. */
  timeZone?: string
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

export const LIFE_DEVICE_TYPES = ['watch', 'sos_pendant', 'wall_button', 'door_sensor', 'pir_sensor', 'bed_sensor'] as const
export type LifeDeviceType = (typeof LIFE_DEVICE_TYPES)[number]

export type LifeDevice = {
  id: string
  type: LifeDeviceType
  /** Seconds this device's clock runs ahead (negative: behind); its `ts` values carry the error. */
  clockSkewS?: number
}
