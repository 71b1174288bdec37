import t from 'tap'
import {
  DEFAULT_ACTIVITY_PLAN,
  INITIAL_INACTIVITY_STATE,
  activityWindowAt,
  checkInactivity,
  localMinuteOfDay,
  recordActivity,
  seedLastActivity,
  type ActivityPlan,
  type InactivityState,
} from '../../src/domain/inactivity-rule.ts'
import type { Decision, RaiseDecision } from '../../src/domain/types.ts'

/** ISO time for a Shanghai wall-clock time ('2026-03-01T09:00'); Shanghai has no DST, always +08:00. */
const sh = (local: string) => new Date(`${local}:00+08:00`).toISOString()
const ms = (iso: string) => Date.parse(iso)
const plan = DEFAULT_ACTIVITY_PLAN

function seeded(local: string): InactivityState {
  return seedLastActivity(INITIAL_INACTIVITY_STATE, { at: sh(local), eventId: 'seed-1' })
}

/** Runs the timer at each Shanghai time in order; returns the final state and the decisions, tagged. */
function ticks(state: InactivityState, locals: string[], p: ActivityPlan = plan) {
  const decisions: { when: string; d: Decision }[] = []
  for (const when of locals) {
    const r = checkInactivity(state, { now: sh(when), plan: p })
    state = r.state
    for (const d of r.decisions) decisions.push({ when, d })
  }
  return { state, decisions }
}

const summary = (ds: { when: string; d: Decision }[]) =>
  ds.map(({ when, d }) => [when, d.action, d.action === 'raise' ? d.severity : d.reason])

t.test('the default plan', async t => {
  t.same(DEFAULT_ACTIVITY_PLAN, {
    dayStart: '07:00',
    nightStart: '22:00',
    maxInactiveDayMinutes: 180,
    maxInactiveNightMinutes: 600,
    warningRatio: 0.75,
    timezone: 'Asia/Shanghai',
  })
})

t.test('local time and the day/night window, in the plan timezone, edges inclusive at the start', async t => {
  t.equal(localMinuteOfDay(ms('2026-03-01T15:30:00Z'), 'Asia/Shanghai'), 23 * 60 + 30)
  t.equal(localMinuteOfDay(ms('2026-03-01T16:00:00Z'), 'Asia/Shanghai'), 0, 'midnight is 00:00, not 24:00')
  t.equal(localMinuteOfDay(ms('2026-07-01T21:30:00Z'), 'Europe/London'), 22 * 60 + 30, 'British Summer Time is applied')
  t.equal(localMinuteOfDay(ms('2026-01-15T21:30:00Z'), 'Europe/London'), 21 * 60 + 30, 'GMT in winter')

  t.equal(activityWindowAt(ms(sh('2026-03-01T06:59')), plan), 'night')
  t.equal(activityWindowAt(ms(sh('2026-03-01T07:00')), plan), 'day')
  t.equal(activityWindowAt(ms(sh('2026-03-01T21:59')), plan), 'day')
  t.equal(activityWindowAt(ms(sh('2026-03-01T22:00')), plan), 'night')
  t.equal(activityWindowAt(ms(sh('2026-03-02T00:30')), plan), 'night')

  // A plan whose "day" runs across midnight (e.g. a resident who sleeps in the morning).
  const nightOwl: ActivityPlan = { ...plan, dayStart: '20:00', nightStart: '08:00' }
  t.equal(activityWindowAt(ms(sh('2026-03-01T23:00')), nightOwl), 'day')
  t.equal(activityWindowAt(ms(sh('2026-03-02T07:59')), nightOwl), 'day')
  t.equal(activityWindowAt(ms(sh('2026-03-02T08:00')), nightOwl), 'night')
  t.equal(activityWindowAt(ms(sh('2026-03-02T19:59')), nightOwl), 'night')

  const { timezone: _tz, ...noZone } = plan
  t.equal(activityWindowAt(ms('2026-03-01T14:30:00Z'), noZone), 'night', 'no timezone means Asia/Shanghai (22:30 there, 14:30 UTC)')
})

