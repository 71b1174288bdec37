import t from 'tap'
import { localMinuteOfDay } from '@anxin/wall-clock'
import {
  alarmOutcome,
  computeServiceFigures,
  nearestRank,
  type ActorKind,
  type AlarmFacts,
  type AlarmLogEntry,
  type ReportWindow,
} from '../../src/domain/service-figures.ts'

const T0 = Date.parse('2026-03-02T02:00:00.000Z') // 10:00 in Asia/Shanghai
const WINDOW: ReportWindow = { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z', now: '2026-03-03T00:00:00Z', timeZone: 'Asia/Shanghai' }
const LOAD = { openTasks: 0, offlineDevices: 0 }

let serial = 0
/** An alarm raised at T0 + raisedAfter seconds; each step is [action, seconds after the raise, actor kind]. */
function alarm(type: string, steps: Array<[string, number, ActorKind?]>, raisedAfter = 0): AlarmFacts {
  const raisedAt = T0 + Math.round(raisedAfter * 1000)
  const log: AlarmLogEntry[] = [{ action: 'raise', actorKind: 'system', at: raisedAt }]
  for (const [action, s, actorKind = 'staff'] of steps) log.push({ action, actorKind, at: raisedAt + Math.round(s * 1000) })
  serial += 1
  return { alarmId: `alarm-${serial}`, alarmType: type, log }
}

function figures(alarms: AlarmFacts[], window: Partial<ReportWindow> = {}) {
  return computeServiceFigures(alarms, { ...WINDOW, ...window }, LOAD)
}

/** `now` so many seconds after T0. */
function nowAfter(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString()
}

t.test('nearest-rank percentiles: the ceil(p/100 * n)-th smallest value, a value that really occurred', async t => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  t.equal(nearestRank(ten, 50), 5)
  t.equal(nearestRank(ten, 90), 9)
  t.equal(nearestRank(ten, 91), 10)
  t.equal(nearestRank(ten, 100), 10)
  t.equal(nearestRank([10, 20, 30, 40], 50), 20, 'even count: the lower middle value, not an average')
  t.equal(nearestRank([10, 20, 30, 40], 90), 40)
  t.equal(nearestRank([7], 50), 7)
  t.equal(nearestRank([7], 90), 7)
  t.equal(nearestRank(Array.from({ length: 20 }, (_, i) => i + 1), 90), 18)
  t.equal(nearestRank([], 50), null)
  t.throws(() => nearestRank(ten, 0), RangeError)
  t.throws(() => nearestRank(ten, 101), RangeError)
})

t.test('an empty window: zero alarms, shares and times null (not NaN, not 0), all 24 hours listed', async t => {
  const f = computeServiceFigures([], WINDOW, { openTasks: 3, offlineDevices: 2 })
  t.same(f, {
    from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', now: '2026-03-03T00:00:00.000Z', timeZone: 'Asia/Shanghai',
    alarms: 0, acknowledgedWithin60s: null, acknowledgedWithin180s: null,
    ackSeconds: { median: null, p90: null }, arrivalSeconds: { median: null, p90: null },
    byType: [], byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0 })),
    openTasks: 3, offlineDevices: 2,
  })
  t.equal(JSON.stringify(f).includes('NaN'), false)
})

t.test('acknowledgement targets are inclusive: 60.000 s meets 60 s, 60.001 s does not', async t => {
  t.same(pick(figures([alarm('sos', [['acknowledge', 60]])])), { s60: 1, s180: 1, ack: { median: 60, p90: 60 } })
  t.same(pick(figures([alarm('sos', [['acknowledge', 60.001]])])), { s60: 0, s180: 1, ack: { median: 60.001, p90: 60.001 } })
  t.same(pick(figures([alarm('sos', [['acknowledge', 180.001]])])), { s60: 0, s180: 0, ack: { median: 180.001, p90: 180.001 } })
})

