/**
 * The alarm types the alert service raises (PLATFORM_ALARM_TYPES; a device itself sends only sos and fall),
 * and the groups other services treat alike: escalation picks policies by them, dispatch words messages by
 * them (a family hears "a health monitoring alert" for any vital sign).
 */
export const VITAL_ALARM_TYPES = [
  'heart_rate_high',
  'heart_rate_low',
  'spo2_low',
  'blood_pressure_high',
  'blood_pressure_low',
  'temperature_high',
  'temperature_low',
  'glucose_high',
  'glucose_low',
] as const

/** A person pressed for help or fell: only a person may close these, and they are always critical. */
export const PERSON_ALARM_TYPES = ['sos', 'fall'] as const

/** The device, not the person, needs attention. */
export const DEVICE_ALARM_TYPES = ['device_offline', 'device_not_worn', 'low_battery', 'device_test_overdue'] as const

/** Care duties the platform tracks for a person: the daily contact of someone very old living alone. */
export const CARE_ALARM_TYPES = ['missed_contact'] as const

export const PLATFORM_ALARM_TYPES = [...PERSON_ALARM_TYPES, ...VITAL_ALARM_TYPES, ...DEVICE_ALARM_TYPES, ...CARE_ALARM_TYPES, 'geofence_exit', 'inactivity'] as const
export type PlatformAlarmType = (typeof PLATFORM_ALARM_TYPES)[number]
