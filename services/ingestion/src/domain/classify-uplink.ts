import {
  MAX_UPLINK_BYTES,
  deviceEventId,
  deviceTimestampToDate,
  describeIssues,
  uplinkSchemas,
  type DeadLetterReason,
  type DeviceEnvelope,
  type UplinkChannel,
} from '@anxin/contracts'
import type { RegisteredDevice } from './registered-device.ts'

export type Accepted = { kind: 'accepted'; channel: UplinkChannel; envelope: DeviceEnvelope }
export type Rejected = { kind: 'rejected'; reason: DeadLetterReason; detail: string; messageId: string | null }
export type Classification = Accepted | Rejected

const envelopeType = { telemetry: 'device.telemetry', event: 'device.event', alarm: 'device.alarm' } as const

/**
 * Decides what happens to one device message: accepted (with its envelope) or rejected (with a reason for
 * the dead-letter topic). Pure: the caller has already parsed the topic and looked the device up.
 */
export function classifyUplink(input: {
  topic: string
  deviceId: string
  channel: UplinkChannel
  payload: Buffer
  device: RegisteredDevice | null
  receivedAt: Date
}): Classification {
  const { channel, payload, device } = input
  if (payload.length > MAX_UPLINK_BYTES[channel]) {
    return reject('oversized', `${payload.length} bytes, limit for ${channel} is ${MAX_UPLINK_BYTES[channel]}`)
  }
  let json: unknown
  try {
    json = JSON.parse(payload.toString('utf8'))
  } catch (error) {
    return reject('malformed_json', (error as Error).message)
  }
  const messageId = typeof (json as { id?: unknown })?.id === 'string' ? ((json as { id: string }).id.slice(0, 64)) : null
  if (!device) return reject('unknown_device', `device ${input.deviceId} is not registered`, messageId)
  if (device.status === 'revoked') return reject('revoked_device', `device ${input.deviceId} is revoked`, messageId)
  if (!device.residentId) return reject('unbound_device', `device ${input.deviceId} is not bound to a resident`, messageId)

  const parsed = uplinkSchemas[channel].safeParse(json)
  if (!parsed.success) return reject('invalid_payload', describeIssues(parsed.error), messageId)
  const message = parsed.data
  const envelope = {
    eventId: deviceEventId(input.deviceId, message.id),
    schemaVersion: 1 as const,
    deviceId: input.deviceId,
    residentId: device.residentId,
    orgId: device.orgId,
    occurredAt: deviceTimestampToDate(message.ts).toISOString(),
    receivedAt: input.receivedAt.toISOString(),
    source: { mqttTopic: input.topic, messageId: message.id, seq: message.seq ?? null },
    type: envelopeType[channel],
    payload: message,
  } as DeviceEnvelope
  return { kind: 'accepted', channel, envelope }
}

function reject(reason: DeadLetterReason, detail: string, messageId: string | null = null): Rejected {
  return { kind: 'rejected', reason, detail, messageId }
}
