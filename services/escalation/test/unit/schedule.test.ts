import t from 'tap'
import {
  DEFAULT_TIMEZONE,
  nextHandoff,
  rotationShiftAt,
  whoIsOnDuty,
  type DutyQuery,
  type Holiday,
  type Instant,
  type OnDuty,
  type Override,
  type Rotation,
} from '../../src/domain/schedule.ts'

// Every expectation below was worked out by hand from the rotation's definition. Calendar facts used:
// 2026-03-02 is a Monday, 2026-03-07 a Saturday; the UK's clocks go forward on Sunday 2026-03-29 at 01:00 GMT
// and back on Sunday 2026-10-25 at 02:00 BST (01:00 UTC). Shanghai is UTC+8 all year, so 08:00 there is 00:00Z.

/** A Shanghai wall-clock time as an ISO instant input: '2026-03-02T08:00' -> '2026-03-02T08:00:00+08:00'. */
const sh = (local: string) => `${local}:00+08:00`

/** 12 h, three carers, handing off at 08:00 and 20:00 Shanghai time from Monday 2 March 2026. */
const carers12: Rotation = {
  id: 'carers-12h',
  role: 'carer',
  areaId: null,
  timezone: 'Asia/Shanghai',
  members: ['c1', 'c2', 'c3'],
  startDate: '2026-03-02',
  handoffTime: '08:00',
  shiftHours: 12,
}

function query(rotations: Rotation[], at: Instant, more: Partial<DutyQuery> = {}): DutyQuery {
  return { rotations, overrides: [], holidays: [], role: 'carer', areaId: null, at, ...more }
}

/** [staffId, source] pairs: enough for most checks; full entries are compared where the times matter. */
const who = (r: OnDuty[]) => r.map(d => [d.staffId, d.source])

/** The staff on duty at each time of an expected [time, staff] table, in the same shape, for one t.same. */
const actual = (rotation: Rotation, rows: [string, string[]][]) =>
  rows.map(([at]) => [at, whoIsOnDuty(query([rotation], at)).map(d => d.staffId)])

t.test('a 12 h rotation of three carers, Asia/Shanghai, handoff 08:00', async t => {
  // Shift k starts 08:00 (k even) or 20:00 (k odd) local; member k mod 3. Day d after 2 March: k = 2d, 2d + 1.
  const rows: [string, string[]][] = [
    [sh('2026-03-02T07:59'), []], // before the first shift
    [sh('2026-03-02T08:00'), ['c1']], // k 0
    [sh('2026-03-02T19:59'), ['c1']],
    [sh('2026-03-02T20:00'), ['c2']], // k 1, runs across midnight
    [sh('2026-03-02T23:59'), ['c2']],
    [sh('2026-03-03T00:00'), ['c2']],
    [sh('2026-03-03T07:59'), ['c2']],
    [sh('2026-03-03T08:00'), ['c3']], // k 2
    [sh('2026-03-03T19:59'), ['c3']],
    [sh('2026-03-03T20:00'), ['c1']], // k 3: the cycle starts again
    [sh('2026-03-04T07:59'), ['c1']],
    [sh('2026-03-04T08:00'), ['c2']], // k 4
    [sh('2026-03-04T19:59'), ['c2']],
    [sh('2026-03-04T20:00'), ['c3']], // k 5
    [sh('2026-03-05T08:00'), ['c1']], // k 6
    [sh('2026-04-01T08:00'), ['c1']], // d 30, k 60
    [sh('2026-04-01T20:00'), ['c2']], // k 61
  ]
  t.same(actual(carers12, rows), rows)

  t.same(whoIsOnDuty(query([carers12], sh('2026-03-02T20:00'))), [
    {
      staffId: 'c2',
      rotationId: 'carers-12h',
      source: 'rotation',
      shiftStart: '2026-03-02T12:00:00.000Z',
      shiftEnd: '2026-03-03T00:00:00.000Z',
    },
  ])
  t.same(who(whoIsOnDuty(query([carers12], '2026-03-02T19:59:59.999+08:00'))), [['c1', 'rotation']], 'end is exclusive')
  t.same(who(whoIsOnDuty(query([carers12], '2026-03-02T12:00:00Z'))), [['c2', 'rotation']], 'any offset: 12:00Z is 20:00 local')
  // Epoch ms: 2026-03-03T00:00:00Z is 08:00 on 3 March in Shanghai.
  t.same(who(whoIsOnDuty(query([carers12], Date.UTC(2026, 2, 3, 0, 0)))), [['c3', 'rotation']], 'epoch ms input')
})

