import t from 'tap'
import {
  onAcknowledged,
  onDispatched,
  onRaised,
  onReopened,
  onResolved,
  onTimer,
  type EscalationView,
  type OnTimerResult,
  type PlannedTimer,
} from '../../src/domain/escalation-plan.ts'
import { DEFAULT_POLICIES, selectPolicy, validatePolicy, type EscalationPolicy } from '../../src/domain/policy.ts'

// The ladder under test is the default one for SOS and falls: 60 s, 120 s, then repeats every 300 s;
// handling 15 min, arrival 30 min. Every expectation below is worked out by hand from those numbers.
const ORG = 'org-1'
const POLICY = DEFAULT_POLICIES(ORG).find(p => p.id === 'default:org-1:critical-person') as EscalationPolicy
const PID = { policyId: 'default:org-1:critical-person' }
const ALARM = 'a1'

const OPERATOR = { kind: 'on_duty', role: 'operator' } as const
const CARER = { kind: 'assigned_carer' } as const
const DOCTOR = { kind: 'family_doctor' } as const
const CONTACTS = { kind: 'family_contacts', max: 3 } as const
const SUPERVISOR = { kind: 'supervisor' } as const
const CALL_120 = { kind: 'call_120' } as const
const CH0 = ['console', 'responder_app', 'sms']
const CH1 = ['responder_app', 'phone', 'sms']
const CH2 = ['console', 'phone', 'sms']

const at = (hms: string): string => `2025-03-01T${hms}.000Z`
const view = (over: Partial<EscalationView> = {}): EscalationView => ({
  alarmId: ALARM, state: 'raised', level: -1, repeats: 0, acknowledgements: 0, dispatches: 0, reopenCount: 0, ...over,
})
const NOTHING: OnTimerResult = { notify: [], timers: [], nextLevel: null, nextRepeats: null, markNotified: false }
const timer = (key: string, kind: PlannedTimer['kind'], level: number, dueAt: string, payload: Record<string, unknown> = PID): PlannedTimer => ({ key, kind, level, dueAt, payload })

t.test('a full ladder with nobody acknowledging: each level in turn, then the last step repeats', async t => {
  const raised = onRaised(view(), POLICY, at('08:00:00'))
  t.same(raised, { timers: [timer('a1:escalate:0', 'escalate', 0, at('08:00:00'))] }, 'level 0 is due at once')

  const l0 = onTimer(view(), POLICY, timer('a1:escalate:0', 'escalate', 0, at('08:00:00')), at('08:00:00'))
  t.strictSame(l0, {
    notify: [
      { commandId: 'a1:escalate:0:0', alarmId: ALARM, level: 0, target: OPERATOR, channels: CH0, reason: 'escalation' },
      { commandId: 'a1:escalate:0:1', alarmId: ALARM, level: 0, target: CARER, channels: CH0, reason: 'escalation' },
    ],
    timers: [timer('a1:escalate:1', 'escalate', 1, at('08:01:00'))],
    nextLevel: 0,
    nextRepeats: null,
    markNotified: true,
  }, 'operator and carer; level 1 after 60 s; raised becomes notified')

  const l1 = onTimer(view({ state: 'notified', level: 0 }), POLICY, timer('a1:escalate:1', 'escalate', 1, at('08:01:00')), at('08:01:00'))
  t.strictSame(l1, {
    notify: [
      { commandId: 'a1:escalate:1:0', alarmId: ALARM, level: 1, target: DOCTOR, channels: CH1, reason: 'escalation' },
      { commandId: 'a1:escalate:1:1', alarmId: ALARM, level: 1, target: CONTACTS, channels: CH1, reason: 'escalation' },
    ],
    timers: [timer('a1:escalate:2', 'escalate', 2, at('08:03:00'))],
    nextLevel: 1,
    nextRepeats: null,
    markNotified: false,
  }, 'family doctor and contacts; level 2 after 120 s')

  const l2 = onTimer(view({ state: 'notified', level: 1 }), POLICY, timer('a1:escalate:2', 'escalate', 2, at('08:03:00')), at('08:03:00'))
  t.strictSame(l2, {
    notify: [
      { commandId: 'a1:escalate:2:0', alarmId: ALARM, level: 2, target: SUPERVISOR, channels: CH2, reason: 'escalation' },
      { commandId: 'a1:escalate:2:1', alarmId: ALARM, level: 2, target: CALL_120, channels: CH2, reason: 'escalation' },
    ],
    timers: [timer('a1:repeat:0', 'repeat', 2, at('08:08:00'))],
    nextLevel: 2,
    nextRepeats: null,
    markNotified: false,
  }, 'supervisor and the 120 recommendation; the last step waits 300 s (repeat interval), not its own 180 s')

  const r0 = onTimer(view({ state: 'notified', level: 2 }), POLICY, timer('a1:repeat:0', 'repeat', 2, at('08:08:00')), at('08:08:00'))
  t.strictSame(r0, {
    notify: [
      { commandId: 'a1:repeat:0:0', alarmId: ALARM, level: 2, target: SUPERVISOR, channels: CH2, reason: 'repeat' },
      { commandId: 'a1:repeat:0:1', alarmId: ALARM, level: 2, target: CALL_120, channels: CH2, reason: 'repeat' },
    ],
    timers: [timer('a1:repeat:1', 'repeat', 2, at('08:13:00'))],
    nextLevel: null,
    nextRepeats: 1,
    markNotified: false,
  })

  const r1 = onTimer(view({ state: 'notified', level: 2, repeats: 1 }), POLICY, timer('a1:repeat:1', 'repeat', 2, at('08:13:00')), at('08:13:00'))
  t.same(r1.notify.map(c => c.commandId), ['a1:repeat:1:0', 'a1:repeat:1:1'])
  t.strictSame(r1.timers, [timer('a1:repeat:2', 'repeat', 2, at('08:18:00'))])
  t.equal(r1.nextRepeats, 2)
})

