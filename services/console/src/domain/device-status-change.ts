import type { DeviceStatusChange } from '../adapters/feed-store.ts'

const RAISED: Record<string, DeviceStatusChange['status']> = { device_offline: 'offline', low_battery: 'battery_low', device_not_worn: 'not_worn' }
const CLEARED: Record<string, DeviceStatusChange['status']> = { device_offline: 'online', low_battery: 'battery_ok', device_not_worn: 'worn' }

/**
 * The device status an alarm event announces: the alert service's device supervision raises device_offline,
 * low_battery and device_not_worn and clears them when the device is back, charged or worn. Other alarms say
 * nothing about the device.
 */
export function deviceStatusChange(event: { type: string; kind: string; deviceId: string | null }): DeviceStatusChange | null {
  if (!event.deviceId) return null
  const status = event.kind === 'raised' ? RAISED[event.type] : event.kind === 'cleared' || event.kind === 'cancelled' ? CLEARED[event.type] : undefined
  return status ? { deviceId: event.deviceId, status } : null
}
