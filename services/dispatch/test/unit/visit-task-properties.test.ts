import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import { fuzzParameters } from '@anxin/testing'
import {
  TASK_OUTCOMES,
  TASK_REFUSAL_CODES,
  newTask,
  transitionTask,
  type TaskAction,
  type TaskActionKind,
  type TaskState,
  type VisitTask,
} from '../../src/domain/visit-task.ts'

/**
 * Model-based properties of the home-visit task: random histories of offers, answers, timers and
 * cancellations (well-formed and malformed, by the right person and by others, on a clock that mostly moves
 * forward) are applied step by step and every step is checked against the rules at the top of visit-task.ts.
 * The hand-written cases in visit-task.test.ts stay the specification.
 */

const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const RESPONDERS = ['carer-1', 'carer-2', 'doctor-3']

/** Who acts: the task's current responder (the usual case), anyone from the pool, or someone not named right. */
type BySpec = 'current' | { id: unknown }
const byArb: fc.Arbitrary<BySpec> = fc.oneof(
  { arbitrary: fc.constant<BySpec>('current'), weight: 6 },
  { arbitrary: fc.constantFrom(...RESPONDERS).map(id => ({ id })), weight: 3 },
  { arbitrary: fc.constantFrom<unknown>('', '  ', undefined, 7, null).map(id => ({ id })), weight: 1 },
)

/** An action before it meets the task: times are offsets (seconds) from the step's clock. */
type Step = {
  kind: unknown
  advance: number
  by: BySpec
  responderId: unknown
  laterBy: number
  outcome: unknown
  reason: unknown
  notes: unknown
  corruptTime: unknown
}

const stepArb: fc.Arbitrary<Step> = fc.record(
  {
    // Cancel is rare, as in life: it ends the history.
    kind: fc.oneof(
      { arbitrary: fc.constantFrom<unknown>('offer', 'accept'), weight: 12 },
      { arbitrary: fc.constantFrom<unknown>('depart', 'arrive', 'complete'), weight: 12 },
      { arbitrary: fc.constantFrom<unknown>('decline', 'offer_expired', 'arrival_overdue'), weight: 6 },
      { arbitrary: fc.constant<unknown>('cancel'), weight: 1 },
      { arbitrary: fc.constantFrom<unknown>('assign', '', null, 3), weight: 1 },
    ),
    // Mostly forward, sometimes a long wait (offers lapse, responders run late), now and then backwards.
    advance: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 90 }), weight: 6 }, { arbitrary: fc.integer({ min: 100, max: 2400 }), weight: 2 }, { arbitrary: fc.integer({ min: -600, max: -1 }), weight: 1 }),
    by: byArb,
    responderId: fc.oneof({ arbitrary: fc.constantFrom<unknown>(...RESPONDERS), weight: 9 }, { arbitrary: fc.constantFrom<unknown>('', ' ', undefined, 4), weight: 1 }),
    // expiresAt / arrivalDueAt relative to the action time; zero or negative is not later, so refused.
    laterBy: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 1800 }), weight: 9 }, { arbitrary: fc.integer({ min: -60, max: 0 }), weight: 1 }),
    outcome: fc.oneof({ arbitrary: fc.constantFrom<unknown>(...TASK_OUTCOMES), weight: 9 }, { arbitrary: fc.constantFrom<unknown>(undefined, null, '', 'auto_cleared', 'bogus', 1), weight: 1 }),
    reason: fc.oneof({ arbitrary: fc.constantFrom<unknown>('alarm resolved by phone', '正在另一位老人家中'), weight: 8 }, { arbitrary: fc.constantFrom<unknown>(undefined, '', '   ', 9), weight: 2 }),
    notes: fc.oneof({ arbitrary: fc.constantFrom<unknown>(undefined, ' all fine ', ''), weight: 9 }, { arbitrary: fc.constant<unknown>(5), weight: 1 }),
    corruptTime: fc.oneof({ arbitrary: fc.constant<unknown>(null), weight: 19 }, { arbitrary: fc.constantFrom<unknown>('now', '', 0, '2026-02-31', '2026-03-02T24:61:00Z'), weight: 1 }),
  },
  { noNullPrototype: true },
)

const iso = (ms: number) => new Date(ms).toISOString()

function buildAction(step: Step, task: VisitTask, clock: number): TaskAction {
  const by = step.by === 'current' ? (task.responderId ?? RESPONDERS[0]) : step.by.id
  const at = step.corruptTime ?? iso(clock)
  const later = iso(clock + step.laterBy * 1000)
  return { kind: step.kind, at, by, responderId: step.responderId, expiresAt: later, arrivalDueAt: later, outcome: step.outcome, reason: step.reason, notes: step.notes } as unknown as TaskAction
}

const EDGES: Record<TaskActionKind, string[]> = {
  offer: ['unassigned>offered'],
  accept: ['offered>accepted'],
  decline: ['offered>unassigned'],
  offer_expired: ['offered>unassigned'],
  depart: ['accepted>en_route'],
  arrive: ['accepted>arrived', 'en_route>arrived'],
  complete: ['arrived>completed'],
  cancel: ['unassigned>cancelled', 'offered>cancelled', 'accepted>cancelled', 'en_route>cancelled', 'arrived>cancelled'],
  arrival_overdue: ['accepted>accepted', 'en_route>en_route'],
}
const ESCALATION_KIND: Record<TaskActionKind, string | null> = {
  offer: null, accept: 'dispatch', decline: 'note', offer_expired: 'note', depart: 'note', arrive: 'arrive', complete: 'resolve', cancel: null, arrival_overdue: null,
}
const TERMINAL: TaskState[] = ['completed', 'cancelled']
const WITH_RESPONDER: TaskState[] = ['offered', 'accepted', 'en_route', 'arrived', 'completed']
const BY_RESPONDER: TaskActionKind[] = ['accept', 'decline', 'depart', 'arrive', 'complete']

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

