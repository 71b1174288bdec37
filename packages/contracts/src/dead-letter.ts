import { z } from 'zod'

/** Why a message was dead-lettered. Codes are stable: dashboards and alerts key on them. */
export const DEAD_LETTER_REASONS = [
  'malformed_json',
  'invalid_payload',
  'oversized',
  'unknown_device',
  'unbound_device',
  'revoked_device',
  'unknown_topic',
  'processing_failed',
  /** Telemetry or an event over the device's rate limit (the alarm channel is never limited). */
  'rate_limited',
  /** Telemetry or an event whose device time is too far ahead of, or behind, the time it was received. */
  'timestamp_out_of_window',
  /** Telemetry or an event older than what the device already sent, by sequence and by time: a replay. */
  'replayed',
] as const
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number]

export const deadLetterSchema = z.object({
  deadLetterId: z.uuid(),
  schemaVersion: z.literal(1),
  reason: z.enum(DEAD_LETTER_REASONS),
  /** Human-readable explanation (validation issues, error message); never contains the payload itself. */
  detail: z.string(),
  origin: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('mqtt'), topic: z.string() }),
    z.object({
      kind: z.literal('kafka'),
      topic: z.string(),
      partition: z.number().int(),
      offset: z.string(),
      consumerGroup: z.string(),
    }),
  ]),
  deviceId: z.string().nullable(),
  receivedAt: z.iso.datetime(),
  /** The original bytes, whole, so the message can be inspected and replayed. */
  payloadBase64: z.string(),
  payloadBytes: z.number().int().nonnegative(),
})

export type DeadLetter = z.infer<typeof deadLetterSchema>