t.test('a 24 h rotation', async t => {
  const doctors: Rotation = {
    id: 'doctors-24h',
    role: 'doctor',
    areaId: null,
    timezone: 'Asia/Shanghai',
    members: ['d1', 'd2'],
    startDate: '2026-03-02',
    handoffTime: '09:00',
    shiftHours: 24,
  }
  const at = (local: string) => whoIsOnDuty(query([doctors], sh(local), { role: 'doctor' })).map(d => d.staffId)
  t.same(at('2026-03-02T08:59'), [])
  t.same(at('2026-03-02T09:00'), ['d1'])
  t.same(at('2026-03-03T00:00'), ['d1'], 'across midnight')
  t.same(at('2026-03-03T08:59'), ['d1'])
  t.same(at('2026-03-03T09:00'), ['d2'])
  t.same(at('2026-03-04T09:00'), ['d1'])
  t.same(at('2026-03-10T12:00'), ['d1'], 'day 8')
  t.same(at('2026-03-11T09:00'), ['d2'], 'day 9')
  t.same(rotationShiftAt(doctors, sh('2026-03-03T09:00')), {
    index: 1,
    staffId: 'd2',
    shiftStart: '2026-03-03T01:00:00.000Z',
    shiftEnd: '2026-03-04T01:00:00.000Z',
  })
})

t.test('a week-long (168 h) rotation', async t => {
  const weekly: Rotation = { ...carers12, id: 'weekly', members: ['w1', 'w2'], handoffTime: '09:00', shiftHours: 168 }
  const rows: [string, string[]][] = [
    [sh('2026-03-02T09:00'), ['w1']],
    [sh('2026-03-09T08:59'), ['w1']],
    [sh('2026-03-09T09:00'), ['w2']],
    [sh('2026-03-16T09:00'), ['w1']],
  ]
  t.same(actual(weekly, rows), rows)
})

t.test('activeDays: weekdays only', async t => {
  const weekday24: Rotation = { ...carers12, id: 'weekday-24h', members: ['a', 'b', 'c'], shiftHours: 24, activeDays: [1, 2, 3, 4, 5] }
  // Covered shifts Mon a, Tue b, Wed c, Thu a, Fri b (to Sat 08:00); Sat and Sun shifts uncovered; members
  // rotate through covered shifts only, so the next Monday is c, Tuesday a; Monday the 16th is turn 10: b.
  const rows24: [string, string[]][] = [
    [sh('2026-03-06T08:00'), ['b']],
    [sh('2026-03-07T07:59'), ['b']], // Friday's shift runs into Saturday morning
    [sh('2026-03-07T08:00'), []], // Saturday's shift: uncovered
    [sh('2026-03-07T23:00'), []],
    [sh('2026-03-08T12:00'), []],
    [sh('2026-03-09T07:59'), []],
    [sh('2026-03-09T08:00'), ['c']],
    [sh('2026-03-10T08:00'), ['a']],
    [sh('2026-03-16T08:00'), ['b']],
  ]
  t.same(actual(weekday24, rows24), rows24)
  t.same(rotationShiftAt(weekday24, sh('2026-03-07T12:00')), {
    index: 5,
    staffId: null,
    shiftStart: '2026-03-07T00:00:00.000Z',
    shiftEnd: '2026-03-08T00:00:00.000Z',
  })

  const weekday12: Rotation = { ...carers12, id: 'weekday-12h', members: ['m1', 'm2', 'm3'], activeDays: [1, 2, 3, 4, 5] }
  // Ten covered shifts Mon 08:00 .. Fri 20:00 (turns 0..9: m1 m2 m3 m1 m2 m3 m1 m2 m3 m1), then none until
  // Mon 9 March 08:00 (turn 10: m2), 20:00 (turn 11: m3), Tue 08:00 (turn 12: m1); Mon 16 March 08:00 is turn 20: m3.
  const rows12: [string, string[]][] = [
    [sh('2026-03-06T20:00'), ['m1']],
    [sh('2026-03-07T07:59'), ['m1']],
    [sh('2026-03-07T08:00'), []],
    [sh('2026-03-07T20:00'), []],
    [sh('2026-03-08T20:00'), []],
    [sh('2026-03-09T08:00'), ['m2']],
    [sh('2026-03-09T20:00'), ['m3']],
    [sh('2026-03-10T08:00'), ['m1']],
    [sh('2026-03-16T08:00'), ['m3']],
  ]
  t.same(actual(weekday12, rows12), rows12)

  const startsSaturday: Rotation = { ...weekday24, id: 'starts-sat', startDate: '2026-03-07' }
  t.same(who(whoIsOnDuty(query([startsSaturday], sh('2026-03-07T12:00')))), [], 'start date on an uncovered day')
  t.same(who(whoIsOnDuty(query([startsSaturday], sh('2026-03-09T08:00')))), [['a', 'rotation']], 'first covered shift: first member')

  t.same(who(whoIsOnDuty(query([{ ...weekday24, activeDays: [] }], sh('2026-03-03T12:00')))), [], 'no active days: never covered')
})

