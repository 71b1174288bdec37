import { z } from 'zod'

/** Outcomes a person reports (escalation's, without the machine's 'auto_cleared'). */
export const PERSON_OUTCOMES = ['false_alarm', 'handled_by_phone', 'visited_fine', 'carer_doctor_treatment', 'transferred_hospital', 'device_fault'] as const
export const CALL_PARTIES = ['resident', 'contact', 'responder', '120'] as const
export const CALL_OUTCOMES = ['answered', 'no_answer', 'busy', 'wrong_number'] as const

// 0 is what the queue shows for an alarm escalation has not taken in yet: act on whatever it is then.
const expectedVersion = z.number().int().min(0).optional()

export const actionBodies = {
  acknowledge: z.object({ expectedVersion }).strict(),
  calls: z
    .object({ to: z.enum(CALL_PARTIES), name: z.string().trim().max(100).optional(), outcome: z.enum(CALL_OUTCOMES), notes: z.string().max(2000).optional(), expectedVersion })
    .strict(),
  dispatch: z.object({ responderId: z.string().min(1).max(64), expectedVersion }).strict(),
  escalate: z.object({ expectedVersion }).strict(),
  resolve: z.object({ outcome: z.enum(PERSON_OUTCOMES), notes: z.string().max(2000).optional(), expectedVersion }).strict(),
  reopen: z.object({ reason: z.string().trim().min(1).max(500), expectedVersion }).strict(),
}

export type ActionName = Exclude<keyof typeof actionBodies, 'dispatch'>

type Actor = { kind: 'staff'; id: string }

/**
 * The escalation lifecycle action an operator's button stands for. A phone call is a note on the alarm (the
 * timeline shows who was called and what came of it); dispatch is not here: it offers a visit task, and the
 * lifecycle records the dispatch when the responder accepts.
 */
export function lifecycleAction(name: ActionName, body: Record<string, unknown>, actor: Actor): Record<string, unknown> {
  const base = { actor, channel: 'console', ...(body.expectedVersion ? { expectedVersion: body.expectedVersion } : {}) }
  switch (name) {
    case 'acknowledge':
      return { ...base, kind: 'acknowledge' }
    case 'escalate':
      return { ...base, kind: 'escalate' }
    case 'resolve':
      return { ...base, kind: 'resolve', outcome: body.outcome, ...(body.notes ? { note: body.notes } : {}) }
    case 'reopen':
      return { ...base, kind: 'reopen', reason: body.reason }
    case 'calls': {
      const who = `${String(body.to)}${body.name ? ` ${String(body.name)}` : ''}`
      return { ...base, kind: 'note', text: `phone call to ${who}: ${String(body.outcome)}${body.notes ? ` (${String(body.notes)})` : ''}` }
    }
  }
}