t.test('a bad plan is refused loudly', async t => {
  t.throws(() => activityWindowAt(0, { ...plan, timezone: 'Mars/Olympus' }), RangeError)
  t.throws(() => activityWindowAt(0, { ...plan, dayStart: '7:00' }), RangeError)
  t.throws(() => activityWindowAt(0, { ...plan, nightStart: '24:00' }), RangeError)
})

t.test('warning at 75 % of the day limit, then the alarm at the limit, each once', async t => {
  const { state, decisions } = ticks(seeded('2026-03-01T09:00'), [
    '2026-03-01T11:14',
    '2026-03-01T11:15', // 135 min: warning (inclusive)
    '2026-03-01T11:30',
    '2026-03-01T11:59',
    '2026-03-01T12:00', // 180 min: alarm (inclusive)
    '2026-03-01T13:00',
  ])
  t.same(summary(decisions), [
    ['2026-03-01T11:15', 'raise', 'low'],
    ['2026-03-01T12:00', 'raise', 'high'],
  ])
  t.equal(state.stage, 'alarm')

  const warning = decisions[0]!.d as RaiseDecision
  t.equal(warning.type, 'inactivity')
  t.equal(warning.at, sh('2026-03-01T09:00'), 'dated from when the inactivity began')
  t.same(warning.detail, {
    stage: 'warning',
    window: 'day',
    inactiveMinutes: 135,
    limitMinutes: 180,
    warningMinutes: 135,
    lastActivityAt: sh('2026-03-01T09:00'),
    lastActivityKind: 'first_seen',
    timezone: 'Asia/Shanghai',
  })
  t.same(warning.evidence, [
    {
      eventId: 'seed-1:inactivity-warning',
      at: sh('2026-03-01T11:15'),
      kind: 'timer',
      values: { lastActivityAt: sh('2026-03-01T09:00'), inactiveMinutes: 135, limitMinutes: 180, window: 'day' },
    },
  ])
  const alarm = decisions[1]!.d as RaiseDecision
  t.equal(alarm.at, sh('2026-03-01T09:00'))
  t.equal(alarm.detail.stage, 'alarm')
  t.equal(alarm.detail.inactiveMinutes, 180)
})

t.test('a second short of a threshold does not raise', async t => {
  const state = seeded('2026-03-01T09:00')
  const beforeWarning = checkInactivity(state, { now: new Date(ms(sh('2026-03-01T11:15')) - 1000).toISOString(), plan })
  t.equal(beforeWarning.decisions.length, 0)
  const warned = checkInactivity(state, { now: sh('2026-03-01T11:15'), plan }).state
  const beforeAlarm = checkInactivity(warned, { now: new Date(ms(sh('2026-03-01T12:00')) - 1000).toISOString(), plan })
  t.equal(beforeAlarm.decisions.length, 0)
})

t.test('a late timer goes straight to the alarm with a single decision', async t => {
  const { decisions } = ticks(seeded('2026-03-01T09:00'), ['2026-03-01T12:20', '2026-03-01T12:40'])
  t.same(summary(decisions), [['2026-03-01T12:20', 'raise', 'high']])
})

