import { z } from 'zod'
import { deviceIdSchema } from './ids.ts'
import { alarmMessageSchema, deviceEventMessageSchema, telemetryMessageSchema } from './device-messages.ts'

/**
 * Every Kafka message is an envelope: who, when it happened, when the platform received it, and the payload.
 * Fields are only ever added; `schemaVersion` changes only for an incompatible payload (a new topic then).
 */
const envelopeBase = {
  /** Deterministic: derived from device id and the device's message id (see `deviceEventId`). */
  eventId: z.uuid(),
  schemaVersion: z.literal(1),
  deviceId: deviceIdSchema,
  residentId: z.string().nullable(),
  orgId: z.string().nullable(),
  occurredAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  source: z.object({
    mqttTopic: z.string(),
    messageId: z.string(),
    seq: z.number().int().nonnegative().nullable(),
    /**
     * Set on an alarm whose device time was outside the accepted window (a device with a broken clock):
     * the alarm is taken anyway, `occurredAt` is then the receipt time, and `payload.ts` keeps what the
     * device said. Absent otherwise.
     */
    clockSuspect: z.literal(true).optional(),
  }),
}

export const telemetryEnvelopeSchema = z.object({
  ...envelopeBase,
  type: z.literal('device.telemetry'),
  payload: telemetryMessageSchema,
})

export const alarmEnvelopeSchema = z.object({
  ...envelopeBase,
  type: z.literal('device.alarm'),
  payload: alarmMessageSchema,
})

export const deviceEventEnvelopeSchema = z.object({
  ...envelopeBase,
  type: z.literal('device.event'),
  payload: deviceEventMessageSchema,
})

export const deviceEnvelopeSchema = z.discriminatedUnion('type', [
  telemetryEnvelopeSchema,
  alarmEnvelopeSchema,
  deviceEventEnvelopeSchema,
])

export type TelemetryEnvelope = z.infer<typeof telemetryEnvelopeSchema>
export type AlarmEnvelope = z.infer<typeof alarmEnvelopeSchema>
export type DeviceEventEnvelope = z.infer<typeof deviceEventEnvelopeSchema>
export type DeviceEnvelope = z.infer<typeof deviceEnvelopeSchema>
