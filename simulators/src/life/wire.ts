import type { DayPlan, LifeMessage } from './plan.ts'

/** What a player does, in order: publish a message, or lose or regain a device's connection. */
export type WireStep =
  | { kind: 'publish'; at: number; deviceId: string; message: LifeMessage }
  | { kind: 'disconnect'; at: number; deviceId: string }
  | { kind: 'reconnect'; at: number; deviceId: string }

const ORDER: Record<WireStep['kind'], number> = { reconnect: 0, publish: 1, disconnect: 2 }

/**
 * A day's plan as the broker would see it: a device goes quiet at the start of a drop-out and, once
 * reconnected, sends what it queued in the order it was said (by seq) with the original timestamps.
 */
export function wireSchedule(plan: DayPlan): WireStep[] {
  const steps: WireStep[] = [
    ...plan.outages.flatMap(o => [
      { kind: 'disconnect' as const, at: o.from, deviceId: o.deviceId },
      { kind: 'reconnect' as const, at: o.until, deviceId: o.deviceId },
    ]),
    // Messages are in time order, so within one device they are in seq order; the sort below is stable.
    ...plan.messages.map(message => ({ kind: 'publish' as const, at: message.deliverAt, deviceId: message.deviceId, message })),
  ]
  return steps.sort((a, b) => a.at - b.at || ORDER[a.kind] - ORDER[b.kind])
}
