import type { DeviceAck } from '@anxin/contracts'

export function acceptedAck(messageId: string, eventId: string, duplicate: boolean, at: Date): DeviceAck {
  return { ackFor: messageId, eventId, status: duplicate ? 'duplicate' : 'accepted', at: at.toISOString() }
}

export function rejectedAck(messageId: string, reason: string, at: Date): DeviceAck {
  return { ackFor: messageId, eventId: null, status: 'rejected', reason, at: at.toISOString() }
}
