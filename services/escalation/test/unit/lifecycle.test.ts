import t from 'tap'
import {
  ESCALATION_DIRECTIVES,
  LIFECYCLE_ACTION_KINDS,
  REFUSAL_CODES,
  initialLifecycle,
  transition,
  type AlarmLifecycle,
  type EscalationDirective,
  type LifecycleAction,
  type LifecycleActionKind,
  type PersonOutcome,
  type RefusalCode,
  type TransitionResult,
} from '../../src/domain/lifecycle.ts'
import { LIFECYCLE_STATES, OUTCOMES, type Actor, type LifecycleState } from '../../src/domain/lifecycle-types.ts'

const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()

const OP1: Actor = { kind: 'staff', id: 'op-1' }
const OP2: Actor = { kind: 'staff', id: 'op-2' }
const CARER: Actor = { kind: 'contact', id: 'carer-1' }
const DAUGHTER: Actor = { kind: 'contact', id: 'daughter-1' }
const ENGINE: Actor = { kind: 'system', id: 'escalation-engine' }
const ALERT: Actor = { kind: 'system', id: 'alert-service' }

const ALARM_ID = '6f1c2a52-6d0e-5b8a-9a41-0c1d2e3f4a5b'
/** A type the alert service may clear by itself, and the two it never does. */
const SENSOR_TYPE = 'heart_rate_high'
const PERSON_TYPES = ['sos', 'fall'] as const

/** A well-formed action of each kind, by whoever would normally take it. */
function act(kind: LifecycleActionKind, s: number, extra: Partial<Record<string, unknown>> = {}): LifecycleAction {
  const base = { at: at(s), channel: 'console' as const }
  const byKind: Record<LifecycleActionKind, LifecycleAction> = {
    notify: { ...base, kind: 'notify', actor: ENGINE, channel: 'sms', recipient: DAUGHTER },
    acknowledge: { ...base, kind: 'acknowledge', actor: OP1 },
    dispatch: { ...base, kind: 'dispatch', actor: OP1, responder: CARER },
    arrive: { ...base, kind: 'arrive', actor: CARER, channel: 'responder_app' },
    resolve: { ...base, kind: 'resolve', actor: OP1, outcome: 'visited_fine' },
    auto_resolve: { ...base, kind: 'auto_resolve', actor: ALERT, channel: 'system' },
    close: { ...base, kind: 'close', actor: OP1 },
    reopen: { ...base, kind: 'reopen', actor: OP1, reason: 'resident called back: still dizzy' },
    note: { ...base, kind: 'note', actor: OP1, channel: 'phone', text: 'called the resident, no answer' },
    escalate: { ...base, kind: 'escalate', actor: OP1 },
  }
  return { ...byKind[kind], ...extra } as LifecycleAction
}