t.test('activity clears an open warning or alarm and restarts the clock', async t => {
  let { state } = ticks(seeded('2026-03-01T09:00'), ['2026-03-01T11:20'])
  t.equal(state.stage, 'warning')
  const moved = recordActivity(state, { at: sh('2026-03-01T11:25'), eventId: 'door-1', kind: 'door_open' })
  t.same(moved.decisions, [
    {
      action: 'clear',
      type: 'inactivity',
      at: sh('2026-03-01T11:25'),
      reason: 'activity_resumed',
      evidence: [{ eventId: 'door-1', at: sh('2026-03-01T11:25'), kind: 'device_event', values: { activity: 'door_open' } }],
    },
  ])
  state = moved.state
  t.same(state, { lastActivityAt: sh('2026-03-01T11:25'), lastActivityEventId: 'door-1', lastActivityKind: 'door_open', stage: 'none' })
  const again = ticks(state, ['2026-03-01T13:39', '2026-03-01T13:40', '2026-03-01T14:25'])
  t.same(summary(again.decisions), [['2026-03-01T13:40', 'raise', 'low'], ['2026-03-01T14:25', 'raise', 'high']])

  const cleared = recordActivity(again.state, { at: sh('2026-03-01T14:30'), eventId: 'st-1', kind: 'steps' })
  t.equal(cleared.decisions[0]?.action, 'clear', 'an alarm is cleared too')
  t.equal(cleared.decisions[0]?.evidence[0]?.kind, 'vitals', 'steps come from telemetry vitals')
  const sos = recordActivity(again.state, { at: sh('2026-03-01T14:30'), eventId: 'sos-1', kind: 'sos' })
  t.equal(sos.decisions[0]?.evidence[0]?.kind, 'device_alarm')
})

t.test('activity with nothing open only moves the clock', async t => {
  const r = recordActivity(seeded('2026-03-01T09:00'), { at: sh('2026-03-01T09:30'), eventId: 'm1', kind: 'motion' })
  t.equal(r.decisions.length, 0)
  t.equal(r.state.lastActivityAt, sh('2026-03-01T09:30'))
  const first = recordActivity(INITIAL_INACTIVITY_STATE, { at: sh('2026-03-01T09:30'), eventId: 'm1', kind: 'bed_exit' })
  t.equal(first.state.lastActivityAt, sh('2026-03-01T09:30'), 'activity also starts the clock')
})

t.test('older or duplicate activity is ignored and cannot clear', async t => {
  const { state } = ticks(seeded('2026-03-01T09:00'), ['2026-03-01T12:00'])
  const older = recordActivity(state, { at: sh('2026-03-01T08:00'), eventId: 'old', kind: 'motion' })
  t.equal(older.state, state)
  t.equal(older.decisions.length, 0)
  const same = recordActivity(state, { at: sh('2026-03-01T09:00'), eventId: 'dup', kind: 'motion' })
  t.equal(same.state, state)
  t.equal(same.decisions.length, 0)
})

t.test('no activity ever recorded: never alarms', async t => {
  const r = checkInactivity(INITIAL_INACTIVITY_STATE, { now: sh('2026-03-09T12:00'), plan })
  t.equal(r.decisions.length, 0)
  t.equal(r.state, INITIAL_INACTIVITY_STATE)
  const s = seedLastActivity(INITIAL_INACTIVITY_STATE, { at: sh('2026-03-01T09:00'), eventId: 'a' })
  t.equal(seedLastActivity(s, { at: sh('2026-03-01T10:00'), eventId: 'b' }), s, 'seeding twice keeps the first time')
})

t.test('inactive since 21:00: at 23:30 the night limit applies, not the day one', async t => {
  const { decisions, state } = ticks(seeded('2026-03-01T21:00'), [
    '2026-03-01T21:59', // 59 min, day
    '2026-03-01T23:15', // 135 min: would be a day warning, but it is night now
    '2026-03-01T23:30', // 150 min
    '2026-03-02T04:29', // 449 min
    '2026-03-02T04:30', // 450 min = 75 % of 600: night warning
    '2026-03-02T06:59', // 599 min, still night
    '2026-03-02T07:00', // 600 min, and the day (180) limit applies from 07:00 anyway
  ])
  t.same(summary(decisions), [['2026-03-02T04:30', 'raise', 'low'], ['2026-03-02T07:00', 'raise', 'high']])
  t.equal((decisions[0]!.d as RaiseDecision).detail.window, 'night')
  t.equal((decisions[0]!.d as RaiseDecision).detail.limitMinutes, 600)
  t.equal((decisions[1]!.d as RaiseDecision).detail.window, 'day')
  t.equal(state.stage, 'alarm')
})

