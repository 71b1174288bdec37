import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import { fuzzParameters } from '@anxin/testing'
import {
  ESCALATION_DIRECTIVES,
  LIFECYCLE_ACTION_KINDS,
  REFUSAL_CODES,
  initialLifecycle,
  needsPerson,
  transition,
  type AlarmLifecycle,
  type LifecycleAction,
  type LifecycleActionKind,
} from '../../src/domain/lifecycle.ts'
import { CHANNELS, OUTCOMES, type Actor, type LifecycleState } from '../../src/domain/lifecycle-types.ts'

/**
 * Model-based properties of the alarm lifecycle: random sequences of actions (well-formed and malformed, by
 * people and by the system, with fresh, stale and junk versions) are applied one after another, and every
 * step is checked against the rules in the comment at the top of lifecycle.ts. The hand-written transition
 * table in lifecycle.test.ts stays the specification; these properties look for what a table cannot: long
 * histories, races and garbage.
 */

const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const ALARM_ID = '6f1c2a52-6d0e-5b8a-9a41-0c1d2e3f4a5b'

const PEOPLE: Actor[] = [
  { kind: 'staff', id: 'op-1' },
  { kind: 'staff', id: 'op-2' },
  { kind: 'contact', id: 'carer-1' },
  { kind: 'contact', id: 'daughter-1' },
]
const SYSTEM: Actor[] = [
  { kind: 'system', id: 'escalation-engine' },
  { kind: 'system', id: 'alert-service' },
]
const junkActor = fc.constantFrom<unknown>(null, undefined, 'op-1', { kind: 'robot', id: 'r2' }, { kind: 'staff', id: '' }, { kind: 'staff' }, { id: 'op-1' }, 42)
/** Action times: ISO with Z or an offset, seconds after T0; sometimes not a time at all. */
function isoAt(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString()
  const local = new Date(ms + offsetMinutes * 60000).toISOString().slice(0, 19)
  const abs = Math.abs(offsetMinutes)
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** How the action names the version it expects; resolved against the lifecycle when the action is applied. */
type VersionSpec = 'none' | 'current' | { stale: number } | { ahead: number } | { junk: unknown }
const versionArb: fc.Arbitrary<VersionSpec> = fc.oneof(
  { arbitrary: fc.constant<VersionSpec>('none'), weight: 6 },
  { arbitrary: fc.constant<VersionSpec>('current'), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 5 }).map(stale => ({ stale })), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 5 }).map(ahead => ({ ahead })), weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(NaN, '1', null, -1, 1.5).map(junk => ({ junk })), weight: 1 },
)

type Step = { request: Record<string, unknown>; version: VersionSpec }

const personArb = fc.constantFrom(...PEOPLE)
const goodTime = fc.tuple(fc.nat(86400), fc.constantFrom(0, 480, -300)).map(([s, offset]) => isoAt(T0 + s * 1000, offset))

/** A request of the given kind as a client would send it; the actor is usually a person, sometimes the system. */
function wellFormed(kind: LifecycleActionKind): fc.Arbitrary<Record<string, unknown>> {
  const base = {
    kind: fc.constant(kind),
    actor: fc.oneof({ arbitrary: personArb, weight: 4 }, { arbitrary: fc.constantFrom(...SYSTEM), weight: 1 }),
    at: goodTime,
    channel: fc.constantFrom(...CHANNELS),
    // Present with the value undefined when absent: the same as a missing key to the validation.
    note: fc.option(fc.string({ maxLength: 20 }), { nil: undefined, freq: 3 }),
  }
  const extra: Record<LifecycleActionKind, Record<string, fc.Arbitrary<unknown>>> = {
    notify: { recipient: personArb },
    acknowledge: {},
    dispatch: { responder: personArb },
    arrive: {},
    resolve: { outcome: fc.constantFrom(...OUTCOMES) },
    auto_resolve: {},
    close: {},
    reopen: { reason: fc.constantFrom('resident called back: still dizzy', 'fell again') },
    note: { text: fc.constantFrom('called the resident, no answer', 'daughter on her way') },
    escalate: {},
  }
  return fc.record({ ...base, ...extra[kind] }, { noNullPrototype: true })
}

/** One field of a request replaced by something a client should never send. */
const corruptions: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('kind'), fc.constantFrom<unknown>('ack', '', 'RESOLVE', null, 7, undefined)),
  fc.tuple(fc.constant('actor'), junkActor),
  fc.tuple(fc.constant('at'), fc.constantFrom<unknown>('now', '', 0, null, '2026-13-45T00:00Z', '2026-03-02', '2026-03-02T25:00:00Z')),
  fc.tuple(fc.constant('channel'), fc.constantFrom<unknown>('pigeon', '', undefined, 3)),
  fc.tuple(fc.constant('note'), fc.constantFrom<unknown>(5, null, {}, [])),
  fc.tuple(fc.constantFrom('recipient', 'responder'), fc.oneof(junkActor, fc.constantFrom(...SYSTEM))),
  fc.tuple(fc.constant('outcome'), fc.constantFrom<unknown>(undefined, null, '', 'bogus', 3, 'auto_cleared')),
  fc.tuple(fc.constantFrom('reason', 'text'), fc.constantFrom<unknown>('   ', '', undefined, 5, {})),
)