t.test('a timer that already ran (or a redelivery) notifies nobody twice', async t => {
  t.strictSame(onTimer(view({ state: 'notified', level: 0 }), POLICY, timer('a1:escalate:0', 'escalate', 0, at('08:00:00')), at('08:00:05')), NOTHING)
  t.strictSame(onTimer(view({ state: 'notified', level: 2, repeats: 2 }), POLICY, timer('a1:repeat:1', 'repeat', 2, at('08:13:00')), at('08:13:05')), NOTHING)
})

t.test('an acknowledgement pauses the ladder and starts the handling deadline', async t => {
  const acked = view({ state: 'acknowledged', level: 0, acknowledgements: 1 })
  t.strictSame(onAcknowledged(acked, POLICY, at('08:00:30')), {
    timers: [timer('a1:handling:1', 'handling', 0, at('08:15:30'), { ...PID, acknowledgements: 1 })],
  }, '15 min from the acknowledgement')
  t.strictSame(onTimer(acked, POLICY, timer('a1:escalate:1', 'escalate', 1, at('08:01:00')), at('08:01:00')), NOTHING, 'level 1 is not run while acknowledged')
  t.strictSame(onTimer(view({ state: 'on_scene', level: 0, acknowledgements: 1, dispatches: 1 }), POLICY, timer('a1:escalate:1', 'escalate', 1, at('08:01:00')), at('08:01:00')), NOTHING, 'nor while on scene')
})

t.test('handling overdue: escalation resumes at the next level and keeps going while the alarm is still only acknowledged', async t => {
  const acked = view({ state: 'acknowledged', level: 0, acknowledgements: 1 })
  const resumed = { ...PID, resumed: { cause: 'handling_overdue', acknowledgements: 1 } }
  const h = onTimer(acked, POLICY, timer('a1:handling:1', 'handling', 0, at('08:15:30'), { ...PID, acknowledgements: 1 }), at('08:15:30'))
  t.strictSame(h, {
    notify: [
      { commandId: 'a1:handling:1:0', alarmId: ALARM, level: 1, target: DOCTOR, channels: CH1, reason: 'handling_overdue' },
      { commandId: 'a1:handling:1:1', alarmId: ALARM, level: 1, target: CONTACTS, channels: CH1, reason: 'handling_overdue' },
    ],
    timers: [timer('a1:escalate:2', 'escalate', 2, at('08:17:30'), resumed)],
    nextLevel: 1,
    nextRepeats: null,
    markNotified: false,
  }, 'level 1 (level 1\'s own timer was spent during the pause); level 2 is 120 s after the handling due time')

  // The alarm is still 'acknowledged' (a notification does not change that), yet the resumed ladder goes on.
  const l2 = onTimer(view({ state: 'acknowledged', level: 1, acknowledgements: 1 }), POLICY, timer('a1:escalate:2', 'escalate', 2, at('08:17:30'), resumed), at('08:17:30'))
  t.strictSame(l2.notify.map(c => [c.commandId, c.target.kind, c.reason]), [['a1:escalate:2:0', 'supervisor', 'escalation'], ['a1:escalate:2:1', 'call_120', 'escalation']])
  t.strictSame(l2.timers, [timer('a1:repeat:0', 'repeat', 2, at('08:22:30'), resumed)], 'the resumption travels with the ladder')

  // Someone is dispatched: the resumed ladder pauses again (the dispatch has its own arrival deadline).
  const dispatched = view({ state: 'dispatched', level: 2, acknowledgements: 1, dispatches: 1 })
  t.strictSame(onTimer(dispatched, POLICY, timer('a1:repeat:0', 'repeat', 2, at('08:22:30'), resumed), at('08:22:30')), NOTHING)
  t.strictSame(onTimer(dispatched, POLICY, timer('a1:handling:1', 'handling', 0, at('08:15:30')), at('08:15:30')), NOTHING, 'a handling timer after a dispatch does nothing')
})