t.test('acknowledgement is the first acknowledge or dispatch by a person (staff or contact)', async t => {
  const dispatched = alarm('fall', [['notify', 5, 'system'], ['dispatch', 40], ['acknowledge', 50]])
  t.same(pick(figures([dispatched])).ack, { median: 40, p90: 40 }, 'dispatch from raised/notified is the acknowledgement')
  const byFamily = alarm('sos', [['acknowledge', 70, 'contact'], ['dispatch', 80]])
  t.same(pick(figures([byFamily])), { s60: 0, s180: 1, ack: { median: 70, p90: 70 } }, 'a family contact answering counts')
  const systemRows = alarm('sos', [['notify', 1, 'system'], ['acknowledge', 2, 'system'], ['escalate', 3, 'system'], ['note', 4], ['acknowledge', 90]])
  t.same(pick(figures([systemRows])).ack, { median: 90, p90: 90 }, 'notify, note, escalate and any system row are not an answer')
  const dispatchRows = alarm('sos', [['link_opened', 10, 'contact'], ['view_alarm', 11], ['task_created', 12, 'system'], ['acknowledge', 30]])
  t.same(pick(figures([dispatchRows])).ack, { median: 30, p90: 30 }, "dispatch's own rows are ignored")
})

t.test('an unacknowledged open alarm is pending until a target has passed, then a miss for that target only', async t => {
  const open = [alarm('sos', [['notify', 1, 'system']])]
  t.same(pick(figures(open, { now: nowAfter(30) })), { s60: null, s180: null, ack: { median: null, p90: null } }, '30 s old: pending for both')
  t.same(pick(figures(open, { now: nowAfter(60) })), { s60: null, s180: null, ack: { median: null, p90: null } }, 'exactly 60 s old: still pending')
  t.same(pick(figures(open, { now: nowAfter(90) })), { s60: 0, s180: null, ack: { median: null, p90: null } }, '90 s: a miss for 60 s, pending for 180 s')
  t.same(pick(figures(open, { now: nowAfter(200) })), { s60: 0, s180: 0, ack: { median: null, p90: null } })

  const mixed = [alarm('sos', [['acknowledge', 20]]), alarm('sos', [], 150), alarm('sos', [['acknowledge', 70]], 100)]
  const f = figures(mixed, { now: nowAfter(180) })
  t.equal(f.alarms, 3, 'pending alarms are counted as alarms')
  t.equal(f.acknowledgedWithin60s, 1 / 2, 'the 30-s-old unanswered alarm is in no denominator; the one answered at 70 s is')
  t.equal(f.acknowledgedWithin180s, 2 / 2)
})

t.test('ended without an acknowledgement: neutral if it ended within the target, a miss if after', async t => {
  const cleared20 = alarm('heart_rate_high', [['notify', 5, 'system'], ['auto_resolve', 20, 'system'], ['close', 600]])
  t.same(pick(figures([cleared20])), { s60: null, s180: null, ack: { median: null, p90: null } }, 'cleared at 20 s: nobody needed to answer')
  const cleared100 = alarm('spo2_low', [['auto_resolve', 100, 'system']])
  t.same(pick(figures([cleared100])), { s60: 0, s180: null, ack: { median: null, p90: null } }, 'cleared at 100 s: 100 s unanswered is a 60 s miss')
  const cleared900 = alarm('inactivity', [['auto_resolve', 900, 'system']])
  t.same(pick(figures([cleared900])), { s60: 0, s180: 0, ack: { median: null, p90: null } })
  const cancelledByWearer = alarm('fall', [['resolve', 10, 'contact']])
  t.same(pick(figures([cancelledByWearer])), { s60: null, s180: null, ack: { median: null, p90: null } }, 'the wearer called it off within 10 s')
  const clearedWhileHandled = alarm('heart_rate_low', [['acknowledge', 30], ['auto_resolve', 40, 'system']])
  t.same(pick(figures([clearedWhileHandled])), { s60: 1, s180: 1, ack: { median: 30, p90: 30 } }, 'acknowledged first: measured normally')
  t.equal(figures([cleared20]).alarms, 1, 'still counted as an alarm')
})

t.test('reopened alarms are counted once and measured from the first raise', async t => {
  const reopenedAfterAck = alarm('sos', [['acknowledge', 30], ['resolve', 300], ['reopen', 7200], ['acknowledge', 7300], ['arrive', 7900]])
  const f = figures([reopenedAfterAck])
  t.equal(f.alarms, 1)
  t.same(pick(f), { s60: 1, s180: 1, ack: { median: 30, p90: 30 } }, 'the first acknowledgement is the answer time')
  t.same(f.arrivalSeconds, { median: 7900, p90: 7900 }, 'arrival measured from the first raise too')

  const reopenedUnanswered = alarm('heart_rate_high', [['auto_resolve', 20, 'system'], ['reopen', 3600]])
  t.same(pick(figures([reopenedUnanswered], { now: nowAfter(3610) })), { s60: 0, s180: 0, ack: { median: null, p90: null } },
    'cleared at 20 s, reopened and unanswered: waiting since the first raise, not neutral any more')
  const reopenedThenAcked = alarm('heart_rate_high', [['auto_resolve', 20, 'system'], ['reopen', 3600], ['acknowledge', 3630]])
  t.same(pick(figures([reopenedThenAcked])), { s60: 0, s180: 0, ack: { median: 3630, p90: 3630 } })
  const reopenedAndClearedAgain = alarm('heart_rate_high', [['auto_resolve', 20, 'system'], ['reopen', 3600], ['auto_resolve', 3610, 'system']])
  t.same(pick(figures([reopenedAndClearedAgain])), { s60: 0, s180: 0, ack: { median: null, p90: null } }, 'ended for good at 3610 s after the first raise')
})

