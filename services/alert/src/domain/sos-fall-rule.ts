import type { Decision, Evidence, RuleResult } from './types.ts'

/**
 * SOS and fall come from the device itself and are always critical. A fall can be called off by the wearer
 * pressing "I'm OK" within the grace period; an SOS cannot: only a person at the centre closes it.
 */
export type FallState = { fallAt: string | null; fallEventId: string | null }

export const initialFallState = (): FallState => ({ fallAt: null, fallEventId: null })

export const DEFAULT_FALL_GRACE_SECONDS = 60

export type UrgentInput = {
  type: 'sos' | 'fall'
  eventId: string
  at: string
  pressCount?: number
  location?: { lat: number; lon: number; accuracyM?: number } | undefined
  fall?: { impactG?: number; confidence?: number } | undefined
}

export function evaluateUrgent(state: FallState, input: UrgentInput): RuleResult<FallState> {
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
  const next = input.type === 'fall' ? { fallAt: input.at, fallEventId: input.eventId } : state
  return { state: next, decisions: [decision] }
}

/** "I'm OK" within the grace period after a fall cancels the fall alarm; later, it is only a sign of life. */
export function evaluateImOk(
  state: FallState,
  input: { eventId: string; at: string; graceSeconds?: number },
): RuleResult<FallState> {
  if (!state.fallAt) return { state, decisions: [] }
  const elapsed = (Date.parse(input.at) - Date.parse(state.fallAt)) / 1000
  const grace = input.graceSeconds ?? DEFAULT_FALL_GRACE_SECONDS
  if (elapsed < 0 || elapsed > grace) return { state: elapsed > grace ? initialFallState() : state, decisions: [] }
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