t.test('handling overdue with the ladder exhausted repeats the last step under a fresh repeat key', async t => {
  // repeats 1: repeat:0 ran, repeat:1 was spent while acknowledged.
  const acked = view({ state: 'acknowledged', level: 2, repeats: 1, acknowledgements: 1 })
  const h = onTimer(acked, POLICY, timer('a1:handling:1', 'handling', 2, at('08:25:00')), at('08:25:00'))
  t.strictSame(h, {
    notify: [
      { commandId: 'a1:handling:1:0', alarmId: ALARM, level: 2, target: SUPERVISOR, channels: CH2, reason: 'handling_overdue' },
      { commandId: 'a1:handling:1:1', alarmId: ALARM, level: 2, target: CALL_120, channels: CH2, reason: 'handling_overdue' },
    ],
    timers: [timer('a1:repeat:2', 'repeat', 2, at('08:30:00'), { ...PID, resumed: { cause: 'handling_overdue', acknowledgements: 1 } })],
    nextLevel: null,
    nextRepeats: 2,
    markNotified: false,
  })
})

t.test('a second acknowledgement supersedes the first handling timer', async t => {
  const second = view({ state: 'acknowledged', level: 1, acknowledgements: 2 })
  t.strictSame(onAcknowledged(second, POLICY, at('08:10:00')).timers, [timer('a1:handling:2', 'handling', 1, at('08:25:00'), { ...PID, acknowledgements: 2 })])
  t.strictSame(onTimer(second, POLICY, timer('a1:handling:1', 'handling', 0, at('08:15:30')), at('08:15:30')), NOTHING, 'the first deadline no longer counts')
  const h2 = onTimer(second, POLICY, timer('a1:handling:2', 'handling', 1, at('08:25:00')), at('08:25:00'))
  t.strictSame(h2.notify.map(c => [c.commandId, c.level, c.reason]), [['a1:handling:2:0', 2, 'handling_overdue'], ['a1:handling:2:1', 2, 'handling_overdue']])
  t.equal(h2.nextLevel, 2)
  // A resumption for the old acknowledgement does not drive the ladder of the new one.
  const stale = { ...PID, resumed: { cause: 'handling_overdue', acknowledgements: 1 } }
  t.strictSame(onTimer(second, POLICY, timer('a1:escalate:2', 'escalate', 2, at('08:17:30'), stale), at('08:17:30')), NOTHING)
})