t.test('overrides: partial overlap of a shift, the later one wins', async t => {
  // c3 works 3 March 08:00-20:00, c1 from 20:00.
  const o1: Override = { rotationId: 'carers-12h', staffId: 'o1', start: sh('2026-03-03T10:00'), end: sh('2026-03-03T14:00') }
  const o2: Override = { rotationId: 'carers-12h', staffId: 'o2', start: sh('2026-03-03T12:00'), end: sh('2026-03-03T13:00') }
  const o3: Override = { rotationId: 'carers-12h', staffId: 'o3', start: sh('2026-03-03T19:00'), end: sh('2026-03-03T21:00') }
  const elsewhere: Override = { rotationId: 'other', staffId: 'x', start: sh('2026-03-03T00:00'), end: sh('2026-03-04T00:00') }
  const overrides = [o1, o2, o3, elsewhere]
  const at = (local: string, list = overrides) => who(whoIsOnDuty(query([carers12], sh(local), { overrides: list })))

  t.same(at('2026-03-03T09:59'), [['c3', 'rotation']])
  t.same(at('2026-03-03T10:00'), [['o1', 'override']])
  t.same(at('2026-03-03T11:59'), [['o1', 'override']])
  t.same(at('2026-03-03T12:00'), [['o2', 'override']], 'o2 came later and overlaps o1')
  t.same(at('2026-03-03T12:59'), [['o2', 'override']])
  t.same(at('2026-03-03T13:00'), [['o1', 'override']], 'o1 again once o2 ends')
  t.same(at('2026-03-03T13:59'), [['o1', 'override']])
  t.same(at('2026-03-03T14:00'), [['c3', 'rotation']], 'override end is exclusive')
  t.same(at('2026-03-03T19:00'), [['o3', 'override']])
  t.same(at('2026-03-03T20:30'), [['o3', 'override']], 'an override may span a handoff')
  t.same(at('2026-03-03T21:00'), [['c1', 'rotation']])
  t.same(at('2026-03-03T12:30', [o2, o1]), [['o1', 'override']], 'array order decides: the last one wins')

  t.same(whoIsOnDuty(query([carers12], sh('2026-03-03T10:00'), { overrides })), [
    {
      staffId: 'o1',
      rotationId: 'carers-12h',
      source: 'override',
      shiftStart: '2026-03-03T02:00:00.000Z',
      shiftEnd: '2026-03-03T06:00:00.000Z',
    },
  ])

  const weekday24: Rotation = { ...carers12, id: 'weekday-24h', shiftHours: 24, activeDays: [1, 2, 3, 4, 5] }
  const saturday: Override = { rotationId: 'weekday-24h', staffId: 'sat', start: sh('2026-03-07T09:00'), end: sh('2026-03-07T17:00') }
  const sat = (local: string) => who(whoIsOnDuty(query([weekday24], sh(local), { overrides: [saturday] })))
  t.same(sat('2026-03-07T12:00'), [['sat', 'override']], 'an override covers a day the rotation does not')
  t.same(sat('2026-03-07T18:00'), [])

  const early: Override = { rotationId: 'carers-12h', staffId: 'early', start: sh('2026-03-01T08:00'), end: sh('2026-03-02T08:00') }
  t.same(who(whoIsOnDuty(query([carers12], sh('2026-03-01T12:00'), { overrides: [early] }))), [['early', 'override']], 'before the start date too')
})