function checkStep(task: VisitTask, action: TaskAction): { next: VisitTask; code: string | null } {
  const before = structuredClone(task)
  const result = transitionTask(deepFreeze(task), action)
  assert.deepEqual(task, before, 'the input task is never modified')
  const kind = action.kind
  if (TERMINAL.includes(task.state)) assert.ok(!result.ok, `a ${task.state} task refuses everything`)
  if (!result.ok) {
    assert.ok((TASK_REFUSAL_CODES as readonly string[]).includes(result.code))
    assert.ok(result.message.length > 0)
    return { next: task, code: result.code }
  }

  const { next, effect } = result
  const atMs = Date.parse(action.at)
  assert.equal(next.version, task.version + 1, 'an accepted action bumps the version by exactly one')
  assert.equal(effect.event.version, next.version)
  assert.equal(effect.event.from, task.state)
  assert.equal(effect.event.to, next.state)
  assert.equal(effect.event.kind, kind)
  assert.ok(EDGES[kind].includes(`${task.state}>${next.state}`), `${kind} may not move ${task.state} -> ${next.state}`)
  assert.equal(next.updatedAt, iso(atMs), 'times are stored as UTC with milliseconds')
  assert.equal(effect.escalation?.kind ?? null, ESCALATION_KIND[kind])
  if (BY_RESPONDER.includes(kind)) assert.equal((action as { by: string }).by, task.responderId, `only ${task.responderId} may ${kind}`)
  if (kind === 'offer') assert.ok(!task.declinedBy.includes(action.responderId), 'never offered again to someone who declined')
  if (kind === 'accept' || kind === 'decline') assert.ok(task.offerExpiresAt && atMs < Date.parse(task.offerExpiresAt), 'answered before the offer lapsed')
  if (kind === 'offer_expired') assert.ok(task.offerExpiresAt && atMs >= Date.parse(task.offerExpiresAt), 'expired only once the offer lapsed')
  if (kind === 'arrival_overdue') {
    assert.equal(task.overdueAt, null, 'overdue is recorded once')
    assert.ok(task.arrivalDueAt && atMs >= Date.parse(task.arrivalDueAt), 'overdue only after the due time')
  }
  assert.equal(effect.offerNext, ['decline', 'offer_expired', 'arrival_overdue'].includes(kind))
  if (effect.standDown !== null) assert.ok(kind === 'cancel' && (task.state === 'accepted' || task.state === 'en_route') && effect.standDown === task.responderId)

  // What must hold of every task the machine produces.
  assert.equal(next.responderId !== null, WITH_RESPONDER.includes(next.state) || (next.state === 'cancelled' && task.state !== 'offered' && task.responderId !== null), `responder in ${next.state}`)
  assert.equal(next.offerExpiresAt !== null, next.state === 'offered', 'an offer deadline exactly while offered')
  assert.equal(new Set(next.offeredTo).size, next.offeredTo.length, 'offeredTo names each person once')
  assert.ok(next.declinedBy.every(id => next.offeredTo.includes(id)), 'only someone offered the task can have declined it')
  if (next.acceptedAt && next.arrivalDueAt) assert.ok(Date.parse(next.arrivalDueAt) > Date.parse(next.acceptedAt))
  if (next.state === 'completed') assert.ok(next.outcome && next.completedAt && next.arrivedAt)
  assert.ok(!Object.values(next).some(v => v === undefined), 'no undefined fields (JSON would drop them)')
  return { next, code: null }
}

t.test('random task histories: every step obeys the visit-task rules', async t => {
  const reached = new Set<string>()
  const refused: Record<string, number> = {}
  let accepted = 0
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 40, size: 'max' }), steps => {
      let task = newTask({ taskId: 'task-1', alarmId: 'alarm-1', orgId: 'org-1', at: iso(T0) })
      let clock = T0
      let acceptedHere = 0
      for (const step of steps) {
        clock += step.advance * 1000
        const { next, code } = checkStep(task, buildAction(step, task, clock))
        if (code) refused[code] = (refused[code] ?? 0) + 1
        else {
          accepted++
          acceptedHere++
        }
        task = next
        reached.add(task.state)
      }
      assert.equal(task.version, 1 + acceptedHere, 'the version counts the accepted actions')
    }),
    fuzzParameters(600),
  )
  t.comment(`${accepted} accepted actions; refused: ${JSON.stringify(refused)}; states reached: ${[...reached].sort().join(', ')}`)
  t.same([...reached].sort(), ['accepted', 'arrived', 'cancelled', 'completed', 'en_route', 'offered', 'unassigned'], 'the histories reach every state')
})

t.test('transitionTask is a pure function: the same request on the same task gets the same answer', async t => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 25 }), stepArb, (history, probe) => {
      let task = newTask({ taskId: 'task-1', alarmId: 'alarm-1', orgId: 'org-1', at: iso(T0) })
      let clock = T0
      for (const step of history) {
        clock += step.advance * 1000
        task = checkStep(task, buildAction(step, task, clock)).next
      }
      const action = buildAction(probe, task, clock + probe.advance * 1000)
      assert.deepEqual(transitionTask(structuredClone(task), action), transitionTask(task, action))
    }),
    fuzzParameters(400),
  )
  t.pass()
})
