/**
 * Whether a device's own timestamp is believable, measured against the time the platform received the
 * message. Pure. A clock far ahead is a broken clock (or a forged message); far behind is older than any
 * drop-out a device is expected to queue through.
 */
export type ClockWindow = { maxAheadMs: number; maxBehindMs: number }

export type ClockVerdict = { kind: 'within' } | { kind: 'ahead' | 'behind'; byMs: number }

export function judgeDeviceTime(deviceTime: Date, receivedAt: Date, window: ClockWindow): ClockVerdict {
  const offsetMs = deviceTime.getTime() - receivedAt.getTime()
  if (offsetMs > window.maxAheadMs) return { kind: 'ahead', byMs: offsetMs }
  if (-offsetMs > window.maxBehindMs) return { kind: 'behind', byMs: -offsetMs }
  return { kind: 'within' }
}

/** A payload-free description for the dead-letter detail, e.g. "device time 3.2 h ahead of receipt". */
export function describeClockVerdict(verdict: Exclude<ClockVerdict, { kind: 'within' }>, window: ClockWindow): string {
  const limit = verdict.kind === 'ahead' ? window.maxAheadMs : window.maxBehindMs
  return `device time ${humanDuration(verdict.byMs)} ${verdict.kind === 'ahead' ? 'ahead of' : 'behind'} receipt (limit ${humanDuration(limit)})`
}

function humanDuration(ms: number): string {
  const seconds = ms / 1000
  if (seconds < 120) return `${Math.round(seconds)} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86400).toFixed(1)} d`
}
