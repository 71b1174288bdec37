import type { Decision, Evidence, RuleResult } from './types.ts'

/**
 * SOS and fall come from the device itself and are always critical. A fall can be called off by the wearer
 * pressing "I'm OK" within the grace period; an SOS cannot: only a person at the centre closes it.
 */
export type FallState = {
  fallAt: string | null
  fallEventId: string | null
  /**
   * The last "I'm OK". SOS and fall travel on the urgent topic, "I'm OK" on the event topic, and the two are
   * consumed independently: an "I'm OK" may be processed before the fall it answers. Remembering it lets the
   * late fall be cancelled all the same, whichever arrives first.
   */
  imOkAt: string | null
  imOkEventId: string | null
}

export const initialFallState = (): FallState => ({ fallAt: null, fallEventId: null, imOkAt: null, imOkEventId: null })

export const DEFAULT_FALL_GRACE_SECONDS = 60

export type UrgentInput = {
  type: 'sos' | 'fall'
  eventId: string
  at: string
  pressCount?: number
  location?: { lat: number; lon: number; accuracyM?: number } | undefined
  fall?: { impactG?: number; confidence?: number } | undefined
}

export function evaluateUrgent(state: FallState, input: UrgentInput & { graceSeconds?: number }): RuleResult<FallState> {
  const evidence: Evidence = {
    eventId: input.eventId,
    at: input.at,
    kind: 'device_alarm',
    values: { type: input.type, pressCount: input.pressCount ?? 1, impactG: input.fall?.impactG ?? null, confidence: input.fall?.confidence ?? null },
  }
  const decision: Decision = {
    action: 'raise',
    type: input.type,
    severity: 'critical',
    at: input.at,
    evidence: [evidence],
    detail: {
      pressCount: input.pressCount ?? 1,
      lat: input.location?.lat ?? null,
      lon: input.location?.lon ?? null,
      accuracyM: input.location?.accuracyM ?? null,
    },
  }
  if (input.type === 'sos') return { state, decisions: [decision] }
  const next: FallState = { ...state, fallAt: input.at, fallEventId: input.eventId }
  if (state.imOkAt && state.imOkEventId) {
    const answered = evaluateImOk(next, { eventId: state.imOkEventId, at: state.imOkAt, graceSeconds: input.graceSeconds })
    if (answered.decisions.length > 0) return { state: answered.state, decisions: [decision, ...answered.decisions] }
  }
  return { state: next, decisions: [decision] }
}

/** "I'm OK" within the grace period after a fall cancels the fall alarm; later, it is only a sign of life. */
export function evaluateImOk(
  state: FallState,
  input: { eventId: string; at: string; graceSeconds?: number },
): RuleResult<FallState> {
  const remembered: FallState = { ...state, imOkAt: input.at, imOkEventId: input.eventId }
  if (!state.fallAt) return { state: remembered, decisions: [] }
  const elapsed = (Date.parse(input.at) - Date.parse(state.fallAt)) / 1000
  const grace = input.graceSeconds ?? DEFAULT_FALL_GRACE_SECONDS
  if (elapsed < 0 || elapsed > grace) return { state: elapsed > grace ? { ...initialFallState(), imOkAt: input.at, imOkEventId: input.eventId } : remembered, decisions: [] }
  return {
    state: initialFallState(),
    decisions: [
      {
        action: 'cancel',
        type: 'fall',
        at: input.at,
        reason: 'cancelled_by_wearer',
        evidence: [{ eventId: input.eventId, at: input.at, kind: 'device_event', values: { type: 'im_ok', secondsAfterFall: Math.round(elapsed) } }],
      },
    ],
  }
}
