import {
  MAX_UPLINK_BYTES,
  deviceEventId,
  deviceTimestampToDate,
  isPlausibleDeviceTime,
  describeIssues,
  describeJsonError,
  uplinkSchemas,
  type DeadLetterReason,
  type DeviceEnvelope,
  type UplinkChannel,
} from '@anxin/contracts'
import { describeClockVerdict, judgeDeviceTime, type ClockWindow } from './device-clock.ts'
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
  /**
   * When given, the device's timestamp is judged against it: telemetry and events outside the window are
   * refused; an alarm is never refused for its time (a broken clock must not silence an SOS) but is taken
   * with `occurredAt` set to the receipt time and `source.clockSuspect`.
   */
  clockWindow?: ClockWindow
}): Classification {
  const { channel, payload, device } = input
  if (payload.length > MAX_UPLINK_BYTES[channel]) {
    return reject('oversized', `${payload.length} bytes, limit for ${channel} is ${MAX_UPLINK_BYTES[channel]}`)
  }
  let json: unknown
  try {
    json = JSON.parse(payload.toString('utf8'))
  } catch (error) {
    return reject('malformed_json', describeJsonError(error))
  }
  const messageId = typeof (json as { id?: unknown })?.id === 'string' ? ((json as { id: string }).id.slice(0, 64)) : null
  if (!device) return reject('unknown_device', `device ${input.deviceId} is not registered`, messageId)
  if (device.status === 'revoked') return reject('revoked_device', `device ${input.deviceId} is revoked`, messageId)
  if (!device.residentId) return reject('unbound_device', `device ${input.deviceId} is not bound to a resident`, messageId)

  const parsed = uplinkSchemas[channel].safeParse(json)
  if (!parsed.success) return reject('invalid_payload', describeIssues(parsed.error), messageId)
  const message = parsed.data
  const deviceTime = deviceTimestampToDate(message.ts)
  const clock = input.clockWindow ? judgeDeviceTime(deviceTime, input.receivedAt, input.clockWindow) : { kind: 'within' as const }
  if (clock.kind !== 'within' && channel !== 'alarm') {
    return reject('timestamp_out_of_window', describeClockVerdict(clock, input.clockWindow!), messageId)
  }
  // Only an alarm's schema lets a time outside 2000-2100 through; with or without a window it is not believed.
  const clockSuspect = clock.kind !== 'within' || !isPlausibleDeviceTime(deviceTime)
  const envelope = {
    eventId: deviceEventId(input.deviceId, message.id),
    schemaVersion: 1 as const,
    deviceId: input.deviceId,
    residentId: device.residentId,
    orgId: device.orgId,
    occurredAt: (clockSuspect ? input.receivedAt : deviceTime).toISOString(),
    receivedAt: input.receivedAt.toISOString(),
    source: { mqttTopic: input.topic, messageId: message.id, seq: message.seq ?? null, ...(clockSuspect ? { clockSuspect: true } : {}) },
    type: envelopeType[channel],
    payload: message,
  } as DeviceEnvelope
  return { kind: 'accepted', channel, envelope }
}

function reject(reason: DeadLetterReason, detail: string, messageId: string | null = null): Rejected {
  return { kind: 'rejected', reason, detail, messageId }
}