t.test('dispatch: arrival overdue resumes escalation; a re-dispatch supersedes; arrival stops it', async t => {
  const dispatched = view({ state: 'dispatched', level: 0, acknowledgements: 1, dispatches: 1 })
  t.strictSame(onDispatched(dispatched, POLICY, at('08:02:00')), {
    timers: [timer('a1:arrival:1', 'arrival', 0, at('08:32:00'), { ...PID, dispatches: 1 })],
  }, '30 min to arrive')
  const a = onTimer(dispatched, POLICY, timer('a1:arrival:1', 'arrival', 0, at('08:32:00')), at('08:32:00'))
  t.strictSame(a, {
    notify: [
      { commandId: 'a1:arrival:1:0', alarmId: ALARM, level: 1, target: DOCTOR, channels: CH1, reason: 'arrival_overdue' },
      { commandId: 'a1:arrival:1:1', alarmId: ALARM, level: 1, target: CONTACTS, channels: CH1, reason: 'arrival_overdue' },
    ],
    timers: [timer('a1:escalate:2', 'escalate', 2, at('08:34:00'), { ...PID, resumed: { cause: 'arrival_overdue', dispatches: 1 } })],
    nextLevel: 1,
    nextRepeats: null,
    markNotified: false,
  })

  const redispatched = view({ state: 'dispatched', level: 0, acknowledgements: 1, dispatches: 2 })
  t.strictSame(onDispatched(redispatched, POLICY, at('08:20:00')).timers, [timer('a1:arrival:2', 'arrival', 0, at('08:50:00'), { ...PID, dispatches: 2 })])
  t.strictSame(onTimer(redispatched, POLICY, timer('a1:arrival:1', 'arrival', 0, at('08:32:00')), at('08:32:00')), NOTHING, 'the first responder\'s deadline no longer counts')

  const onScene = view({ state: 'on_scene', level: 0, acknowledgements: 1, dispatches: 1 })
  t.strictSame(onTimer(onScene, POLICY, timer('a1:arrival:1', 'arrival', 0, at('08:32:00')), at('08:32:00')), NOTHING, 'arrived in time')
})

t.test('resolved or closed: cancel everything, and any timer that still fires does nothing', async t => {
  t.strictSame(onResolved(), { cancelAll: true })
  for (const state of ['resolved', 'closed'] as const) {
    const v = view({ state, level: 1, acknowledgements: 1, dispatches: 1 })
    t.strictSame(onTimer(v, POLICY, timer('a1:escalate:2', 'escalate', 2, at('08:03:00')), at('08:03:00')), NOTHING, `escalate, ${state}`)
    t.strictSame(onTimer(v, POLICY, timer('a1:repeat:0', 'repeat', 2, at('08:08:00')), at('08:08:00')), NOTHING, `repeat, ${state}`)
    t.strictSame(onTimer(v, POLICY, timer('a1:handling:1', 'handling', 0, at('08:15:00')), at('08:15:00')), NOTHING, `handling, ${state}`)
    t.strictSame(onTimer(v, POLICY, timer('a1:arrival:1', 'arrival', 0, at('08:32:00')), at('08:32:00')), NOTHING, `arrival, ${state}`)
  }
})

t.test('after an outage the overdue ladder catches up level by level from the due times', async t => {
  // The service was down from 07:59 to 08:10; the level-0 timer (due 08:00) fires at 08:10.
  const l0 = onTimer(view(), POLICY, timer('a1:escalate:0', 'escalate', 0, at('08:00:00')), at('08:10:00'))
  t.strictSame(l0.timers, [timer('a1:escalate:1', 'escalate', 1, at('08:01:00'))], 'due 08:01 (already past), not 08:11')
  const l1 = onTimer(view({ state: 'notified', level: 0 }), POLICY, l0.timers[0] as PlannedTimer, at('08:10:01'))
  t.same(l1.notify.map(c => c.commandId), ['a1:escalate:1:0', 'a1:escalate:1:1'], 'level 1 runs, not skipped')
  t.strictSame(l1.timers, [timer('a1:escalate:2', 'escalate', 2, at('08:03:00'))])
  const l2 = onTimer(view({ state: 'notified', level: 1 }), POLICY, l1.timers[0] as PlannedTimer, at('08:10:02'))
  t.same(l2.notify.map(c => c.commandId), ['a1:escalate:2:0', 'a1:escalate:2:1'])
  // The repeat cadence is 08:08, 08:13, ...: 08:08 is already past, so the first repeat is 08:13, not a
  // reminder seconds after the step itself.
  t.strictSame(l2.timers, [timer('a1:repeat:0', 'repeat', 2, at('08:13:00'))])

  // A repeat 22 minutes late: the cadence from 08:18 is 08:23, 08:28, 08:33, 08:38, 08:43; the first after 08:40.
  const late = onTimer(view({ state: 'notified', level: 2, repeats: 1 }), POLICY, timer('a1:repeat:1', 'repeat', 2, at('08:18:00')), at('08:40:00'))
  t.equal(late.notify.length, 2, 'one reminder, not four')
  t.strictSame(late.timers, [timer('a1:repeat:2', 'repeat', 2, at('08:43:00'))])
})