t.test('a day silence running into the night keeps its warning (no clear on window change)', async t => {
  const { decisions, state } = ticks(seeded('2026-03-01T19:00'), [
    '2026-03-01T21:15', // 135 min in the day: warning
    '2026-03-01T22:00', // 180 min but night now: nothing, and no clear
    '2026-03-02T00:00',
    '2026-03-02T04:59', // 599 min
    '2026-03-02T05:00', // 600 min: night alarm
  ])
  t.same(summary(decisions), [['2026-03-01T21:15', 'raise', 'low'], ['2026-03-02T05:00', 'raise', 'high']])
  t.equal(state.stage, 'alarm')

  const alarmedInDay = ticks(seeded('2026-03-01T18:00'), ['2026-03-01T21:00', '2026-03-01T22:30', '2026-03-02T04:00'])
  t.same(summary(alarmedInDay.decisions), [['2026-03-01T21:00', 'raise', 'high']], 'a day alarm is not repeated or cleared at night')
  t.equal(alarmedInDay.state.stage, 'alarm')
})

t.test('a plan in another timezone judges day and night by its own clock', async t => {
  const london: ActivityPlan = { ...plan, timezone: 'Europe/London' }
  const state = seedLastActivity(INITIAL_INACTIVITY_STATE, { at: '2026-01-15T20:00:00.000Z', eventId: 'a' })
  const now = '2026-01-15T23:30:00.000Z' // 210 min later: 23:30 in London (night), 07:30 in Shanghai (day)
  const inLondon = checkInactivity(state, { now, plan: london })
  t.equal(inLondon.decisions.length, 0, 'London: night, 210 < 450')
  const inShanghai = checkInactivity(state, { now, plan })
  t.equal(inShanghai.decisions.length, 1, 'Shanghai: day, 210 >= 180')
  t.equal((inShanghai.decisions[0] as RaiseDecision).severity, 'high')

  // Summer time moves London's windows by an hour against UTC.
  const summer = seedLastActivity(INITIAL_INACTIVITY_STATE, { at: '2026-07-01T17:00:00.000Z', eventId: 'b' })
  const at2045Z = checkInactivity(summer, { now: '2026-07-01T20:45:00.000Z', plan: london }) // 21:45 BST, day, 225 min
  t.equal((at2045Z.decisions[0] as RaiseDecision | undefined)?.detail.window, 'day')
  const at2100Z = checkInactivity(summer, { now: '2026-07-01T21:00:00.000Z', plan: london }) // 22:00 BST: night
  t.equal(at2100Z.decisions.length, 0)
})

t.test('custom limits and ratio', async t => {
  const strict: ActivityPlan = { ...plan, maxInactiveDayMinutes: 60, warningRatio: 0.5 }
  const { decisions } = ticks(seeded('2026-03-01T09:00'), ['2026-03-01T09:29', '2026-03-01T09:30', '2026-03-01T10:00'], strict)
  t.same(summary(decisions), [['2026-03-01T09:30', 'raise', 'low'], ['2026-03-01T10:00', 'raise', 'high']])
  const noWarning: ActivityPlan = { ...plan, warningRatio: 1 }
  t.same(summary(ticks(seeded('2026-03-01T09:00'), ['2026-03-01T11:59', '2026-03-01T12:00'], noWarning).decisions), [
    ['2026-03-01T12:00', 'raise', 'high'],
  ])
})

t.test('state is plain JSON', async t => {
  const { state } = ticks(seeded('2026-03-01T09:00'), ['2026-03-01T11:20'])
  const copy = JSON.parse(JSON.stringify(state)) as InactivityState
  t.same(copy, state)
  t.equal(checkInactivity(copy, { now: sh('2026-03-01T12:00'), plan }).decisions.length, 1)
})
