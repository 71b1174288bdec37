import { z } from 'zod'
import { deviceMessageIdSchema } from './ids.ts'

/**
 * Payloads devices publish over MQTT. Unknown keys are dropped rather than refused, so a device with newer
 * firmware keeps working against an older platform; wrong types and out-of-range values are refused.
 */

/** Devices send either epoch milliseconds or an ISO-8601 time with an offset, between 2000 and 2100. */
const PLAUSIBLE_FROM_MS = 946684800000
const PLAUSIBLE_UNTIL_MS = 4102444800000

export const deviceTimestampSchema = z.union([
  z.number().int().min(PLAUSIBLE_FROM_MS).max(PLAUSIBLE_UNTIL_MS),
  // Same range as the epoch form: a year-0000 time would pass here and then fail every consumer's envelope check.
  z.iso.datetime({ offset: true }).refine(s => isPlausibleDeviceTime(new Date(s)), 'device time must be between 2000 and 2100'),
])

/**
 * An alarm's time may be anything a device can send: a pendant whose clock reset to 1970 after a flat battery
 * still needs help. Ingestion stamps such an alarm with the time it arrived and flags the clock as suspect.
 */
export const alarmTimestampSchema = z.union([z.number().int().min(0).max(8.64e15), z.iso.datetime({ offset: true })])

export function deviceTimestampToDate(ts: z.infer<typeof deviceTimestampSchema> | z.infer<typeof alarmTimestampSchema>): Date {
  return new Date(ts)
}

/** Between 2000 and 2100 (and a real date): outside that a device's clock is broken, whatever the window. */
export function isPlausibleDeviceTime(time: Date): boolean {
  const ms = time.getTime()
  return ms >= PLAUSIBLE_FROM_MS && ms <= PLAUSIBLE_UNTIL_MS
}

const messageHeader = {
  id: deviceMessageIdSchema,
  /** Monotonic per device; lets consumers spot gaps and replays. */
  seq: z.number().int().nonnegative().optional(),
  ts: deviceTimestampSchema,
}

export const vitalsSchema = z.object({
  heartRate: z.number().int().min(20).max(250).optional(),
  spo2: z.number().min(50).max(100).optional(),
  systolic: z.number().int().min(50).max(260).optional(),
  diastolic: z.number().int().min(30).max(160).optional(),
  /** Degrees Celsius. */
  temperature: z.number().min(30).max(43).optional(),
  /** Blood glucose in mmol/L. */
  glucose: z.number().min(1).max(35).optional(),
  steps: z.number().int().nonnegative().max(200000).optional(),
})

export const locationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accuracyM: z.number().nonnegative().max(100000).optional(),
  source: z.enum(['gps', 'wifi', 'cell', 'fixed']).optional(),
})

export const deviceStatusSchema = z.object({
  battery: z.number().min(0).max(100).optional(),
  charging: z.boolean().optional(),
  worn: z.boolean().optional(),
  rssi: z.number().int().min(-150).max(0).optional(),
})

export const telemetryMessageSchema = z
  .object({
    ...messageHeader,
    vitals: vitalsSchema.optional(),
    location: locationSchema.optional(),
    status: deviceStatusSchema.optional(),
  })
  .refine(m => m.vitals || m.location || m.status, 'telemetry must carry vitals, location or status')

export const ALARM_TYPES = ['sos', 'fall'] as const

export const alarmMessageSchema = z.object({
  ...messageHeader,
  ts: alarmTimestampSchema,
  type: z.enum(ALARM_TYPES),
  location: locationSchema.optional(),
  /** How many times the button was pressed before this message was sent (repeated presses). */
  pressCount: z.number().int().min(1).max(1000).optional(),
  fall: z
    .object({
      impactG: z.number().nonnegative().max(50).optional(),
      confidence: z.number().min(0).max(1).optional(),
    })
    .optional(),
})

export const DEVICE_EVENT_TYPES = [
  'heartbeat',
  'im_ok',
  'button_test',
  'worn',
  'not_worn',
  'power_on',
  'power_off',
  'low_battery',
  'door_open',
  'door_closed',
  'motion',
  'bed_exit',
  'bed_enter',
] as const

export const deviceEventMessageSchema = z.object({
  ...messageHeader,
  type: z.enum(DEVICE_EVENT_TYPES),
  battery: z.number().min(0).max(100).optional(),
})

/** What the platform sends back on `down/ack` once an urgent message is durably recorded. */
export const deviceAckSchema = z.object({
  ackFor: deviceMessageIdSchema,
  /** Null only when the message was rejected before an event id could be given. */
  eventId: z.uuid().nullable(),
  /** `duplicate`: already recorded earlier (a retry); the device stops retrying either way. */
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  /** For `rejected`: the dead-letter reason code, e.g. `invalid_payload`; the device should not retry. */
  reason: z.string().optional(),
  at: z.iso.datetime(),
})

export type TelemetryMessage = z.infer<typeof telemetryMessageSchema>
export type AlarmMessage = z.infer<typeof alarmMessageSchema>
export type DeviceEventMessage = z.infer<typeof deviceEventMessageSchema>
export type DeviceAck = z.infer<typeof deviceAckSchema>
export type Vitals = z.infer<typeof vitalsSchema>
export type Location = z.infer<typeof locationSchema>
export type DeviceStatus = z.infer<typeof deviceStatusSchema>

export const uplinkSchemas = {
  telemetry: telemetryMessageSchema,
  event: deviceEventMessageSchema,
  alarm: alarmMessageSchema,
} as const
