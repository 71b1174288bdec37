/**
 * Replay detection from a device's sequence numbers and its own timestamps. Pure: the caller keeps the state.
 *
 * The state is the highest `seq` ever seen from the device and the newest device time seen. A message is a
 * replay when BOTH hold:
 *   - its `seq` is not beyond the highest seen (a copy of something the device already sent), and
 *   - its device time is older than the newest seen by more than `windowMs`.
 * Neither alone is enough. A device that reboots starts its `seq` again at 0 but sends fresh times: accepted.
 * A device whose clock was set back keeps counting its `seq` up: accepted. Messages reordered in flight
 * (shared subscription, redelivery after an ingestion restart, a drop-out's catch-up) are older by less than
 * the window: accepted. A message captured and sent again later is old by both measures: refused.
 */
export type SequenceState = { maxSeq: number; newestTs: number }

export type SequenceVerdict = { replayed: false; next: SequenceState } | { replayed: true; detail: string }

export function judgeSequence(state: SequenceState | null, message: { seq: number; ts: number }, windowMs: number): SequenceVerdict {
  if (state && message.seq <= state.maxSeq && message.ts < state.newestTs - windowMs) {
    const behindMinutes = Math.round((state.newestTs - message.ts) / 60000)
    return { replayed: true, detail: `seq ${message.seq} not beyond ${state.maxSeq} seen, and ${behindMinutes} min older than the newest message seen` }
  }
  return { replayed: false, next: mergeSequenceState(state, { maxSeq: message.seq, newestTs: message.ts }) }
}

/** What two views of the same device (two instances, memory and Redis) agree on: the highest of each. */
export function mergeSequenceState(a: SequenceState | null, b: SequenceState): SequenceState {
  if (!a) return b
  return { maxSeq: Math.max(a.maxSeq, b.maxSeq), newestTs: Math.max(a.newestTs, b.newestTs) }
}
