import t from 'tap'
import {
  TASK_ACTION_KINDS,
  TASK_OUTCOMES,
  TASK_REFUSAL_CODES,
  TASK_STATES,
  newTask,
  transitionTask,
  type EscalationEffect,
  type TaskAction,
  type TaskActionKind,
  type TaskRefusalCode,
  type TaskState,
  type TaskTransitionResult,
  type VisitTask,
} from '../../src/domain/visit-task.ts'

const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()

const TASK_ID = 'task-7d1e'
const ALARM_ID = '6f1c2a52-6d0e-5b8a-9a41-0c1d2e3f4a5b'
const ORG_ID = 'org-jingan'
const CARER = 'carer-1'
const DOCTOR = 'doctor-2'
const STRANGER = 'carer-9'

/** The fixtures' offer (made at 1 s) lapses at 121 s; the accepted responder is due at 1202 s. */
const OFFER_EXPIRES = 121
const ARRIVAL_DUE = 1202

/** A well-formed action of each kind, by whoever would normally take it. */
function act(kind: TaskActionKind, s: number, extra: Partial<Record<string, unknown>> = {}): TaskAction {
  const byKind: Record<TaskActionKind, TaskAction> = {
    offer: { kind: 'offer', responderId: CARER, at: at(s), expiresAt: at(s + 120) },
    accept: { kind: 'accept', by: CARER, at: at(s), arrivalDueAt: at(s + 1200) },
    decline: { kind: 'decline', by: CARER, at: at(s), reason: '正在另一位老人家中' },
    offer_expired: { kind: 'offer_expired', at: at(s) },
    depart: { kind: 'depart', by: CARER, at: at(s) },
    arrive: { kind: 'arrive', by: CARER, at: at(s) },
    complete: { kind: 'complete', by: CARER, at: at(s), outcome: 'visited_fine', notes: ' 老人安好，已陪同休息 ' },
    cancel: { kind: 'cancel', at: at(s), reason: 'alarm resolved by phone' },
    arrival_overdue: { kind: 'arrival_overdue', at: at(s) },
  }
  return { ...byKind[kind], ...extra } as TaskAction
}

type Accepted = Extract<TaskTransitionResult, { ok: true }>
type Refused = Extract<TaskTransitionResult, { ok: false }>

function mustAccept(r: TaskTransitionResult): Accepted {
  if (!r.ok) throw new Error(`expected acceptance, got ${r.code}: ${r.message}`)
  return r
}

function mustRefuse(r: TaskTransitionResult): Refused {
  if (r.ok) throw new Error(`expected a refusal, got ${r.next.state}`)
  return r
}

/** Applies actions in order (the n-th at n seconds), each of which must be accepted. */
function walk(start: VisitTask, kinds: TaskActionKind[]): VisitTask {
  return kinds.reduce((task, kind, i) => mustAccept(transitionTask(task, act(kind, i + 1))).next, start)
}

/** How a task in each state is reached: by real transitions, so the fixtures are ones the code makes. */
const PATH_TO: Record<TaskState, TaskActionKind[]> = {
  unassigned: [],
  offered: ['offer'],
  accepted: ['offer', 'accept'],
  en_route: ['offer', 'accept', 'depart'],
  arrived: ['offer', 'accept', 'depart', 'arrive'],
  completed: ['offer', 'accept', 'depart', 'arrive', 'complete'],
  cancelled: ['offer', 'cancel'],
}

const fresh = () => newTask({ taskId: TASK_ID, alarmId: ALARM_ID, orgId: ORG_ID, at: at(0) })

