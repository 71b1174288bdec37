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

/**
 * Default per-device rate limit on the telemetry and event channels (each channel its own bucket, so a
 * telemetry flood never starves an "I'm OK"). The alarm channel is never limited. A watch reports every few
 * seconds at most; the burst covers a drop-out's catch-up: a device sends everything it queued at once on
 * reconnecting (20 minutes at one message per 5 s is 240 messages).
 */
export const DEVICE_RATE_LIMIT_DEFAULTS = { messagesPerSecond: 1, burst: 600 } as const

/**
 * Default window for a device's own timestamp on telemetry and events. Ahead: minutes of clock drift (the
 * simulators model watches up to 10 minutes off). Behind: devices queue messages through network drop-outs
 * and send them days later.
 */
export const DEVICE_CLOCK_WINDOW_DEFAULTS = { maxAheadSeconds: 15 * 60, maxBehindSeconds: 7 * 24 * 3600 } as const

/**
 * A message older (by its device time) than the newest one already seen from the device, by more than this,
 * and not beyond the highest sequence number seen, is a replay. Larger than the ahead window, so a device
 * whose clock was corrected backwards is not mistaken for one.
 */
export const DEVICE_REPLAY_WINDOW_DEFAULT_SECONDS = 3600
