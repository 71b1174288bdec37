/**
 * Size limits for device payloads, checked before parsing. Real devices send a few hundred bytes; the
 * limits leave room for growth while keeping one device from flooding the pipeline with large messages.
 */
export const MAX_UPLINK_BYTES: Record<'telemetry' | 'event' | 'alarm', number> = {
  telemetry: 8 * 1024,
  event: 4 * 1024,
  alarm: 4 * 1024,
}

/** The broker refuses anything larger outright; up to this size an oversized message is dead-lettered whole. */
export const BROKER_MAX_PACKET_BYTES = 1024 * 1024