t.test('command ids are deterministic: the same timer gives the same commands', async t => {
  const v = view({ state: 'notified', level: 0 })
  const fired = timer('a1:escalate:1', 'escalate', 1, at('08:01:00'))
  const once = onTimer(v, POLICY, fired, at('08:01:00'))
  const again = onTimer(v, POLICY, fired, at('08:01:07'))
  t.strictSame(again, once)
  t.same(once.notify.map(c => c.commandId), ['a1:escalate:1:0', 'a1:escalate:1:1'])
})

t.test('a reopened alarm escalates again from the first step under keys of its own round', async t => {
  const reopened = view({ reopenCount: 1, acknowledgements: 1, dispatches: 1 })
  t.strictSame(onReopened(reopened, POLICY, at('09:00:00')), { timers: [timer('a1:r1:escalate:0', 'escalate', 0, at('09:00:00'))] })
  const l0 = onTimer(reopened, POLICY, timer('a1:r1:escalate:0', 'escalate', 0, at('09:00:00')), at('09:00:00'))
  t.same(l0.notify.map(c => c.commandId), ['a1:r1:escalate:0:0', 'a1:r1:escalate:0:1'])
  t.strictSame(l0.timers, [timer('a1:r1:escalate:1', 'escalate', 1, at('09:01:00'))])
  t.equal(l0.markNotified, true)
  t.strictSame(onTimer(reopened, POLICY, timer('a1:escalate:1', 'escalate', 1, at('08:01:00')), at('09:00:01')), NOTHING, 'a timer of the first round does nothing')
  const acked = view({ state: 'acknowledged', level: 0, reopenCount: 2, acknowledgements: 3 })
  t.equal(onAcknowledged(acked, POLICY, at('10:00:00')).timers[0]?.key, 'a1:r2:handling:3')
  t.equal(onDispatched({ ...acked, dispatches: 1 }, POLICY, at('10:00:00')).timers[0]?.key, 'a1:r2:arrival:1')
  t.throws(() => onReopened(view(), POLICY, at('09:00:00')), RangeError, 'reopenCount 0 is not a reopen')
  t.throws(() => onReopened(view({ reopenCount: 1, level: 2 }), POLICY, at('09:00:00')), RangeError, 'the round\'s level must be reset')
  t.throws(() => onRaised(view({ level: 0 }), POLICY, at('09:00:00')), RangeError)
})

const base = (id: string, match: EscalationPolicy['match'], orgId = ORG): EscalationPolicy => ({
  id, orgId, name: id, match,
  steps: [{ targets: [{ kind: 'on_duty', role: 'operator' }], waitSeconds: 60, channels: ['console'] }],
  handlingTimeoutSeconds: 900, arrivalTimeoutSeconds: 1800, repeatLastStepEverySeconds: 300,
})

t.test('selectPolicy prefers a type list, then the higher minPriority, then the smaller id', async t => {
  const policies = [
    base('any', {}),
    base('prio-300', { minPriority: 300 }),
    base('fall', { alarmTypes: ['fall'] }),
    base('fall-sos-400', { alarmTypes: ['fall', 'sos'], minPriority: 400 }),
    base('other-org-fall', { alarmTypes: ['fall'] }, 'org-2'),
  ]
  const pick = (type: string, priority: number, orgId = ORG): string | undefined => selectPolicy(policies, { orgId, type, priority })?.id
  t.equal(pick('fall', 450), 'fall-sos-400', 'type list and threshold')
  t.equal(pick('fall', 400), 'fall-sos-400', 'the threshold is inclusive')
  t.equal(pick('fall', 350), 'fall', 'a type list beats a priority threshold alone')
  t.equal(pick('heart_rate_high', 350), 'prio-300', 'a threshold beats none')
  t.equal(pick('heart_rate_high', 200), 'any')
  t.equal(pick('fall', 450, 'org-2'), 'other-org-fall', 'only the alarm\'s organisation counts')
  t.equal(pick('sos', 450, 'org-2'), undefined, 'nothing fits: null')
  t.equal(selectPolicy(policies, { orgId: 'org-2', type: 'sos', priority: 450 }), null)

  const tie = [base('b', { alarmTypes: ['sos'] }), base('a', { alarmTypes: ['sos', 'fall'] })]
  t.equal(selectPolicy(tie, { orgId: ORG, type: 'sos', priority: 400 })?.id, 'a', 'tie: smallest id')
  t.equal(selectPolicy([...tie].reverse(), { orgId: ORG, type: 'sos', priority: 400 })?.id, 'a', 'whatever the input order')
})

