import { derivedDevicePassword } from '@anxin/credentials'
import { playLives, type PlayedResident } from './player.ts'
import type { PlayReport } from './play-report.ts'
import type { LifeDevice } from './profile.ts'
import type { RatesName } from './rates.ts'

export type DistrictOptions = {
  url: string
  /** The fleet secret every device password is derived from (as the registry provisions them). */
  fleetSecret: string
  residents: ReadonlyArray<Omit<PlayedResident, 'devices'> & { devices: readonly LifeDevice[] }>
  seed: number
  speed: number
  /** Wall-clock seconds; Infinity runs until `signal` aborts. */
  durationSeconds: number
  rates: RatesName
  /** Simulated start, epoch ms. Default: now. */
  from?: number
  signal?: AbortSignal
}

/** A whole district living its days over MQTT, each device with its provisioned credentials. */
export function playDistrict(options: DistrictOptions): Promise<PlayReport> {
  return playLives({ ...options, passwordFor: deviceId => derivedDevicePassword(options.fleetSecret, deviceId) })
}