t.test('device alarms are counted but not in answer-time or arrival figures', async t => {
  const f = figures([
    alarm('device_offline', [['acknowledge', 5]]),
    alarm('low_battery', [], 10),
    alarm('device_not_worn', [['dispatch', 500], ['arrive', 900]]),
    alarm('sos', [['acknowledge', 100], ['arrive', 1200]]),
  ])
  t.equal(f.alarms, 4)
  t.same(pick(f), { s60: 0, s180: 1, ack: { median: 100, p90: 100 } })
  t.same(f.arrivalSeconds, { median: 1200, p90: 1200 })
  t.same(f.byType, [
    { type: 'device_not_worn', count: 1 }, { type: 'device_offline', count: 1 }, { type: 'low_battery', count: 1 }, { type: 'sos', count: 1 },
  ])
  t.same(figures([alarm('low_battery', [])]).acknowledgedWithin60s, null, 'only device alarms: no answer-time figures at all')
})

t.test('percentiles over several alarms; arrivals only where someone arrived', async t => {
  const alarms = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((s, i) =>
    alarm('sos', i < 4 ? [['dispatch', s], ['arrive', s * 10]] : [['acknowledge', s]], i))
  const f = figures(alarms)
  t.same(f.ackSeconds, { median: 50, p90: 90 })
  t.same(f.arrivalSeconds, { median: 200, p90: 400 }, 'four arrivals: 100, 200, 300, 400')
  t.equal(f.acknowledgedWithin60s, 6 / 10)
  t.equal(f.acknowledgedWithin180s, 1)
  const fromDisorder = figures([...alarms].reverse())
  t.same(fromDisorder.ackSeconds, f.ackSeconds, 'input order does not matter')
})

t.test('an arrival counts with any actor, the first one, and only after the raise', async t => {
  const f = figures([alarm('fall', [['dispatch', 30], ['arrive', 1500, 'system'], ['arrive', 1600]])])
  t.same(f.arrivalSeconds, { median: 1500, p90: 1500 })
})

t.test('the window is [from, to) on the first raise', async t => {
  const from = '2026-03-02T02:00:00.000Z'
  const to = '2026-03-02T03:00:00.000Z'
  const f = figures([
    alarm('sos', [['acknowledge', 10]], -0.001), // just before from
    alarm('sos', [['acknowledge', 20]], 0), // at from
    alarm('sos', [['acknowledge', 30]], 3599.999),
    alarm('sos', [['acknowledge', 40]], 3600), // at to
    alarm('sos', [['reopen', 3700], ['acknowledge', 3710]], -60), // raised before, reopened within: not this window's
  ], { from, to })
  t.equal(f.alarms, 2)
  t.same(f.ackSeconds, { median: 20, p90: 30 })
})

t.test('the log is read as at `now`: later rows and alarms raised after `now` are ignored', async t => {
  const later = alarm('sos', [['acknowledge', 100]])
  t.same(pick(figures([later], { now: nowAfter(90) })), { s60: 0, s180: null, ack: { median: null, p90: null } })
  t.same(pick(figures([later], { now: nowAfter(100) })), { s60: 0, s180: 1, ack: { median: 100, p90: 100 } })
  t.equal(figures([alarm('sos', [], 10)], { now: nowAfter(5) }).alarms, 0, 'raised after now')
})