t.test('DEFAULT_POLICIES: clean, and each alarm family gets its ladder', async t => {
  const defaults = DEFAULT_POLICIES(ORG)
  for (const p of defaults) t.strictSame(validatePolicy(p), [], `${p.id} validates`)
  t.equal(new Set(defaults.map(p => p.id)).size, defaults.length, 'ids are unique')
  const pick = (type: string, priority: number): string | undefined => selectPolicy(defaults, { orgId: ORG, type, priority })?.id
  t.equal(pick('sos', 400), 'default:org-1:critical-person')
  t.equal(pick('fall', 300), 'default:org-1:critical-person', 'a fall is an emergency whatever its priority')
  t.equal(pick('spo2_low', 410), 'default:org-1:critical-vitals')
  t.equal(pick('spo2_low', 340), 'default:org-1:wellbeing', 'high with every ledger flag is still below critical')
  t.equal(pick('inactivity', 420), 'default:org-1:wellbeing')
  t.equal(pick('geofence_exit', 300), 'default:org-1:wellbeing')
  t.equal(pick('low_battery', 100), 'default:org-1:device')
  t.equal(pick('device_offline', 300), 'default:org-1:device')
  t.equal(pick('some_new_rule', 200), 'default:org-1:fallback', 'nothing falls through')
  const device = defaults.find(p => p.id === 'default:org-1:device') as EscalationPolicy
  t.strictSame(device.steps.flatMap(s => s.channels), ['console'], 'device alarms: operator console only')
  t.strictSame(POLICY.steps.map(s => s.waitSeconds), [60, 120, 180])
  t.strictSame([POLICY.handlingTimeoutSeconds, POLICY.arrivalTimeoutSeconds, POLICY.repeatLastStepEverySeconds], [900, 1800, 300])
})

t.test('validatePolicy names each problem', async t => {
  t.strictSame(validatePolicy({ ...base('p', {}), steps: [] }), ['steps: a policy needs at least one step'])
  const broken = {
    id: '',
    orgId: ORG,
    name: 'broken',
    match: { alarmTypes: [], minPriority: Number.NaN },
    steps: [
      { targets: [], waitSeconds: -5, channels: ['console', 'pager', 'system'] },
      { targets: [{ kind: 'on_duty', role: 'janitor' }, { kind: 'neighbour' }, { kind: 'family_contacts', max: 0 }], waitSeconds: 60, channels: [] },
      { targets: [{ kind: 'call_120' }], waitSeconds: 60, channels: ['sms'] },
    ],
    handlingTimeoutSeconds: 0,
    arrivalTimeoutSeconds: -1,
    repeatLastStepEverySeconds: 0,
  } as unknown as EscalationPolicy
  t.strictSame(validatePolicy(broken), [
    'id: must be a non-empty string',
    'match.alarmTypes: is empty and would match no alarm; leave it out to match every type',
    'match.minPriority: must be a number',
    'steps[0].targets: a step needs at least one target',
    'steps[0].waitSeconds: -5 is negative',
    'steps[0].channels: unknown channel "pager"',
    "steps[0].channels: 'system' is not a notification channel",
    'steps[1].targets[0].role: unknown on-duty role "janitor" (one of operator, carer, doctor, supervisor)',
    'steps[1].targets[1]: unknown target kind "neighbour"',
    'steps[1].targets[2].max: must be a whole number of at least 1 (leave it out for all contacts)',
    'steps[1].channels: a step needs at least one channel',
    "steps[2].channels: call_120 is shown on the operator console; add 'console'",
    'handlingTimeoutSeconds: 0 must be greater than 0',
    'arrivalTimeoutSeconds: -1 must be greater than 0',
    'repeatLastStepEverySeconds: 0 must be greater than 0',
  ])
  t.strictSame(validatePolicy({ ...base('p', {}), steps: 'none' } as unknown as EscalationPolicy), ['steps: a policy needs at least one step'], 'JSON of the wrong shape')
})