function mustAccept(r: TransitionResult): Extract<TransitionResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected acceptance, got ${r.code}: ${r.message}`)
  return r
}

function mustRefuse(r: TransitionResult): Extract<TransitionResult, { ok: false }> {
  if (r.ok) throw new Error(`expected a refusal, got ${r.next.state}`)
  return r
}

/** Applies actions in order, each of which must be accepted. */
function walk(start: AlarmLifecycle, kinds: LifecycleActionKind[], from = 1): AlarmLifecycle {
  return kinds.reduce((l, kind, i) => mustAccept(transition(l, act(kind, from + i))).next, start)
}

/** How a lifecycle in each state is reached: by real transitions, so the fixtures are ones the code makes. */
const PATH_TO: Record<LifecycleState, LifecycleActionKind[]> = {
  raised: [],
  notified: ['notify'],
  acknowledged: ['notify', 'acknowledge'],
  dispatched: ['notify', 'acknowledge', 'dispatch'],
  on_scene: ['notify', 'acknowledge', 'dispatch', 'arrive'],
  resolved: ['notify', 'acknowledge', 'dispatch', 'arrive', 'resolve'],
  closed: ['notify', 'acknowledge', 'dispatch', 'arrive', 'resolve', 'close'],
}

function inState(state: LifecycleState, alarmType: string = SENSOR_TYPE): AlarmLifecycle {
  const l = walk(initialLifecycle(ALARM_ID, alarmType, at(0)), PATH_TO[state])
  if (l.state !== state) throw new Error(`fixture for ${state} ended in ${l.state}`)
  return deepFreeze(l)
}

/** Frozen fixtures make any mutation of the input throw (ES modules are strict mode). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

// ---------------------------------------------------------------------------------------------------------
// The transition table: the specification, written by hand. Rows: current state; columns: action kind.
// ok(to, escalation): accepted, the alarm ends in `to` and the engine is told `escalation`.
// no(code): refused with that code, nothing changes.
// For a sensor alarm type; for sos and fall the auto_resolve column is no('needs_person') throughout.
// ---------------------------------------------------------------------------------------------------------

type Cell = { to: LifecycleState; escalation: EscalationDirective } | { refused: RefusalCode }
const ok = (to: LifecycleState, escalation: EscalationDirective): Cell => ({ to, escalation })
const no = (refused: RefusalCode): Cell => ({ refused })

const TABLE: Record<LifecycleState, Record<LifecycleActionKind, Cell>> = {
  raised: {
    notify: ok('notified', 'continue'),
    acknowledge: ok('acknowledged', 'pause_for_handling'),
    dispatch: ok('dispatched', 'pause_for_handling'),
    arrive: no('invalid_transition'),
    resolve: ok('resolved', 'stop'),
    auto_resolve: ok('resolved', 'stop'),
    close: no('invalid_transition'),
    reopen: no('invalid_transition'),
    note: ok('raised', 'none'),
    escalate: ok('raised', 'escalate_now'),
  },
  notified: {
    notify: ok('notified', 'continue'),
    acknowledge: ok('acknowledged', 'pause_for_handling'),
    dispatch: ok('dispatched', 'pause_for_handling'),
    arrive: no('invalid_transition'),
    resolve: ok('resolved', 'stop'),
    auto_resolve: ok('resolved', 'stop'),
    close: no('invalid_transition'),
    reopen: no('invalid_transition'),
    note: ok('notified', 'none'),
    escalate: ok('notified', 'escalate_now'),
  },
  acknowledged: {
    notify: ok('acknowledged', 'none'),
    acknowledge: no('already_acknowledged'),
    dispatch: ok('dispatched', 'pause_for_handling'),
    arrive: no('invalid_transition'),
    resolve: ok('resolved', 'stop'),
    auto_resolve: ok('acknowledged', 'none'),
    close: no('invalid_transition'),
    reopen: no('invalid_transition'),
    note: ok('acknowledged', 'none'),
    escalate: ok('acknowledged', 'escalate_now'),
  },
  dispatched: {
    notify: ok('dispatched', 'none'),
    acknowledge: no('already_acknowledged'),
    dispatch: ok('dispatched', 'pause_for_handling'),
    arrive: ok('on_scene', 'pause_for_handling'),
    resolve: ok('resolved', 'stop'),
    auto_resolve: ok('dispatched', 'none'),
    close: no('invalid_transition'),
    reopen: no('invalid_transition'),
    note: ok('dispatched', 'none'),
    escalate: ok('dispatched', 'escalate_now'),
  },
  on_scene: {
    notify: ok('on_scene', 'none'),
    acknowledge: no('already_acknowledged'),
    dispatch: no('invalid_transition'),
    arrive: no('invalid_transition'),
    resolve: ok('resolved', 'stop'),
    auto_resolve: ok('on_scene', 'none'),
    close: no('invalid_transition'),
    reopen: no('invalid_transition'),
    note: ok('on_scene', 'none'),
    escalate: ok('on_scene', 'escalate_now'),
  },
  resolved: {
    notify: ok('resolved', 'stop'),
    acknowledge: no('already_resolved'),
    dispatch: no('already_resolved'),
    arrive: no('already_resolved'),
    resolve: no('already_resolved'),
    auto_resolve: no('already_resolved'),
    close: ok('closed', 'stop'),
    reopen: ok('raised', 'start'),
    note: ok('resolved', 'stop'),
    escalate: no('already_resolved'),
  },
  closed: {
    notify: ok('closed', 'stop'),
    acknowledge: no('already_resolved'),
    dispatch: no('already_resolved'),
    arrive: no('already_resolved'),
    resolve: no('already_resolved'),
    auto_resolve: no('already_resolved'),
    close: no('already_closed'),
    reopen: ok('raised', 'start'),
    note: ok('closed', 'stop'),
    escalate: no('already_resolved'),
  },
}

t.test('the table covers every state and every action kind, and nothing else', async t => {
  t.same(Object.keys(TABLE).sort(), [...LIFECYCLE_STATES].sort())
  for (const state of LIFECYCLE_STATES) t.same(Object.keys(TABLE[state]).sort(), [...LIFECYCLE_ACTION_KINDS].sort(), state)
  for (const row of Object.values(TABLE)) {
    for (const cell of Object.values(row)) {
      if ('refused' in cell) t.ok(REFUSAL_CODES.includes(cell.refused))
      else t.ok(ESCALATION_DIRECTIVES.includes(cell.escalation))
    }
  }
})

for (const alarmType of [SENSOR_TYPE, ...PERSON_TYPES]) {
  t.test(`every (state x action) pair matches the table: ${alarmType} alarm`, async t => {
    let pairs = 0
    for (const state of LIFECYCLE_STATES) {
      const current = inState(state, alarmType)
      for (const kind of LIFECYCLE_ACTION_KINDS) {
        pairs++
        const label = `${state} x ${kind}`
        const expected = kind === 'auto_resolve' && alarmType !== SENSOR_TYPE ? no('needs_person') : TABLE[state][kind]
        const r = transition(current, act(kind, 100))
        if ('refused' in expected) {
          t.equal(r.ok, false, `${label}: refused`)
          if (!r.ok) {
            t.equal(r.code, expected.refused, `${label}: code`)
            t.ok(r.message.length > 0, `${label}: message`)
          }
          continue
        }
        t.equal(r.ok, true, `${label}: accepted`)
        if (!r.ok) {
          t.fail(`${label}: ${r.code}: ${r.message}`)
          continue
        }
        t.equal(r.next.state, expected.to, `${label}: next state`)
        t.equal(r.effect.escalation, expected.escalation, `${label}: escalation`)
        t.equal(r.next.version, current.version + 1, `${label}: version bumped`)
        t.equal(r.next.updatedAt, at(100), `${label}: updatedAt`)
        t.equal(r.effect.stateChanged, expected.to !== state, `${label}: stateChanged`)
        t.match(r.effect.audit, { alarmId: ALARM_ID, version: r.next.version, kind, from: state, to: expected.to, at: at(100) }, `${label}: audit`)
        // Someone always has the alarm while it is being handled.
        if (['acknowledged', 'dispatched', 'on_scene'].includes(r.next.state)) t.ok(r.next.acknowledgedBy && r.next.acknowledgedAt, `${label}: acknowledger known`)
        if (r.next.state === 'resolved') t.ok(r.next.outcome && r.next.resolvedAt && r.next.resolvedBy, `${label}: resolution recorded`)
      }
    }
    t.equal(pairs, LIFECYCLE_STATES.length * LIFECYCLE_ACTION_KINDS.length)
  })
}

// ---------------------------------------------------------------------------------------------------------
// Versions and the optimistic lock
// ---------------------------------------------------------------------------------------------------------

t.test('every accepted action bumps the version by one, notes included; refusals change nothing', async t => {
  let l = initialLifecycle(ALARM_ID, SENSOR_TYPE, at(0))
  t.equal(l.version, 1)
  const versions: number[] = []
  for (const [i, kind] of (['notify', 'note', 'notify', 'acknowledge', 'note', 'dispatch', 'arrive', 'resolve', 'note', 'close', 'reopen'] as const).entries()) {
    const r = mustAccept(transition(l, act(kind, i + 1)))
    t.equal(r.effect.audit.version, r.next.version, `${kind}: audit row carries the new version`)
    versions.push(r.next.version)
    l = r.next
  }
  t.same(versions, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])

  const resolved = inState('resolved')
  const before = structuredClone(resolved)
  t.equal(resolved.version, 6, 'raised + five accepted actions')
  t.equal(transition(resolved, act('acknowledge', 50)).ok, false)
  t.strictSame(resolved, before, 'a refusal leaves the lifecycle as it was')
})

t.test('two operators acknowledging at once: the second gets version_conflict naming who has it', async t => {
  const notified = inState('notified')
  const seen = notified.version
  const first = mustAccept(transition(notified, act('acknowledge', 10, { actor: OP1, expectedVersion: seen })))
  t.equal(first.next.state, 'acknowledged')
  t.same(first.next.acknowledgedBy, OP1)

  const second = mustRefuse(transition(first.next, act('acknowledge', 11, { actor: OP2, expectedVersion: seen })))
  t.equal(second.code, 'version_conflict')
  t.match(second.message, /version 3/)
  t.match(second.message, /not 2/)
  t.match(second.message, /acknowledged by staff op-1 at 2026-03-02T02:00:10\.000Z/)
})

t.test('the version is checked before anything else, and a matching version is accepted', async t => {
  const l = inState('acknowledged')
  t.equal(mustRefuse(transition(l, act('note', 5, { expectedVersion: l.version - 1 }))).code, 'version_conflict', 'even a note')
  t.equal(mustRefuse(transition(l, act('note', 5, { expectedVersion: l.version + 1 }))).code, 'version_conflict', 'a version from the future')
  t.equal(mustRefuse(transition(l, act('resolve', 5, { outcome: undefined, expectedVersion: 1 }))).code, 'version_conflict', 'before validation')
  t.equal(mustAccept(transition(l, act('dispatch', 5, { expectedVersion: l.version }))).next.state, 'dispatched')
})

t.test('double acknowledge without versions: refused as already_acknowledged, harmless, names who and when', async t => {
  const acked = inState('acknowledged')
  const other = mustRefuse(transition(acked, act('acknowledge', 20, { actor: OP2 })))
  t.equal(other.code, 'already_acknowledged')
  t.match(other.message, 'staff op-1')
  t.match(other.message, at(2))

  const same = mustRefuse(transition(acked, act('acknowledge', 20, { actor: OP1 })))
  t.equal(same.code, 'already_acknowledged')
  t.match(same.message, /by you at/, 'a double click is told it already worked')

  for (const state of ['dispatched', 'on_scene'] as const) {
    const r = mustRefuse(transition(inState(state), act('acknowledge', 20, { actor: OP2 })))
    t.equal(r.code, 'already_acknowledged', state)
    t.match(r.message, `now ${state}`)
  }
})

t.test('an acknowledgement never un-resolves an alarm', async t => {
  for (const state of ['resolved', 'closed'] as const) {
    const l = inState(state)
    const r = mustRefuse(transition(l, act('acknowledge', 30, { actor: OP2 })))
    t.equal(r.code, 'already_resolved', state)
    t.match(r.message, /visited_fine by staff op-1/)
    t.equal(l.state, state)
    t.equal(l.outcome, 'visited_fine')
  }
})

// ---------------------------------------------------------------------------------------------------------
// auto_resolve
// ---------------------------------------------------------------------------------------------------------

t.test('auto_resolve while nobody is handling: resolved as auto_cleared by the system', async t => {
  for (const state of ['raised', 'notified'] as const) {
    const r = mustAccept(transition(inState(state), act('auto_resolve', 40)))
    t.match(r.next, { state: 'resolved', outcome: 'auto_cleared', resolvedBy: ALERT, resolvedAt: at(40), conditionClearedAt: at(40), acknowledgedBy: null })
    t.equal(r.effect.escalation, 'stop')
    t.equal(r.effect.audit.outcome, 'auto_cleared')
  }
})

t.test('auto_resolve while a person handles it: recorded, but the person must still report', async t => {
  for (const state of ['acknowledged', 'dispatched', 'on_scene'] as const) {
    const current = inState(state)
    const cleared = mustAccept(transition(current, act('auto_resolve', 40)))
    t.equal(cleared.next.state, state, `${state}: unchanged`)
    t.equal(cleared.next.outcome, null)
    t.equal(cleared.next.conditionClearedAt, at(40))
    t.equal(cleared.effect.escalation, 'none', `${state}: handling timers keep running`)
    t.equal(cleared.effect.stateChanged, false)
    t.equal(cleared.effect.audit.kind, 'auto_resolve')

    const resolved = mustAccept(transition(cleared.next, act('resolve', 50, { outcome: 'handled_by_phone' })))
    t.match(resolved.next, { state: 'resolved', outcome: 'handled_by_phone', resolvedBy: OP1, conditionClearedAt: at(40) })
  }
})

t.test('auto_resolve never applies to sos or fall, in any state', async t => {
  for (const type of PERSON_TYPES) {
    for (const state of LIFECYCLE_STATES) {
      const r = mustRefuse(transition(inState(state, type), act('auto_resolve', 40)))
      t.equal(r.code, 'needs_person', `${type} ${state}`)
      t.match(r.message, type)
    }
    // A person can of course resolve them.
    t.equal(mustAccept(transition(inState('raised', type), act('resolve', 40, { outcome: 'false_alarm' }))).next.state, 'resolved')
  }
})

t.test('auto_resolve is the alert service\'s; a late clearance after a person resolved is refused harmlessly', async t => {
  t.equal(mustRefuse(transition(inState('raised'), act('auto_resolve', 40, { actor: OP1 }))).code, 'invalid_actor')
  t.equal(mustRefuse(transition(inState('resolved'), act('auto_resolve', 40))).code, 'already_resolved')
})

// ---------------------------------------------------------------------------------------------------------
// Resolve and outcomes
// ---------------------------------------------------------------------------------------------------------

t.test('resolve needs an outcome a person may report', async t => {
  const l = inState('on_scene')
  t.equal(mustRefuse(transition(l, act('resolve', 60, { outcome: undefined }))).code, 'outcome_required')
  t.equal(mustRefuse(transition(l, act('resolve', 60, { outcome: null }))).code, 'outcome_required')
  t.equal(mustRefuse(transition(l, act('resolve', 60, { outcome: '' }))).code, 'outcome_required')
  t.equal(mustRefuse(transition(l, act('resolve', 60, { outcome: 'auto_cleared' }))).code, 'invalid_outcome', 'auto_cleared is the machine\'s')
  t.equal(mustRefuse(transition(l, act('resolve', 60, { outcome: 'fine' }))).code, 'invalid_outcome')
  t.equal(mustRefuse(transition(l, act('resolve', 60, { outcome: 3 }))).code, 'invalid_outcome')

  const personOutcomes = OUTCOMES.filter((o): o is PersonOutcome => o !== 'auto_cleared')
  t.equal(personOutcomes.length, 6)
  for (const outcome of personOutcomes) {
    const r = mustAccept(transition(l, act('resolve', 60, { outcome })))
    t.equal(r.next.outcome, outcome)
    t.equal(r.effect.audit.outcome, outcome)
  }
})

t.test('resolving straight from raised or notified (a false alarm sorted out by phone) is allowed', async t => {
  for (const state of ['raised', 'notified'] as const) {
    const r = mustAccept(transition(inState(state, 'sos'), act('resolve', 60, { channel: 'phone', outcome: 'false_alarm', note: ' pressed by mistake ' })))
    t.match(r.next, { state: 'resolved', outcome: 'false_alarm', resolvedBy: OP1, resolvedAt: at(60), acknowledgedBy: null, acknowledgedAt: null })
    t.equal(r.effect.escalation, 'stop')
    t.equal(r.effect.audit.note, 'pressed by mistake')
    t.equal(r.effect.audit.channel, 'phone')
  }
})

t.test('close only from resolved', async t => {
  const r = mustAccept(transition(inState('resolved'), act('close', 70)))
  t.match(r.next, { state: 'closed', closedAt: at(70), outcome: 'visited_fine' })
  const twice = mustRefuse(transition(r.next, act('close', 71)))
  t.equal(twice.code, 'already_closed')
  for (const state of ['raised', 'notified', 'acknowledged', 'dispatched', 'on_scene'] as const) {
    t.equal(mustRefuse(transition(inState(state), act('close', 70))).code, 'invalid_transition', state)
  }
})

// ---------------------------------------------------------------------------------------------------------
// Reopen
// ---------------------------------------------------------------------------------------------------------

t.test('reopen from resolved or closed: back to raised, outcome and handling cleared, escalation starts', async t => {
  for (const state of ['resolved', 'closed'] as const) {
    const r = mustAccept(transition(inState(state), act('reopen', 80, { reason: '  resident called back  ' })))
    t.same(
      { ...r.next },
      {
        ...initialLifecycle(ALARM_ID, SENSOR_TYPE, at(0)),
        version: state === 'resolved' ? 7 : 8,
        updatedAt: at(80),
        lastNotifiedAt: at(1),
        reopenCount: 1,
        reopenedAt: at(80),
      },
      `${state}: only the history-free fields remain`,
    )
    t.equal(r.effect.escalation, 'start')
    t.equal(r.effect.audit.reason, 'resident called back')
    t.equal(r.effect.audit.from, state)
  }
})

t.test('reopen counts, needs a reason, and applies only to resolved or closed alarms', async t => {
  const once = mustAccept(transition(inState('closed'), act('reopen', 80))).next
  const again = walk(once, ['acknowledge', 'resolve', 'reopen'], 81)
  t.equal(again.reopenCount, 2)
  t.equal(again.raisedAt, at(0), 'raisedAt is the first raise')
  t.equal(again.reopenedAt, at(83))

  const resolved = inState('resolved')
  t.equal(mustRefuse(transition(resolved, act('reopen', 80, { reason: undefined }))).code, 'reason_required')
  t.equal(mustRefuse(transition(resolved, act('reopen', 80, { reason: '   ' }))).code, 'reason_required')
  for (const state of ['raised', 'notified', 'acknowledged', 'dispatched', 'on_scene'] as const) {
    t.equal(mustRefuse(transition(inState(state), act('reopen', 80))).code, 'invalid_transition', state)
  }
})

// ---------------------------------------------------------------------------------------------------------
// Effects along the way
// ---------------------------------------------------------------------------------------------------------

t.test('the escalation directives along a full handling, and back', async t => {
  let l = initialLifecycle(ALARM_ID, 'fall', at(0))
  const directives: string[] = []
  for (const [i, kind] of (['notify', 'notify', 'acknowledge', 'escalate', 'dispatch', 'note', 'arrive', 'resolve', 'close', 'reopen', 'notify'] as const).entries()) {
    const r = mustAccept(transition(l, act(kind, i + 1)))
    directives.push(`${kind}:${r.effect.escalation}`)
    l = r.next
  }
  t.same(directives, [
    'notify:continue',
    'notify:continue',
    'acknowledge:pause_for_handling',
    'escalate:escalate_now',
    'dispatch:pause_for_handling',
    'note:none',
    'arrive:pause_for_handling',
    'resolve:stop',
    'close:stop',
    'reopen:start',
    'notify:continue',
  ])
})

t.test('dispatch from raised counts as the acknowledgement; after an acknowledgement the first one stands', async t => {
  const direct = mustAccept(transition(inState('raised', 'sos'), act('dispatch', 5, { actor: OP2, responder: CARER })))
  t.match(direct.next, { state: 'dispatched', acknowledgedBy: OP2, acknowledgedAt: at(5), responder: CARER, dispatchedAt: at(5) })
  t.same(direct.effect.audit.responder, CARER)

  const after = mustAccept(transition(inState('acknowledged'), act('dispatch', 5, { actor: OP2 })))
  t.same(after.next.acknowledgedBy, OP1)
  t.equal(after.next.acknowledgedAt, at(2))
})

t.test('re-dispatch replaces the responder and restarts the arrival deadline; not once someone is on scene', async t => {
  const other: Actor = { kind: 'staff', id: 'carer-2' }
  const r = mustAccept(transition(inState('dispatched'), act('dispatch', 90, { responder: other })))
  t.match(r.next, { state: 'dispatched', responder: other, dispatchedAt: at(90), arrivedAt: null })
  t.equal(r.effect.escalation, 'pause_for_handling')
  t.equal(r.effect.stateChanged, false)

  const onScene = mustRefuse(transition(inState('on_scene'), act('dispatch', 90, { responder: other })))
  t.equal(onScene.code, 'invalid_transition')
  t.match(onScene.message, 'contact carer-1')
})

t.test('arrival only after a dispatch', async t => {
  const r = mustAccept(transition(inState('dispatched'), act('arrive', 95)))
  t.match(r.next, { state: 'on_scene', arrivedAt: at(95), responder: CARER })
  t.match(mustRefuse(transition(inState('acknowledged'), act('arrive', 95))).message, 'no responder has been dispatched')
  t.match(mustRefuse(transition(inState('on_scene'), act('arrive', 95))).message, 'already on scene')
})

t.test('resolving while a responder is on the way tells the engine to stand them down', async t => {
  const enRoute = mustAccept(transition(inState('dispatched'), act('resolve', 99, { channel: 'phone', outcome: 'handled_by_phone' })))
  t.same(enRoute.effect.standDown, CARER)
  t.equal(enRoute.effect.escalation, 'stop')
  t.equal(mustAccept(transition(inState('on_scene'), act('resolve', 99))).effect.standDown, null, 'already there: nothing to stand down')
  t.equal(mustAccept(transition(inState('acknowledged'), act('resolve', 99))).effect.standDown, null)
})

t.test('notify records the recipient and the time; in a handled or finished alarm it changes no state', async t => {
  const r = mustAccept(transition(inState('raised'), act('notify', 3)))
  t.equal(r.next.lastNotifiedAt, at(3))
  t.same(r.effect.audit.recipient, DAUGHTER)
  t.equal(r.effect.audit.channel, 'sms')
  const late = mustAccept(transition(inState('closed'), act('notify', 3)))
  t.equal(late.next.state, 'closed')
  t.equal(late.effect.escalation, 'stop', 'a notification racing the resolution reinforces the stop')
})

t.test('a note is audited with its text and changes nothing else', async t => {
  const current = inState('dispatched')
  const r = mustAccept(transition(current, act('note', 7, { text: ' daughter says she is 10 minutes away ' })))
  t.same({ ...r.next, version: current.version, updatedAt: current.updatedAt }, current)
  t.equal(r.effect.audit.text, 'daughter says she is 10 minutes away')
  t.equal(r.effect.audit.note, null)
  t.equal(mustRefuse(transition(current, act('note', 7, { text: '  ' }))).code, 'text_required')
  t.equal(mustRefuse(transition(current, act('note', 7, { text: undefined }))).code, 'text_required')
})

// ---------------------------------------------------------------------------------------------------------
// Malformed requests (actions arrive as JSON)
// ---------------------------------------------------------------------------------------------------------

t.test('malformed actions are refused the same way in every state', async t => {
  const cases: Array<[string, LifecycleAction, RefusalCode]> = [
    ['unknown kind', act('note', 1, { kind: 'snooze' }), 'invalid_action'],
    ['time not ISO', act('note', 1, { at: '2026-03-02 02:00' }), 'invalid_action'],
    ['time not a date', act('note', 1, { at: '2026-13-45T99:00:00Z' }), 'invalid_action'],
    ['time missing', act('note', 1, { at: undefined }), 'invalid_action'],
    ['unknown channel', act('note', 1, { channel: 'pigeon' }), 'invalid_action'],
    ['note not text', act('note', 1, { note: 42 }), 'invalid_action'],
    ['notify without recipient', act('notify', 1, { recipient: undefined }), 'invalid_action'],
    ['actor missing', act('note', 1, { actor: undefined }), 'invalid_actor'],
    ['actor without id', act('note', 1, { actor: { kind: 'staff', id: '' } }), 'invalid_actor'],
    ['actor of unknown kind', act('note', 1, { actor: { kind: 'robot', id: 'r2' } }), 'invalid_actor'],
    ['system acknowledges', act('acknowledge', 1, { actor: ENGINE }), 'invalid_actor'],
    ['system resolves', act('resolve', 1, { actor: ENGINE }), 'invalid_actor'],
    ['system dispatches', act('dispatch', 1, { actor: ENGINE }), 'invalid_actor'],
    ['system escalates manually', act('escalate', 1, { actor: ENGINE }), 'invalid_actor'],
    ['system responder', act('dispatch', 1, { responder: ENGINE }), 'invalid_actor'],
  ]
  for (const state of LIFECYCLE_STATES) {
    const l = inState(state)
    for (const [name, action, code] of cases) t.equal(mustRefuse(transition(l, action)).code, code, `${state}: ${name}`)
  }
  const offset = mustAccept(transition(inState('raised'), act('note', 1, { at: '2026-03-02T10:00:00+08:00' })))
  t.equal(offset.next.updatedAt, '2026-03-02T02:00:00.000Z', 'an offset time is ISO too, stored as UTC with milliseconds')
  t.equal(offset.effect.audit.at, '2026-03-02T02:00:00.000Z', 'so the audit row survives timestamptz unchanged')
  const micro = mustAccept(transition(inState('raised'), act('acknowledge', 1, { at: '2026-03-02T02:00:05.123456Z' })))
  t.equal(micro.next.acknowledgedAt, '2026-03-02T02:00:05.123Z')
  t.ok(mustAccept(transition(inState('raised'), act('acknowledge', 1, { actor: DAUGHTER, channel: 'sms' }))), 'a family contact may acknowledge')
})

// ---------------------------------------------------------------------------------------------------------
// Construction and persistence
// ---------------------------------------------------------------------------------------------------------

t.test('initialLifecycle', async t => {
  t.same(initialLifecycle(ALARM_ID, 'sos', at(0)), {
    alarmId: ALARM_ID,
    alarmType: 'sos',
    state: 'raised',
    version: 1,
    raisedAt: at(0),
    updatedAt: at(0),
    lastNotifiedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    responder: null,
    dispatchedAt: null,
    arrivedAt: null,
    conditionClearedAt: null,
    outcome: null,
    resolvedBy: null,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
    reopenedAt: null,
  })
  t.throws(() => initialLifecycle(ALARM_ID, 'sos', 'now'), RangeError)
  t.equal(initialLifecycle(ALARM_ID, 'sos', '2026-03-02T10:00:00+08:00').raisedAt, '2026-03-02T02:00:00.000Z')
})

t.test('lifecycle and audit rows survive a JSON round trip, and behave the same afterwards', async t => {
  let l = initialLifecycle(ALARM_ID, SENSOR_TYPE, at(0))
  const kinds = ['notify', 'acknowledge', 'auto_resolve', 'dispatch', 'dispatch', 'arrive', 'note', 'resolve', 'close', 'reopen', 'auto_resolve'] as const
  for (const [i, kind] of kinds.entries()) {
    const r = mustAccept(transition(l, act(kind, i + 1)))
    const copy = JSON.parse(JSON.stringify(r.next)) as AlarmLifecycle
    t.strictSame(copy, r.next, `${kind}: lifecycle`)
    t.notOk(Object.values(r.next).some(v => v === undefined), `${kind}: no undefined fields (JSON would drop them)`)
    t.strictSame(JSON.parse(JSON.stringify(r.effect.audit)), r.effect.audit, `${kind}: audit row`)
    t.notOk(Object.values(r.effect.audit).some(v => v === undefined), `${kind}: audit row has no undefined fields`)
    for (const probe of LIFECYCLE_ACTION_KINDS) {
      t.strictSame(transition(copy, act(probe, 500)), transition(r.next, act(probe, 500)), `${kind} then ${probe}: same answer from the copy`)
    }
    l = r.next
  }
  t.match(l, { state: 'resolved', outcome: 'auto_cleared', reopenCount: 1 })
})