t.test('a responder clock behind the server: negative durations count as 0 s; rows before the raise row are not answers', async t => {
  t.same(pick(figures([alarm('sos', [['acknowledge', -2]])])), { s60: 1, s180: 1, ack: { median: 0, p90: 0 } })
  const ackBeforeRaise: AlarmFacts = {
    alarmId: 'odd', alarmType: 'sos',
    log: [{ action: 'acknowledge', actorKind: 'staff', at: T0 - 1000 }, { action: 'raise', actorKind: 'system', at: T0 }],
  }
  t.same(alarmOutcome(ackBeforeRaise.log, T0 + 10_000), { raisedAt: T0, acknowledgedAt: null, arrivedAt: null, endedUnansweredAt: null })
  t.equal(alarmOutcome([{ action: 'acknowledge', actorKind: 'staff', at: T0 }], T0 + 1), null, 'no raise row: not measurable')
})

t.test('hour of day in the organisation zone, over a window that crosses local midnight', async t => {
  // 22:00 on 1 March to 02:00 on 2 March in Shanghai (UTC+8): 14:00Z to 18:00Z.
  const window = { from: '2026-03-01T22:00:00+08:00', to: '2026-03-02T02:00:00+08:00', now: '2026-03-02T03:00:00+08:00' }
  const at = (iso: string) => (Date.parse(iso) - T0) / 1000
  const f = figures([
    alarm('sos', [], at('2026-03-01T21:59:59+08:00')), // outside
    alarm('sos', [], at('2026-03-01T22:00:00+08:00')),
    alarm('fall', [], at('2026-03-01T23:30:00+08:00')),
    alarm('sos', [], at('2026-03-01T23:59:59.999+08:00')),
    alarm('sos', [], at('2026-03-02T00:00:00+08:00')),
    alarm('sos', [], at('2026-03-02T01:59:59+08:00')),
    alarm('sos', [], at('2026-03-02T02:00:00+08:00')), // outside
  ], window)
  t.equal(f.alarms, 5)
  const counts = Object.fromEntries(f.byHour.filter(h => h.count > 0).map(h => [h.hour, h.count]))
  t.same(counts, { 0: 1, 1: 1, 22: 1, 23: 2 }, 'local hours, not UTC (14 to 17)')
  t.equal(f.byHour.length, 24)
  t.same(f.byType, [{ type: 'sos', count: 4 }, { type: 'fall', count: 1 }], 'most frequent first')

  const london = figures([alarm('sos', [], at('2026-03-29T00:30:00Z')), alarm('sos', [], at('2026-03-29T01:30:00Z'))],
    { from: '2026-03-28T00:00:00Z', to: '2026-03-30T00:00:00Z', now: '2026-03-30T00:00:00Z', timeZone: 'Europe/London' })
  t.same(london.byHour.filter(h => h.count > 0), [{ hour: 0, count: 1 }, { hour: 2, count: 1 }], 'across the spring-forward hour')
})

t.test('hour buckets equal the exact look-up across clock changes and in zones with 30- and 45-minute offsets', async t => {
  // Every 7 min 13 s over four days around the European change (29 March), the end of Lord Howe's summer time
  // (5 April, 30 minutes back) and its start (4 October local, 15:30 UTC: inside a UTC hour).
  for (const from of ['2026-03-27T00:00:00Z', '2026-04-03T00:00:00Z', '2026-10-02T00:00:00Z']) {
    const to = new Date(Date.parse(from) + 4 * 86_400_000).toISOString()
    const alarms = Array.from({ length: Math.floor((4 * 86_400) / 433) }, (_, k) => alarm('sos', [], (Date.parse(from) - T0) / 1000 + k * 433))
    for (const timeZone of ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Asia/Kolkata', 'Asia/Shanghai']) {
      const expected = new Array<number>(24).fill(0)
      for (const a of alarms) expected[Math.floor(localMinuteOfDay(a.log[0]!.at, timeZone) / 60)]! += 1
      const f = figures(alarms, { from, to, now: to, timeZone })
      t.same(f.byHour.map(h => h.count), expected, `${timeZone} from ${from}`)
    }
  }
})

t.test('a bad window or zone is refused', async t => {
  t.throws(() => figures([], { from: WINDOW.to, to: WINDOW.from }), RangeError)
  t.throws(() => figures([], { to: WINDOW.from }), RangeError)
  t.throws(() => figures([], { from: '2026-03-02T00:00:00' }), RangeError, 'no offset: would be read in the process zone')
  t.throws(() => figures([], { timeZone: 'Mars/Olympus' }), RangeError)
})

function pick(f: ReturnType<typeof figures>) {
  return { s60: f.acknowledgedWithin60s, s180: f.acknowledgedWithin180s, ack: f.ackSeconds }
}