t.test('holidays: the named person covers the whole local day', async t => {
  const spring: Holiday = { date: '2026-03-03', rotationId: 'carers-12h', staffId: 'h1' }
  const at = (local: string, more: Partial<DutyQuery> = {}) => who(whoIsOnDuty(query([carers12], sh(local), { holidays: [spring], ...more })))

  t.same(at('2026-03-02T23:59'), [['c2', 'rotation']])
  t.same(at('2026-03-03T00:00'), [['h1', 'holiday']], 'from local midnight, in the middle of c2’s night shift')
  t.same(at('2026-03-03T12:00'), [['h1', 'holiday']])
  t.same(at('2026-03-03T23:59'), [['h1', 'holiday']])
  t.same(at('2026-03-04T00:00'), [['c1', 'rotation']], 'back to the rotation: c1’s night shift from 20:00 on the 3rd')

  t.same(whoIsOnDuty(query([carers12], sh('2026-03-03T12:00'), { holidays: [spring] })), [
    {
      staffId: 'h1',
      rotationId: 'carers-12h',
      source: 'holiday',
      shiftStart: '2026-03-02T16:00:00.000Z',
      shiftEnd: '2026-03-03T16:00:00.000Z',
    },
  ])

  const o1: Override = { rotationId: 'carers-12h', staffId: 'o1', start: sh('2026-03-03T10:00'), end: sh('2026-03-03T14:00') }
  t.same(at('2026-03-03T11:00', { overrides: [o1] }), [['o1', 'override']], 'override beats holiday')
  t.same(at('2026-03-03T14:00', { overrides: [o1] }), [['h1', 'holiday']])

  const second: Holiday = { date: '2026-03-03', rotationId: 'carers-12h', staffId: 'h2' }
  t.same(at('2026-03-03T12:00', { holidays: [spring, second] }), [['h2', 'holiday']], 'the later holiday wins')
  t.same(at('2026-03-03T12:00', { holidays: [{ ...spring, rotationId: 'doctors' }] }), [['c3', 'rotation']], 'another rotation’s holiday')

  // A DST day in London is 23 hours long: 00:00 GMT to 00:00 BST.
  const london: Rotation = { ...carers12, id: 'london', timezone: 'Europe/London' }
  t.same(whoIsOnDuty(query([london], '2026-03-29T12:00:00+01:00', { holidays: [{ date: '2026-03-29', rotationId: 'london', staffId: 'h3' }] })), [
    {
      staffId: 'h3',
      rotationId: 'london',
      source: 'holiday',
      shiftStart: '2026-03-29T00:00:00.000Z',
      shiftEnd: '2026-03-29T23:00:00.000Z',
    },
  ])

  const unnamed = { date: '2026-03-03', staffId: 'h1' } as unknown as Holiday
  t.throws(() => whoIsOnDuty(query([carers12], sh('2026-03-03T12:00'), { holidays: [unnamed] })), RangeError, 'a holiday must name a rotation')
})

