import { createHmac, randomBytes } from 'node:crypto'

/** A new random device password, shown once at provisioning and stored only as a hash. */
export function newDevicePassword(): string {
  return randomBytes(18).toString('base64url')
}

/**
 * Demo and simulated fleets derive each device's password from one secret, so the simulator can connect
 * as any seeded device without a credentials file. Real devices get `newDevicePassword()` instead.
 */
export function derivedDevicePassword(fleetSecret: string, deviceId: string): string {
  return createHmac('sha256', fleetSecret).update(`device-password\n${deviceId}`).digest('base64url').slice(0, 24)
}