const stepArb: fc.Arbitrary<Step> = fc
  .tuple(fc.constantFrom(...LIFECYCLE_ACTION_KINDS).chain(wellFormed), fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: corruptions, weight: 1 }), versionArb)
  .map(([request, corruption, version]) => ({ request: corruption ? { ...request, [corruption[0]]: corruption[1] } : request, version }))

const alarmTypeArb = fc.constantFrom('sos', 'fall', 'heart_rate_high', 'inactivity', 'low_battery')

/** Every (from -> to) an accepted action of each kind may make; from the comment at the top of lifecycle.ts. */
const EDGES: Record<LifecycleActionKind, string[]> = {
  notify: ['raised>notified', 'notified>notified', 'acknowledged>acknowledged', 'dispatched>dispatched', 'on_scene>on_scene', 'resolved>resolved', 'closed>closed'],
  acknowledge: ['raised>acknowledged', 'notified>acknowledged'],
  dispatch: ['raised>dispatched', 'notified>dispatched', 'acknowledged>dispatched', 'dispatched>dispatched'],
  arrive: ['dispatched>on_scene'],
  resolve: ['raised>resolved', 'notified>resolved', 'acknowledged>resolved', 'dispatched>resolved', 'on_scene>resolved'],
  auto_resolve: ['raised>resolved', 'notified>resolved', 'acknowledged>acknowledged', 'dispatched>dispatched', 'on_scene>on_scene'],
  close: ['resolved>closed'],
  reopen: ['resolved>raised', 'closed>raised'],
  note: ['raised>raised', 'notified>notified', 'acknowledged>acknowledged', 'dispatched>dispatched', 'on_scene>on_scene', 'resolved>resolved', 'closed>closed'],
  escalate: ['raised>raised', 'notified>notified', 'acknowledged>acknowledged', 'dispatched>dispatched', 'on_scene>on_scene'],
}
const HANDLING: LifecycleState[] = ['acknowledged', 'dispatched', 'on_scene']
const TERMINAL: LifecycleState[] = ['resolved', 'closed']
const PERSON_ONLY = ['acknowledge', 'dispatch', 'resolve', 'escalate']

function resolveVersion(spec: VersionSpec, current: number): unknown {
  if (spec === 'none') return undefined
  if (spec === 'current') return current
  if ('stale' in spec) return current - spec.stale
  if ('ahead' in spec) return current + spec.ahead
  return spec.junk
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Checks one step against every rule; returns the lifecycle to continue with. */
function checkStep(current: AlarmLifecycle, step: Step, acceptedSoFar: number): { next: AlarmLifecycle; accepted: boolean; code?: string } {
  const expectedVersion = resolveVersion(step.version, current.version)
  const request = { ...step.request, ...(expectedVersion === undefined ? {} : { expectedVersion }) } as unknown as LifecycleAction
  const before = structuredClone(current)
  const result = transition(deepFreeze(current), request)
  assert.deepEqual(current, before, 'the input lifecycle is never modified')
  const kind = step.request.kind as LifecycleActionKind
  const actor = step.request.actor as Actor | undefined

  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    assert.ok(!result.ok && result.code === 'version_conflict', `a stale expectedVersion ${String(expectedVersion)} at version ${current.version} is refused`)
  }
  const byTheSystem = typeof actor === 'object' && actor !== null && actor.kind === 'system'
  if (byTheSystem && PERSON_ONLY.includes(kind)) assert.ok(!result.ok, `${kind} by the system is refused`)
  if (kind === 'auto_resolve' && needsPerson(current.alarmType)) assert.ok(!result.ok, `${current.alarmType} is never auto-resolved`)

  if (!result.ok) {
    assert.ok((REFUSAL_CODES as readonly string[]).includes(result.code))
    assert.ok(result.message.length > 0)
    return { next: current, accepted: false, code: result.code }
  }

  const { next, effect } = result
  const from = current.state
  assert.ok((LIFECYCLE_ACTION_KINDS as readonly string[]).includes(kind), 'only known kinds are accepted')
  assert.equal(next.version, current.version + 1, 'an accepted action bumps the version by exactly one')
  assert.equal(next.version, 1 + acceptedSoFar + 1, 'the version counts the accepted actions')
  assert.equal(effect.audit.version, next.version)
  assert.equal(effect.audit.from, from)
  assert.equal(effect.audit.to, next.state)
  assert.equal(effect.audit.kind, kind)
  assert.equal(effect.stateChanged, from !== next.state)
  assert.ok((ESCALATION_DIRECTIVES as readonly string[]).includes(effect.escalation))
  assert.ok(EDGES[kind].includes(`${from}>${next.state}`), `${kind} may not move ${from} -> ${next.state}`)
  assert.equal(next.updatedAt, new Date(step.request.at as string).toISOString(), 'times are stored as UTC with milliseconds')
  assert.equal(next.alarmId, current.alarmId)
  assert.equal(next.raisedAt, current.raisedAt, 'the first raise time is kept')

  if (TERMINAL.includes(from) && kind !== 'reopen') {
    assert.ok(TERMINAL.includes(next.state), 'only reopen takes a finished alarm back')
    assert.equal(effect.escalation, 'stop', 'late actions on a finished alarm can only confirm that escalation is over')
  }
  if (kind === 'reopen') assert.equal(effect.escalation, 'start')
  if (HANDLING.includes(next.state)) {
    assert.ok(next.acknowledgedBy && next.acknowledgedAt, `${next.state} names who acknowledged`)
    assert.notEqual(next.acknowledgedBy.kind, 'system', 'and that is a person')
  }
  if (next.state === 'dispatched' || next.state === 'on_scene') assert.ok(next.responder && next.responder.kind !== 'system', 'a person is on the way')
  if (TERMINAL.includes(next.state)) assert.ok(next.outcome && next.resolvedBy && next.resolvedAt, 'a finished alarm has an outcome and who reported it')
  if (next.outcome === 'auto_cleared') {
    assert.ok(!needsPerson(next.alarmType), 'sos and fall are never cleared automatically')
    assert.equal(next.resolvedBy?.kind, 'system')
  }
  if (next.state === 'raised' || next.state === 'notified') {
    assert.equal(next.outcome, null)
    assert.equal(next.acknowledgedBy, null, 'an unhandled alarm names no acknowledger')
  }
  if (effect.standDown) assert.equal(from, 'dispatched')
  assert.ok(!Object.values(next).some(v => v === undefined), 'no undefined fields (JSON would drop them)')
  assert.ok(!Object.values(effect.audit).some(v => v === undefined), 'no undefined audit fields')
  return { next, accepted: true }
}