t.test('area-specific rotations first, the organisation-wide rotation as fallback', async t => {
  const orgCarers: Rotation = { ...carers12, id: 'org-carers', members: ['org1'], shiftHours: 24 }
  const areaA: Rotation = { ...carers12, id: 'a-carers', areaId: 'A', members: ['a1'], shiftHours: 24, activeDays: [1, 2, 3, 4, 5] }
  const areaA2: Rotation = { ...carers12, id: 'a-carers-2', areaId: 'A', members: ['a2'], shiftHours: 24 }
  const orgDoctors: Rotation = { ...carers12, id: 'org-doctors', role: 'doctor', members: ['doc1'], shiftHours: 24 }
  const rotations = [orgCarers, areaA, orgDoctors]
  const at = (local: string, more: Partial<DutyQuery>, list = rotations) =>
    whoIsOnDuty(query(list, sh(local), more)).map(d => [d.staffId, d.rotationId, d.source])

  t.same(at('2026-03-02T12:00', { areaId: 'A' }), [['a1', 'a-carers', 'rotation']], 'the area’s own rota, not also the organisation’s')
  t.same(at('2026-03-07T12:00', { areaId: 'A' }), [['org1', 'org-carers', 'rotation']], 'the area rota has nobody on Saturday')
  t.same(at('2026-03-02T12:00', { areaId: 'B' }), [['org1', 'org-carers', 'rotation']], 'an area without a rota of its own')
  t.same(at('2026-03-02T12:00', { areaId: null }), [['org1', 'org-carers', 'rotation']], 'areaId null: organisation-wide only')
  t.same(at('2026-03-02T12:00', { areaId: 'A', role: 'doctor' }), [['doc1', 'org-doctors', 'rotation']])
  t.same(at('2026-03-02T12:00', { areaId: 'A', role: 'supervisor' }), [], 'no rotation for the role: uncovered')

  const both = [orgCarers, areaA, areaA2]
  t.same(at('2026-03-02T12:00', { areaId: 'A' }, both), [['a1', 'a-carers', 'rotation'], ['a2', 'a-carers-2', 'rotation']], 'every area rotation, in input order')
  t.same(at('2026-03-07T12:00', { areaId: 'A' }, both), [['a2', 'a-carers-2', 'rotation']], 'one area rotation on duty: no fallback')

  const cover: Override = { rotationId: 'a-carers', staffId: 'sat-a', start: sh('2026-03-07T08:00'), end: sh('2026-03-08T08:00') }
  t.same(at('2026-03-07T12:00', { areaId: 'A', overrides: [cover] }), [['sat-a', 'a-carers', 'override']], 'an override on the area rota is area cover')
  t.same(at('2026-03-01T12:00', { areaId: 'A' }), [], 'before every start date: nobody')
})