function inState(state: TaskState): VisitTask {
  const task = walk(fresh(), PATH_TO[state])
  if (task.state !== state) throw new Error(`fixture for ${state} ended in ${task.state}`)
  return deepFreeze(task)
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
// ok(to, escalation, offerNext, standDown): accepted; no(code): refused, nothing changes.
// Each action is taken at a time that is valid for it (answers before the offer lapses, the expiry and the
// overdue report exactly at their deadlines), so only the state decides.
// ---------------------------------------------------------------------------------------------------------

type EscalationKind = NonNullable<EscalationEffect>['kind'] | null
type Cell = { to: TaskState; escalation: EscalationKind; offerNext: boolean; standDown: boolean } | { refused: TaskRefusalCode }
const ok = (to: TaskState, escalation: EscalationKind = null, offerNext = false, standDown = false): Cell => ({ to, escalation, offerNext, standDown })
const no = (refused: TaskRefusalCode): Cell => ({ refused })
const closed = (): Record<TaskActionKind, Cell> => Object.fromEntries(TASK_ACTION_KINDS.map(k => [k, no('task_closed')])) as Record<TaskActionKind, Cell>

const TABLE: Record<TaskState, Record<TaskActionKind, Cell>> = {
  unassigned: {
    offer: ok('offered'),
    accept: no('invalid_state'),
    decline: no('invalid_state'),
    offer_expired: no('invalid_state'),
    depart: no('invalid_state'),
    arrive: no('invalid_state'),
    complete: no('invalid_state'),
    cancel: ok('cancelled'),
    arrival_overdue: no('invalid_state'),
  },
  offered: {
    offer: no('invalid_state'),
    accept: ok('accepted', 'dispatch'),
    decline: ok('unassigned', 'note', true),
    offer_expired: ok('unassigned', 'note', true),
    depart: no('invalid_state'),
    arrive: no('invalid_state'),
    complete: no('invalid_state'),
    cancel: ok('cancelled'),
    arrival_overdue: no('invalid_state'),
  },
  accepted: {
    offer: no('invalid_state'),
    accept: no('invalid_state'),
    decline: no('invalid_state'),
    offer_expired: no('invalid_state'),
    depart: ok('en_route', 'note'),
    arrive: ok('arrived', 'arrive'),
    complete: no('invalid_state'),
    cancel: ok('cancelled', null, false, true),
    arrival_overdue: ok('accepted', null, true),
  },
  en_route: {
    offer: no('invalid_state'),
    accept: no('invalid_state'),
    decline: no('invalid_state'),
    offer_expired: no('invalid_state'),
    depart: no('invalid_state'),
    arrive: ok('arrived', 'arrive'),
    complete: no('invalid_state'),
    cancel: ok('cancelled', null, false, true),
    arrival_overdue: ok('en_route', null, true),
  },
  arrived: {
    offer: no('invalid_state'),
    accept: no('invalid_state'),
    decline: no('invalid_state'),
    offer_expired: no('invalid_state'),
    depart: no('invalid_state'),
    arrive: no('invalid_state'),
    complete: ok('completed', 'resolve'),
    cancel: ok('cancelled'),
    arrival_overdue: no('invalid_state'),
  },
  completed: closed(),
  cancelled: closed(),
}

const TIME_FOR: Record<TaskActionKind, number> = {
  offer: 50,
  accept: 50,
  decline: 50,
  offer_expired: OFFER_EXPIRES,
  depart: 50,
  arrive: 50,
  complete: 50,
  cancel: 50,
  arrival_overdue: ARRIVAL_DUE,
}

t.test('the table covers every state and every action kind, and nothing else', async t => {
  t.same(Object.keys(TABLE).sort(), [...TASK_STATES].sort())
  for (const state of TASK_STATES) t.same(Object.keys(TABLE[state]).sort(), [...TASK_ACTION_KINDS].sort(), state)
  for (const row of Object.values(TABLE)) {
    for (const cell of Object.values(row)) if ('refused' in cell) t.ok(TASK_REFUSAL_CODES.includes(cell.refused))
  }
})

t.test('every (state x action) pair matches the table', async t => {
  let pairs = 0
  for (const state of TASK_STATES) {
    const current = inState(state)
    for (const kind of TASK_ACTION_KINDS) {
      pairs++
      const label = `${state} x ${kind}`
      const expected = TABLE[state][kind]
      const r = transitionTask(current, act(kind, TIME_FOR[kind]))
      if ('refused' in expected) {
        t.equal(r.ok, false, `${label}: refused`)
        if (!r.ok) {
          t.equal(r.code, expected.refused, `${label}: code`)
          t.match(r.message, state, `${label}: the message names the current state`)
        }
        continue
      }
      if (!r.ok) {
        t.fail(`${label}: ${r.code}: ${r.message}`)
        continue
      }
      t.equal(r.next.state, expected.to, `${label}: next state`)
      t.equal(r.effect.escalation?.kind ?? null, expected.escalation, `${label}: escalation`)
      t.equal(r.effect.offerNext, expected.offerNext, `${label}: offerNext`)
      t.equal(r.effect.standDown, expected.standDown ? CARER : null, `${label}: standDown`)
      t.equal(r.next.version, current.version + 1, `${label}: version bumped`)
      t.equal(r.next.updatedAt, at(TIME_FOR[kind]), `${label}: updatedAt`)
      t.match(r.effect.event, { taskId: TASK_ID, alarmId: ALARM_ID, version: r.next.version, kind, from: state, to: expected.to, at: at(TIME_FOR[kind]) }, `${label}: event`)
    }
  }
  t.equal(pairs, TASK_STATES.length * TASK_ACTION_KINDS.length)
})

// ---------------------------------------------------------------------------------------------------------
// A whole visit, and the bookkeeping every action shares
// ---------------------------------------------------------------------------------------------------------

t.test('a new task is unassigned at version 1, with nothing recorded yet', async t => {
  t.strictSame(fresh(), {
    taskId: TASK_ID,
    alarmId: ALARM_ID,
    orgId: ORG_ID,
    state: 'unassigned',
    version: 1,
    responderId: null,
    offerExpiresAt: null,
    declinedBy: [],
    offeredTo: [],
    createdAt: at(0),
    updatedAt: at(0),
    acceptedAt: null,
    departedAt: null,
    arrivedAt: null,
    arrivalDueAt: null,
    overdueAt: null,
    completedAt: null,
    outcome: null,
    notes: null,
    cancelledReason: null,
  })
  t.equal(newTask({ taskId: 'x', alarmId: 'a', orgId: 'o', at: '2026-03-02T10:00:00+08:00' }).createdAt, '2026-03-02T02:00:00.000Z', 'stored as UTC')
  t.throws(() => newTask({ taskId: 'x', alarmId: 'a', orgId: 'o', at: 'yesterday' }), RangeError)
})

t.test('a visit from offer to completion: one event row per step, versions 2..6', async t => {
  let task = fresh()
  const steps: Array<[TaskAction, TaskState, EscalationKind]> = [
    [act('offer', 1), 'offered', null],
    [act('accept', 30), 'accepted', 'dispatch'],
    [act('depart', 60), 'en_route', 'note'],
    [act('arrive', 600), 'arrived', 'arrive'],
    [act('complete', 1500), 'completed', 'resolve'],
  ]
  const versions: number[] = []
  for (const [action, to, escalation] of steps) {
    const from = task.state
    const r = mustAccept(transitionTask(task, action))
    t.equal(r.next.state, to)
    t.equal(r.effect.escalation?.kind ?? null, escalation, action.kind)
    t.match(r.effect.event, { from, to, version: r.next.version, kind: action.kind })
    versions.push(r.next.version)
    task = r.next
  }
  t.same(versions, [2, 3, 4, 5, 6])
  t.match(task, {
    state: 'completed',
    responderId: CARER,
    offerExpiresAt: null,
    offeredTo: [CARER],
    acceptedAt: at(30),
    arrivalDueAt: at(1230),
    departedAt: at(60),
    arrivedAt: at(600),
    completedAt: at(1500),
    outcome: 'visited_fine',
    notes: '老人安好，已陪同休息',
    overdueAt: null,
  })
})

t.test('a refusal changes nothing', async t => {
  for (const state of TASK_STATES) {
    const task = inState(state)
    const before = structuredClone(task)
    for (const kind of TASK_ACTION_KINDS) transitionTask(task, act(kind, 50, { by: STRANGER }))
    t.strictSame(task, before, `${state}: the frozen input is untouched`)
  }
})

t.test('completed and cancelled tasks refuse everything, even a well-timed action by the assignee', async t => {
  for (const state of ['completed', 'cancelled'] as const) {
    for (const kind of TASK_ACTION_KINDS) {
      const r = mustRefuse(transitionTask(inState(state), act(kind, TIME_FOR[kind])))
      t.equal(r.code, 'task_closed', `${state} x ${kind}`)
    }
  }
  t.match(mustRefuse(transitionTask(inState('completed'), act('cancel', 50))).message, /completed \(visited_fine by carer-1/)
  t.match(mustRefuse(transitionTask(inState('cancelled'), act('offer', 50))).message, /cancelled: alarm resolved by phone/)
})

t.test('invalid_state names the state the task is in', async t => {
  const r = mustRefuse(transitionTask(inState('en_route'), act('depart', 50)))
  t.equal(r.code, 'invalid_state')
  t.match(r.message, /it is en_route \(assigned to carer-1\)/)
  t.match(mustRefuse(transitionTask(inState('unassigned'), act('accept', 50))).message, /it is unassigned/)
  t.match(mustRefuse(transitionTask(inState('offered'), act('offer', 50))).message, /it is offered \(offered to carer-1 until 2026-03-02T02:02:01\.000Z\)/)
})

// ---------------------------------------------------------------------------------------------------------
// Offers
// ---------------------------------------------------------------------------------------------------------

t.test('offer: records the offeree and when the offer lapses', async t => {
  const r = mustAccept(transitionTask(inState('unassigned'), act('offer', 10)))
  t.match(r.next, { state: 'offered', responderId: CARER, offerExpiresAt: at(130), offeredTo: [CARER] })
  t.equal(r.effect.escalation, null, 'an offer is not yet news for the alarm')
  t.equal(r.effect.event.by, null)
  t.same(r.effect.event.detail, { responderId: CARER, expiresAt: at(130) })
  t.equal(r.effect.offerNext, false)
})

t.test('offer: never to someone who declined this task', async t => {
  const declined = mustAccept(transitionTask(inState('offered'), act('decline', 50))).next
  const again = mustRefuse(transitionTask(declined, act('offer', 60)))
  t.equal(again.code, 'already_declined')
  t.match(again.message, CARER)
  const other = mustAccept(transitionTask(declined, act('offer', 60, { responderId: DOCTOR })))
  t.match(other.next, { state: 'offered', responderId: DOCTOR, offeredTo: [CARER, DOCTOR], declinedBy: [CARER] })
})

t.test('offer: someone whose offer merely lapsed may be asked again, and is listed once', async t => {
  const lapsed = mustAccept(transitionTask(inState('offered'), act('offer_expired', OFFER_EXPIRES))).next
  const again = mustAccept(transitionTask(lapsed, act('offer', 130)))
  t.match(again.next, { state: 'offered', responderId: CARER, offerExpiresAt: at(250), declinedBy: [] })
  t.same(again.next.offeredTo, [CARER])
})

t.test('offer: needs a responder and an expiry later than the offer', async t => {
  const task = inState('unassigned')
  t.equal(mustRefuse(transitionTask(task, act('offer', 10, { responderId: '' }))).code, 'invalid_action')
  t.equal(mustRefuse(transitionTask(task, act('offer', 10, { responderId: undefined }))).code, 'invalid_action')
  t.equal(mustRefuse(transitionTask(task, act('offer', 10, { expiresAt: at(10) }))).code, 'invalid_action', 'expiry at the offer time')
  t.equal(mustRefuse(transitionTask(task, act('offer', 10, { expiresAt: at(5) }))).code, 'invalid_action', 'expiry in the past')
  t.equal(mustRefuse(transitionTask(task, act('offer', 10, { expiresAt: 'soon' }))).code, 'invalid_action')
})

// ---------------------------------------------------------------------------------------------------------
// Answers: accept and decline
// ---------------------------------------------------------------------------------------------------------

t.test('accept: the offeree becomes the assignee, is due by arrivalDueAt, and escalation hears of a dispatch', async t => {
  const r = mustAccept(transitionTask(inState('offered'), act('accept', 40)))
  t.match(r.next, { state: 'accepted', responderId: CARER, acceptedAt: at(40), arrivalDueAt: at(1240), offerExpiresAt: null })
  t.same(r.effect.escalation, { kind: 'dispatch', responderId: CARER })
  t.equal(r.effect.event.by, CARER)
  t.same(r.effect.event.detail, { arrivalDueAt: at(1240) })
  t.equal(r.effect.offerNext, false)
  t.equal(r.effect.standDown, null)
})

t.test('accept and decline: only by the current offeree', async t => {
  for (const kind of ['accept', 'decline'] as const) {
    const r = mustRefuse(transitionTask(inState('offered'), act(kind, 40, { by: STRANGER })))
    t.equal(r.code, 'not_your_task', kind)
    t.match(r.message, /offered to carer-1, not carer-9/)
  }
})

t.test('accept and decline: before the offer lapses; at or after it the answer is refused offer_expired', async t => {
  for (const kind of ['accept', 'decline'] as const) {
    t.equal(mustAccept(transitionTask(inState('offered'), act(kind, OFFER_EXPIRES - 1))).next.version, 3, `${kind} one second before`)
    for (const s of [OFFER_EXPIRES, OFFER_EXPIRES + 600]) {
      const r = mustRefuse(transitionTask(inState('offered'), act(kind, s)))
      t.equal(r.code, 'offer_expired', `${kind} at ${s}s`)
      t.match(r.message, at(OFFER_EXPIRES))
    }
  }
  // The wrong person is told it is not theirs, whatever the time.
  t.equal(mustRefuse(transitionTask(inState('offered'), act('accept', OFFER_EXPIRES + 5, { by: STRANGER }))).code, 'not_your_task')
})

t.test('times with an offset are compared as instants and stored as UTC', async t => {
  // The offer lapses at 02:02:01Z = 10:02:01 in Shanghai.
  const late = mustRefuse(transitionTask(inState('offered'), act('accept', 0, { at: '2026-03-02T10:02:01+08:00', arrivalDueAt: '2026-03-02T10:30:00+08:00' })))
  t.equal(late.code, 'offer_expired')
  const inTime = mustAccept(transitionTask(inState('offered'), act('accept', 0, { at: '2026-03-02T10:02:00+08:00', arrivalDueAt: '2026-03-02T10:30:00+08:00' })))
  t.equal(inTime.next.acceptedAt, '2026-03-02T02:02:00.000Z')
  t.equal(inTime.next.arrivalDueAt, '2026-03-02T02:30:00.000Z')
  t.equal(inTime.effect.event.at, '2026-03-02T02:02:00.000Z')
})

t.test('accept: needs an arrival deadline later than the acceptance', async t => {
  const task = inState('offered')
  t.equal(mustRefuse(transitionTask(task, act('accept', 40, { arrivalDueAt: undefined }))).code, 'invalid_action')
  t.equal(mustRefuse(transitionTask(task, act('accept', 40, { arrivalDueAt: at(40) }))).code, 'invalid_action')
  t.equal(mustRefuse(transitionTask(task, act('accept', 40, { arrivalDueAt: at(39) }))).code, 'invalid_action')
})

t.test('decline: back to unassigned, the next candidate is sought, and escalation gets a note naming who and why', async t => {
  const r = mustAccept(transitionTask(inState('offered'), act('decline', 45)))
  t.match(r.next, { state: 'unassigned', responderId: null, offerExpiresAt: null, declinedBy: [CARER], offeredTo: [CARER] })
  t.equal(r.effect.offerNext, true)
  t.equal(r.effect.escalation?.kind, 'note')
  const text = r.effect.escalation?.kind === 'note' ? r.effect.escalation.text : ''
  t.match(text, CARER)
  t.match(text, /declined/)
  t.match(text, '正在另一位老人家中')
  t.same(r.effect.event.detail, { reason: '正在另一位老人家中' })
  t.equal(r.effect.event.by, CARER)

  const silent = mustAccept(transitionTask(inState('offered'), act('decline', 45, { reason: undefined })))
  t.same(silent.effect.escalation, { kind: 'note', text: 'responder carer-1 declined the home visit: no reason given' })
  t.same(silent.effect.event.detail, { reason: null })
  const blank = mustAccept(transitionTask(inState('offered'), act('decline', 45, { reason: '   ' })))
  t.same(blank.effect.event.detail, { reason: null }, 'a blank reason is no reason')
  t.equal(mustRefuse(transitionTask(inState('offered'), act('decline', 45, { reason: 3 }))).code, 'invalid_action')
})

t.test('two declines: both are remembered and neither is asked again', async t => {
  let task = mustAccept(transitionTask(inState('offered'), act('decline', 10))).next
  task = mustAccept(transitionTask(task, act('offer', 20, { responderId: DOCTOR }))).next
  task = mustAccept(transitionTask(task, act('decline', 30, { by: DOCTOR }))).next
  t.same(task.declinedBy, [CARER, DOCTOR])
  for (const who of [CARER, DOCTOR]) t.equal(mustRefuse(transitionTask(task, act('offer', 40, { responderId: who }))).code, 'already_declined', who)
  t.equal(mustAccept(transitionTask(task, act('offer', 40, { responderId: STRANGER }))).next.responderId, STRANGER)
})

// ---------------------------------------------------------------------------------------------------------
// Expiry of an offer
// ---------------------------------------------------------------------------------------------------------

t.test('offer_expired: only at or after the expiry; then unassigned, next candidate, and a note', async t => {
  const early = mustRefuse(transitionTask(inState('offered'), act('offer_expired', OFFER_EXPIRES - 1)))
  t.equal(early.code, 'offer_still_open')
  t.match(early.message, at(OFFER_EXPIRES))

  for (const s of [OFFER_EXPIRES, OFFER_EXPIRES + 300]) {
    const r = mustAccept(transitionTask(inState('offered'), act('offer_expired', s)))
    t.match(r.next, { state: 'unassigned', responderId: null, offerExpiresAt: null, declinedBy: [] }, 'an unanswered offer is not a decline')
    t.equal(r.effect.offerNext, true)
    t.equal(r.effect.event.by, null)
    t.same(r.effect.event.detail, { responderId: CARER, expiresAt: at(OFFER_EXPIRES) })
    t.equal(r.effect.escalation?.kind, 'note')
    t.match(r.effect.escalation?.kind === 'note' ? r.effect.escalation.text : '', /carer-1 did not answer/)
  }
})

// ---------------------------------------------------------------------------------------------------------
// On the way: depart, arrive
// ---------------------------------------------------------------------------------------------------------

t.test('depart: by the assignee from accepted; escalation gets a note', async t => {
  const r = mustAccept(transitionTask(inState('accepted'), act('depart', 70)))
  t.match(r.next, { state: 'en_route', departedAt: at(70) })
  t.same(r.effect.escalation, { kind: 'note', text: 'responder carer-1 is on the way' })
  t.equal(r.effect.event.by, CARER)
  const other = mustRefuse(transitionTask(inState('accepted'), act('depart', 70, { by: STRANGER })))
  t.equal(other.code, 'not_your_task')
  t.match(other.message, /assigned to carer-1, not carer-9/)
})

t.test('arrive: by the assignee from accepted (never pressed depart) or en_route; escalation hears of the arrival', async t => {
  for (const state of ['accepted', 'en_route'] as const) {
    const r = mustAccept(transitionTask(inState(state), act('arrive', 500)))
    t.match(r.next, { state: 'arrived', arrivedAt: at(500) }, state)
    t.same(r.effect.escalation, { kind: 'arrive', responderId: CARER })
    t.equal(mustRefuse(transitionTask(inState(state), act('arrive', 500, { by: STRANGER }))).code, 'not_your_task')
  }
  t.equal(mustAccept(transitionTask(inState('accepted'), act('arrive', 500))).next.departedAt, null, 'no departure was reported')
})

// ---------------------------------------------------------------------------------------------------------
// Completion
// ---------------------------------------------------------------------------------------------------------

t.test('complete: by the assignee from arrived, with an outcome; escalation resolves the alarm', async t => {
  const r = mustAccept(transitionTask(inState('arrived'), act('complete', 900)))
  t.match(r.next, { state: 'completed', completedAt: at(900), outcome: 'visited_fine', notes: '老人安好，已陪同休息' })
  t.same(r.effect.escalation, { kind: 'resolve', responderId: CARER, outcome: 'visited_fine', notes: '老人安好，已陪同休息' })
  t.same(r.effect.event.detail, { outcome: 'visited_fine', notes: '老人安好，已陪同休息' })
  t.equal(r.effect.offerNext, false)

  const noNotes = mustAccept(transitionTask(inState('arrived'), act('complete', 900, { notes: undefined })))
  t.equal(noNotes.next.notes, null)
  t.same(noNotes.effect.escalation, { kind: 'resolve', responderId: CARER, outcome: 'visited_fine', notes: null })
  t.equal(mustAccept(transitionTask(inState('arrived'), act('complete', 900, { notes: '  ' }))).next.notes, null, 'blank notes are no notes')
  t.equal(mustRefuse(transitionTask(inState('arrived'), act('complete', 900, { by: STRANGER }))).code, 'not_your_task')
})

t.test('complete: the outcome is required and must be a person outcome', async t => {
  const task = inState('arrived')
  for (const outcome of [undefined, null, '']) t.equal(mustRefuse(transitionTask(task, act('complete', 900, { outcome }))).code, 'outcome_required', String(outcome))
  for (const outcome of ['auto_cleared', 'fine', 3]) t.equal(mustRefuse(transitionTask(task, act('complete', 900, { outcome }))).code, 'invalid_outcome', String(outcome))
  t.equal(mustRefuse(transitionTask(task, act('complete', 900, { notes: 7 }))).code, 'invalid_action')
  t.same([...TASK_OUTCOMES], ['false_alarm', 'handled_by_phone', 'visited_fine', 'carer_doctor_treatment', 'transferred_hospital', 'device_fault'])
  for (const outcome of TASK_OUTCOMES) {
    const r = mustAccept(transitionTask(task, act('complete', 900, { outcome })))
    t.equal(r.next.outcome, outcome)
    t.equal(r.effect.escalation?.kind === 'resolve' ? r.effect.escalation.outcome : null, outcome)
  }
})

t.test('complete: only once arrived; an outcome without a visit is escalation\'s to record', async t => {
  for (const state of ['unassigned', 'offered', 'accepted', 'en_route'] as const) {
    t.equal(mustRefuse(transitionTask(inState(state), act('complete', 900))).code, 'invalid_state', state)
  }
})

// ---------------------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------------------

t.test('cancel: from every open state, with a reason; never an escalation effect', async t => {
  for (const state of ['unassigned', 'offered', 'accepted', 'en_route', 'arrived'] as const) {
    const r = mustAccept(transitionTask(inState(state), act('cancel', 80, { reason: '  alarm resolved by phone  ' })))
    t.equal(r.next.state, 'cancelled', state)
    t.equal(r.next.cancelledReason, 'alarm resolved by phone')
    t.equal(r.effect.escalation, null, `${state}: escalation resolved the alarm; it is why the task is cancelled`)
    t.equal(r.effect.offerNext, false)
    t.equal(r.effect.event.by, null)
    t.equal(r.effect.event.detail.reason, 'alarm resolved by phone')
  }
  for (const reason of [undefined, '', '   ', 5]) {
    t.equal(mustRefuse(transitionTask(inState('accepted'), act('cancel', 80, { reason }))).code, 'reason_required', String(reason))
  }
})

t.test('cancel: a responder on the way (accepted or en_route) is stood down; one already there is not', async t => {
  t.equal(mustAccept(transitionTask(inState('accepted'), act('cancel', 80))).effect.standDown, CARER)
  t.equal(mustAccept(transitionTask(inState('en_route'), act('cancel', 80))).effect.standDown, CARER)
  const there = mustAccept(transitionTask(inState('arrived'), act('cancel', 80)))
  t.equal(there.effect.standDown, null)
  t.equal(there.next.responderId, CARER, 'who went stays on record')
  t.equal(mustAccept(transitionTask(inState('unassigned'), act('cancel', 80))).effect.standDown, null)
})

t.test('cancel: an open offer is withdrawn, and the event names who held it', async t => {
  const r = mustAccept(transitionTask(inState('offered'), act('cancel', 80)))
  t.match(r.next, { state: 'cancelled', responderId: null, offerExpiresAt: null, offeredTo: [CARER] })
  t.equal(r.effect.standDown, null, 'they never set off')
  t.equal(r.effect.event.detail.responderId, CARER)
})

// ---------------------------------------------------------------------------------------------------------
// Arrival overdue
// ---------------------------------------------------------------------------------------------------------

t.test('arrival_overdue: at or after the deadline; recorded once, state kept, a backup sought, escalation untouched', async t => {
  for (const state of ['accepted', 'en_route'] as const) {
    const early = mustRefuse(transitionTask(inState(state), act('arrival_overdue', ARRIVAL_DUE - 1)))
    t.equal(early.code, 'not_overdue', state)
    t.match(early.message, at(ARRIVAL_DUE))

    const r = mustAccept(transitionTask(inState(state), act('arrival_overdue', ARRIVAL_DUE)))
    t.match(r.next, { state, overdueAt: at(ARRIVAL_DUE), responderId: CARER })
    t.equal(r.effect.offerNext, true, 'a backup responder is sought')
    t.equal(r.effect.escalation, null, "escalation's own arrival timer escalates the alarm")
    t.equal(r.effect.standDown, null, 'the first responder keeps going')
    t.same(r.effect.event.detail, { responderId: CARER, arrivalDueAt: at(ARRIVAL_DUE), backup: true })
    t.equal(r.effect.event.from, state)
    t.equal(r.effect.event.to, state)

    const twice = mustRefuse(transitionTask(r.next, act('arrival_overdue', ARRIVAL_DUE + 600)))
    t.equal(twice.code, 'already_overdue')
    t.match(twice.message, at(ARRIVAL_DUE))
  }
})

t.test('arrival_overdue: the late responder can still arrive and complete', async t => {
  let task = mustAccept(transitionTask(inState('en_route'), act('arrival_overdue', ARRIVAL_DUE + 10))).next
  task = mustAccept(transitionTask(task, act('arrive', ARRIVAL_DUE + 300))).next
  task = mustAccept(transitionTask(task, act('complete', ARRIVAL_DUE + 900, { outcome: 'carer_doctor_treatment' }))).next
  t.match(task, { state: 'completed', overdueAt: at(ARRIVAL_DUE + 10), arrivedAt: at(ARRIVAL_DUE + 300), outcome: 'carer_doctor_treatment', version: 7 })
})

// ---------------------------------------------------------------------------------------------------------
// Malformed requests
// ---------------------------------------------------------------------------------------------------------

t.test('a malformed request gets the same answer in every state, closed ones included', async t => {
  const bad: Array<[string, TaskAction]> = [
    ['unknown kind', act('arrive', 50, { kind: 'teleport' })],
    ['no kind', act('arrive', 50, { kind: undefined })],
    ['time not ISO', act('arrive', 50, { at: '2026-03-02 10:00' })],
    ['time not a string', act('arrive', 50, { at: 1772416800000 })],
    ['impossible date', act('arrive', 50, { at: '2026-02-31T25:00:00Z' })],
    ['no responder (by)', act('depart', 50, { by: undefined })],
    ['blank responder (by)', act('accept', 50, { by: '  ' })],
  ]
  for (const state of TASK_STATES) {
    for (const [label, action] of bad) {
      t.equal(mustRefuse(transitionTask(inState(state), action)).code, 'invalid_action', `${state}: ${label}`)
    }
  }
})