t.test('random action sequences: every step obeys the lifecycle rules', async t => {
  const reached = new Set<string>()
  let accepted = 0
  const refused: Record<string, number> = {}
  fc.assert(
    fc.property(alarmTypeArb, fc.array(stepArb, { maxLength: 40, size: 'max' }), (alarmType, steps) => {
      let lifecycle = initialLifecycle(ALARM_ID, alarmType, new Date(T0).toISOString())
      let acceptedSoFar = 0
      for (const step of steps) {
        const { next, accepted: ok, code } = checkStep(lifecycle, step, acceptedSoFar)
        if (ok) {
          accepted++
          acceptedSoFar++
        } else refused[code!] = (refused[code!] ?? 0) + 1
        lifecycle = next
        reached.add(lifecycle.state)
      }
    }),
    fuzzParameters(600),
  )
  t.comment(`${accepted} accepted actions; refused: ${JSON.stringify(refused)}; states reached: ${[...reached].sort().join(', ')}`)
  t.same([...reached].sort(), ['acknowledged', 'closed', 'dispatched', 'notified', 'on_scene', 'raised', 'resolved'], 'the sequences reach every state')
})

t.test('transition is a pure function: the same request on the same lifecycle gets the same answer', async t => {
  fc.assert(
    fc.property(alarmTypeArb, fc.array(stepArb, { maxLength: 25 }), stepArb, (alarmType, history, probe) => {
      let lifecycle = initialLifecycle(ALARM_ID, alarmType, new Date(T0).toISOString())
      for (const step of history) lifecycle = checkStep(lifecycle, step, lifecycle.version - 1).next
      const request = { ...probe.request, expectedVersion: resolveVersion(probe.version, lifecycle.version) } as unknown as LifecycleAction
      const first = transition(lifecycle, request)
      assert.deepEqual(transition(structuredClone(lifecycle), request), first)
    }),
    fuzzParameters(400),
  )
  t.pass()
})

t.test('two people racing with the same version: at most one of them is accepted', async t => {
  fc.assert(
    fc.property(alarmTypeArb, fc.array(stepArb, { maxLength: 20 }), stepArb, stepArb, (alarmType, history, a, b) => {
      let lifecycle = initialLifecycle(ALARM_ID, alarmType, new Date(T0).toISOString())
      for (const step of history) lifecycle = checkStep(lifecycle, step, lifecycle.version - 1).next
      const seen = lifecycle.version
      const first = transition(lifecycle, { ...a.request, expectedVersion: seen } as unknown as LifecycleAction)
      const after = first.ok ? first.next : lifecycle
      const second = transition(after, { ...b.request, expectedVersion: seen } as unknown as LifecycleAction)
      if (first.ok) assert.ok(!second.ok && second.code === 'version_conflict', 'the loser learns the alarm moved on')
    }),
    fuzzParameters(400),
  )
  t.pass()
})