t.test('Europe/London: a 12 h rotation keeps 08:00/20:00 on the wall clock across DST changes', async t => {
  // Start Monday 23 March. Day d: shift 2d at 08:00 local, 2d + 1 at 20:00; member k mod 3 of l1 l2 l3.
  // Sat 28 March is d 5 (k 10 l2, k 11 l3), Sun 29 March d 6 (k 12 l1, k 13 l2), Mon 30 March d 7 (k 14 l3).
  // Sat 24 October is d 215 (k 430 l2, k 431 l3), Sun 25 October d 216 (k 432 l1, k 433 l2).
  const london: Rotation = {
    id: 'london-12h',
    role: 'carer',
    areaId: null,
    timezone: 'Europe/London',
    members: ['l1', 'l2', 'l3'],
    startDate: '2026-03-23',
    handoffTime: '08:00',
    shiftHours: 12,
  }
  const rows: [string, string[]][] = [
    ['2026-03-28T07:59:00+00:00', ['l1']],
    ['2026-03-28T08:00:00+00:00', ['l2']],
    ['2026-03-28T19:59:00+00:00', ['l2']],
    ['2026-03-28T20:00:00+00:00', ['l3']], // the night the clocks go forward
    ['2026-03-29T00:59:00+00:00', ['l3']],
    ['2026-03-29T02:00:00+01:00', ['l3']], // one minute later on the wall: 00:59 GMT -> 02:00 BST
    ['2026-03-29T07:59:00+01:00', ['l3']],
    ['2026-03-29T08:00:00+01:00', ['l1']],
    ['2026-03-29T19:59:00+01:00', ['l1']],
    ['2026-03-29T20:00:00+01:00', ['l2']],
    ['2026-03-30T08:00:00+01:00', ['l3']],
    ['2026-10-24T19:59:00+01:00', ['l2']],
    ['2026-10-24T20:00:00+01:00', ['l3']], // the night the clocks go back
    ['2026-10-25T01:30:00+01:00', ['l3']], // first 01:30
    ['2026-10-25T01:30:00+00:00', ['l3']], // second 01:30
    ['2026-10-25T07:59:00+00:00', ['l3']],
    ['2026-10-25T08:00:00+00:00', ['l1']],
    ['2026-10-25T19:59:00+00:00', ['l1']],
    ['2026-10-25T20:00:00+00:00', ['l2']],
  ]
  t.same(actual(london, rows), rows)
  const shift = (at: string) => rotationShiftAt(london, at)
  t.same(shift('2026-03-29T01:30:00Z'), { index: 11, staffId: 'l3', shiftStart: '2026-03-28T20:00:00.000Z', shiftEnd: '2026-03-29T07:00:00.000Z' }, '11 h night')
  t.same(shift('2026-03-29T12:00:00+01:00'), { index: 12, staffId: 'l1', shiftStart: '2026-03-29T07:00:00.000Z', shiftEnd: '2026-03-29T19:00:00.000Z' }, '12 h day')
  t.same(shift('2026-10-25T01:30:00Z'), { index: 431, staffId: 'l3', shiftStart: '2026-10-24T19:00:00.000Z', shiftEnd: '2026-10-25T08:00:00.000Z' }, '13 h night')
  t.same(shift('2026-10-25T12:00:00Z'), { index: 432, staffId: 'l1', shiftStart: '2026-10-25T08:00:00.000Z', shiftEnd: '2026-10-25T20:00:00.000Z' }, '12 h day')
  t.equal(nextHandoff(london, '2026-03-28T21:00:00Z'), '2026-03-29T07:00:00.000Z')
  t.equal(nextHandoff(london, '2026-10-24T19:00:00Z'), '2026-10-25T08:00:00.000Z')
})

t.test('Europe/London: a handoff inside the skipped and the repeated hour', async t => {
  // 24 h from Friday 27 March at 01:30, g1 g2: 28 March is k 1 (g2), 29 March k 2 (g1); 24 October k 211 (g2),
  // 25 October k 212 (g1). 01:30 does not exist on 29 March: that handoff is the jump, 01:00 GMT. 01:30 happens
  // twice on 25 October: the handoff is the first (00:30Z) and the second does not hand back.
  const g: Rotation = {
    id: 'night-0130',
    role: 'operator',
    areaId: null,
    timezone: 'Europe/London',
    members: ['g1', 'g2'],
    startDate: '2026-03-27',
    handoffTime: '01:30',
    shiftHours: 24,
  }
  const shift = (at: string) => rotationShiftAt(g, at)
  t.same(shift('2026-03-29T00:59:00Z'), { index: 1, staffId: 'g2', shiftStart: '2026-03-28T01:30:00.000Z', shiftEnd: '2026-03-29T01:00:00.000Z' })
  t.same(shift('2026-03-29T01:00:00Z'), { index: 2, staffId: 'g1', shiftStart: '2026-03-29T01:00:00.000Z', shiftEnd: '2026-03-30T00:30:00.000Z' })
  t.same(shift('2026-10-25T00:29:00Z'), { index: 211, staffId: 'g2', shiftStart: '2026-10-24T00:30:00.000Z', shiftEnd: '2026-10-25T00:30:00.000Z' })
  t.same(shift('2026-10-25T00:30:00Z'), { index: 212, staffId: 'g1', shiftStart: '2026-10-25T00:30:00.000Z', shiftEnd: '2026-10-26T01:30:00.000Z' })
  t.same(shift('2026-10-25T01:30:00Z'), { index: 212, staffId: 'g1', shiftStart: '2026-10-25T00:30:00.000Z', shiftEnd: '2026-10-26T01:30:00.000Z' }, 'second 01:30')
  t.equal(nextHandoff(g, '2026-03-28T12:00:00Z'), '2026-03-29T01:00:00.000Z')
  t.equal(nextHandoff(g, '2026-10-25T01:00:00Z'), '2026-10-26T01:30:00.000Z')
})

t.test('before the start date: nobody from that rotation', async t => {
  t.same(whoIsOnDuty(query([carers12], sh('2026-03-01T12:00'))), [])
  t.same(whoIsOnDuty(query([carers12], sh('2025-12-31T20:00'))), [])
  t.equal(rotationShiftAt(carers12, sh('2026-03-02T07:59')), null)
  const later: Rotation = { ...carers12, id: 'later', members: ['n1'], startDate: '2026-03-05' }
  t.same(who(whoIsOnDuty(query([carers12, later], sh('2026-03-03T12:00')))), [['c3', 'rotation']], 'the other rotation still answers')
})

t.test('nextHandoff', async t => {
  t.equal(nextHandoff(carers12, sh('2026-03-02T10:00')), '2026-03-02T12:00:00.000Z', '20:00 local')
  t.equal(nextHandoff(carers12, sh('2026-03-02T20:00')), '2026-03-03T00:00:00.000Z', 'strictly after: from 20:00 the next is 08:00')
  t.equal(nextHandoff(carers12, sh('2026-03-02T23:00')), '2026-03-03T00:00:00.000Z', 'across midnight')
  t.equal(nextHandoff(carers12, sh('2026-03-01T12:00')), '2026-03-02T00:00:00.000Z', 'before the start: the first shift')

  const weekday24: Rotation = { ...carers12, id: 'weekday-24h', shiftHours: 24, activeDays: [1, 2, 3, 4, 5] }
  t.equal(nextHandoff(weekday24, sh('2026-03-06T10:00')), '2026-03-07T00:00:00.000Z', 'Friday’s carer hands over to nobody on Saturday 08:00')
  t.equal(nextHandoff(weekday24, sh('2026-03-07T12:00')), '2026-03-09T00:00:00.000Z', 'Sunday 08:00 is skipped: nobody to nobody')
  t.equal(nextHandoff({ ...weekday24, startDate: '2026-03-07' }, sh('2026-03-06T12:00')), '2026-03-09T00:00:00.000Z', 'start on an uncovered day')
  t.equal(nextHandoff({ ...carers12, members: [] }, sh('2026-03-03T12:00')), null, 'no members: never')
  t.equal(nextHandoff({ ...weekday24, activeDays: [] }, sh('2026-03-03T12:00')), null, 'no active days: never')

  // Who's on next: the shift at the next handoff.
  const next = nextHandoff(carers12, sh('2026-03-02T10:00'))
  t.equal(next === null ? null : rotationShiftAt(carers12, next)?.staffId, 'c2')
})

t.test('JSON round trip of the inputs gives the same answers', async t => {
  const rotations: Rotation[] = [
    carers12,
    { ...carers12, id: 'area-a', areaId: 'A', members: ['a1', 'a2'], shiftHours: 24, activeDays: [1, 2, 3, 4, 5] },
    { ...carers12, id: 'london', timezone: 'Europe/London' },
  ]
  const overrides: Override[] = [{ rotationId: 'carers-12h', staffId: 'o1', start: sh('2026-03-03T10:00'), end: sh('2026-03-03T14:00') }]
  const holidays: Holiday[] = [{ date: '2026-03-04', rotationId: 'area-a', staffId: 'h1' }]
  const input: DutyQuery = { rotations, overrides, holidays, role: 'carer', areaId: 'A', at: sh('2026-03-03T12:00') }
  const copy = JSON.parse(JSON.stringify(input)) as DutyQuery
  t.same(copy, input)
  for (const at of [sh('2026-03-03T12:00'), sh('2026-03-04T12:00'), sh('2026-03-07T12:00'), '2026-10-25T01:30:00Z', Date.UTC(2026, 2, 5)]) {
    for (const areaId of ['A', null]) {
      t.same(whoIsOnDuty({ ...copy, at, areaId }), whoIsOnDuty({ ...input, at, areaId }), `${at} ${areaId}`)
    }
    for (const [i, r] of copy.rotations.entries()) t.equal(nextHandoff(r, at), nextHandoff(rotations[i]!, at))
  }
  // Organisation-wide at 3 March 12:00 Shanghai: o1's override on carers-12h, and on the London rota 04:00 GMT,
  // the night shift from 2 March 20:00 (k 1): c2.
  t.same(who(whoIsOnDuty({ ...copy, areaId: null })), [['o1', 'override'], ['c2', 'rotation']])
  t.same(
    whoIsOnDuty({ ...copy, at: Date.parse(sh('2026-03-04T12:00')) }),
    whoIsOnDuty({ ...copy, at: sh('2026-03-04T12:00') }),
    'epoch ms and ISO are the same instant',
  )
})

t.test('configuration errors throw; an empty rota is uncovered', async t => {
  const at = sh('2026-03-03T12:00')
  const bad = (patch: Partial<Rotation>) => () => whoIsOnDuty(query([{ ...carers12, ...patch }], at))
  t.throws(bad({ timezone: 'Mars/Olympus_Mons' }), RangeError)
  t.throws(bad({ handoffTime: '8:00' }), RangeError)
  t.throws(bad({ handoffTime: '24:00' }), RangeError)
  t.throws(bad({ startDate: '2026-02-30' }), RangeError)
  t.throws(bad({ shiftHours: 0 }), RangeError)
  t.throws(bad({ shiftHours: -12 }), RangeError)
  t.throws(bad({ shiftHours: Number.NaN }), RangeError)
  t.throws(bad({ shiftHours: Number.POSITIVE_INFINITY }), RangeError)
  t.throws(bad({ shiftHours: 1 / 7 }), RangeError, 'not whole minutes')
  t.throws(bad({ activeDays: [0] }), RangeError)
  t.throws(bad({ activeDays: [8] }), RangeError)
  t.throws(() => whoIsOnDuty(query([carers12], '2026-03-03T12:00')), RangeError, 'an instant without an offset')
  t.throws(() => whoIsOnDuty(query([carers12], Number.NaN)), RangeError)
  const backwards: Override = { rotationId: 'carers-12h', staffId: 'o', start: sh('2026-03-03T14:00'), end: sh('2026-03-03T10:00') }
  t.throws(() => whoIsOnDuty(query([carers12], at, { overrides: [backwards] })), RangeError)
  t.throws(() => nextHandoff({ ...carers12, timezone: 'Nowhere' }, at), RangeError)

  t.same(whoIsOnDuty(query([{ ...carers12, members: [] }], at)), [], 'no members: uncovered')
  t.same(whoIsOnDuty(query([{ ...carers12, shiftHours: 0.5 }], sh('2026-03-02T08:45'))).map(d => d.staffId), ['c2'], 'half-hour shifts')

  const { timezone: _tz, ...noZone } = carers12
  t.equal(DEFAULT_TIMEZONE, 'Asia/Shanghai')
  t.same(whoIsOnDuty(query([noZone], at)), whoIsOnDuty(query([carers12], at)), 'no timezone: Asia/Shanghai')
})

t.test('lookups are arithmetic, not a walk over past shifts', async t => {
  // 24 h, seven members from Monday 2 March 2026 09:00: whoever is on at a Monday 09:00 is s1. 2042-03-02 is
  // 16 years on (5844 days: 4 leap days, 2028..2040), so 2042-03-03 is day 5845 = 7 × 835: a Monday, s1.
  const seven: Rotation = { ...carers12, id: 'seven', members: ['s1', 's2', 's3', 's4', 's5', 's6', 's7'], handoffTime: '09:00', shiftHours: 24 }
  t.same(whoIsOnDuty(query([seven], sh('2042-03-03T09:00'))).map(d => d.staffId), ['s1'])
  t.same(whoIsOnDuty(query([seven], sh('2042-03-03T08:59'))).map(d => d.staffId), ['s7'])

  const started = performance.now()
  for (let i = 0; i < 1000; i++) whoIsOnDuty(query([seven, carers12], Date.UTC(2026, 2, 2) + i * 7_919_000_000))
  const ms = performance.now() - started
  t.ok(ms < 2000, `1000 look-ups spread over 250 years took ${ms.toFixed(0)} ms`)
})
