import t from 'tap'
import {
  CONTACT_KINDS,
  DEFAULT_CARE_DUTY,
  SETTLE_MS,
  addDays,
  cutoffInstant,
  datesToDecide,
  decisionDue,
  localDateOf,
  missedContactEventId,
  verdict,
  type CareDutySettings,
  type ContactKind,
} from '../../src/domain/daily-contact.ts'

const SH = 'Asia/Shanghai'
const LDN = 'Europe/London'
const at = (iso: string) => Date.parse(iso)
const on: CareDutySettings = { cutoff: '18:00', deviceActivityCounts: true }
const off: CareDutySettings = DEFAULT_CARE_DUTY

t.test('the local date is the day in the organisation zone, not UTC', async t => {
  // 23:59 Shanghai on 1 March is 15:59Z; 00:01 on 2 March is 16:01Z the same UTC day.
  t.equal(localDateOf(at('2026-03-01T23:59:00+08:00'), SH), '2026-03-01')
  t.equal(localDateOf(at('2026-03-02T00:01:00+08:00'), SH), '2026-03-02')
  t.equal(localDateOf(at('2026-03-01T16:01:00Z'), SH), '2026-03-02', 'UTC still says 1 March')
  // London in summer time: 23:30 local is 22:30Z; 00:30 local is 23:30Z of the previous UTC day.
  t.equal(localDateOf(at('2026-06-10T23:30:00+01:00'), LDN), '2026-06-10')
  t.equal(localDateOf(at('2026-06-10T23:30:00Z'), LDN), '2026-06-11')
  t.equal(addDays('2026-03-01', -1), '2026-02-28')
  t.equal(addDays('2024-12-31', 1), '2025-01-01')
})

t.test('the cut-off instant follows the zone, across a DST change', async t => {
  t.equal(cutoffInstant('2026-03-01', '18:00', SH), at('2026-03-01T10:00:00Z'))
  t.equal(cutoffInstant('2026-03-28', '18:00', LDN), at('2026-03-28T18:00:00Z'), 'GMT the day before the change')
  t.equal(cutoffInstant('2026-03-29', '18:00', LDN), at('2026-03-29T17:00:00Z'), 'BST on the day clocks go forward')
  t.equal(cutoffInstant('2026-10-25', '18:00', LDN), at('2026-10-25T18:00:00Z'), 'GMT again after clocks go back')
  t.equal(cutoffInstant('2026-03-29', '01:30', LDN), at('2026-03-29T01:00:00Z'), 'a skipped cut-off is the instant of the jump')
  t.equal(cutoffInstant('2026-10-25', '01:30', LDN), at('2026-10-25T00:30:00Z'), 'a repeated cut-off is its first occurrence')
  t.throws(() => cutoffInstant('2026-03-01', '25:00', SH), RangeError)
  t.throws(() => cutoffInstant('1 March', '18:00', SH), RangeError)
})

t.test('each kind of signal before the cut-off is contact', async t => {
  for (const kind of CONTACT_KINDS) {
    const v = verdict([{ kind, at: at('2026-03-01T09:00:00+08:00') }], '2026-03-01', on, SH)
    t.equal(v.status, 'contacted', kind)
    t.same(v.first, { kind, at: at('2026-03-01T09:00:00+08:00') })
  }
  t.same(verdict([], '2026-03-01', on, SH), { status: 'missed', first: null }, 'no signal: missed')
})

t.test('device activity counts only when the organisation allows it', async t => {
  const activity = [{ kind: 'device_activity' as ContactKind, at: at('2026-03-01T08:00:00+08:00') }]
  t.equal(verdict(activity, '2026-03-01', on, SH).status, 'contacted')
  t.equal(verdict(activity, '2026-03-01', off, SH).status, 'missed')
  const both = [...activity, { kind: 'call' as ContactKind, at: at('2026-03-01T11:00:00+08:00') }]
  t.same(verdict(both, '2026-03-01', off, SH).first, { kind: 'call', at: at('2026-03-01T11:00:00+08:00') }, 'the first counting signal')
  t.same(verdict(both, '2026-03-01', on, SH).first?.kind, 'device_activity')
})

t.test('a signal just before the cut-off counts, one at or after it does not', async t => {
  const before = [{ kind: 'checkin' as ContactKind, at: at('2026-03-01T17:59:59+08:00') }]
  const exactly = [{ kind: 'checkin' as ContactKind, at: at('2026-03-01T18:00:00+08:00') }]
  const after = [{ kind: 'visit' as ContactKind, at: at('2026-03-01T18:01:00+08:00') }]
  t.equal(verdict(before, '2026-03-01', off, SH).status, 'contacted')
  t.equal(verdict(exactly, '2026-03-01', off, SH).status, 'missed')
  t.equal(verdict(after, '2026-03-01', off, SH).status, 'missed')
  // London on the day clocks go forward: 17:59 local is 16:59Z, 18:01 local is 17:01Z.
  t.equal(verdict([{ kind: 'call', at: at('2026-03-29T16:59:00Z') }], '2026-03-29', off, LDN).status, 'contacted')
  t.equal(verdict([{ kind: 'call', at: at('2026-03-29T17:01:00Z') }], '2026-03-29', off, LDN).status, 'missed', 'UTC 17:01 is already 18:01 BST')
  t.equal(verdict([{ kind: 'call', at: at('2026-03-28T17:30:00Z') }], '2026-03-28', off, LDN).status, 'contacted', 'the day before, UTC 17:30 is 17:30 GMT')
})

t.test('23:59 local counts for that day and 00:01 for the next, in the organisation zone', async t => {
  const late = [{ kind: 'checkin' as ContactKind, at: at('2026-03-01T23:59:00+08:00') }]
  const early = [{ kind: 'checkin' as ContactKind, at: at('2026-03-02T00:01:00+08:00') }]
  const lateCutoff: CareDutySettings = { cutoff: '23:59', deviceActivityCounts: false }
  // Cut-off 23:59: the 23:59 press is at the cut-off, so it is late for 1 March.
  t.equal(verdict(late, '2026-03-01', lateCutoff, SH).status, 'missed')
  t.equal(verdict(early, '2026-03-02', off, SH).status, 'contacted', '00:01 is contact for 2 March')
  t.equal(verdict(early, '2026-03-01', { cutoff: '23:59', deviceActivityCounts: false }, SH).status, 'missed', 'and never for 1 March')
  // The same UTC instant is a different local day in the two zones.
  const instant = at('2026-06-10T23:30:00Z') // 00:30 on 11 June in London (BST), 07:30 on 11 June in Shanghai
  t.equal(verdict([{ kind: 'call', at: instant }], '2026-06-11', off, LDN).status, 'contacted')
  t.equal(verdict([{ kind: 'call', at: instant }], '2026-06-10', { cutoff: '23:59', deviceActivityCounts: false }, LDN).status, 'missed')
  const utcEvening = at('2026-06-10T22:30:00Z') // 23:30 on 10 June in London
  t.equal(verdict([{ kind: 'call', at: utcEvening }], '2026-06-10', { cutoff: '23:45', deviceActivityCounts: false }, LDN).status, 'contacted')
  t.equal(verdict([{ kind: 'call', at: utcEvening }], '2026-06-11', off, LDN).status, 'missed')
  // London on the day clocks go back (25 hours): 00:01 BST is 23:01Z on the 24th.
  t.equal(localDateOf(at('2026-10-24T23:01:00Z'), LDN), '2026-10-25')
  t.equal(verdict([{ kind: 'visit', at: at('2026-10-24T23:01:00Z') }], '2026-10-25', off, LDN).status, 'contacted')
})

t.test('a day is decided once its cut-off and the settle time have passed', async t => {
  const cutoff = at('2026-03-01T10:00:00Z')
  t.notOk(decisionDue(cutoff - 1, '2026-03-01', off, SH))
  t.notOk(decisionDue(cutoff + SETTLE_MS - 1, '2026-03-01', off, SH), 'signals in flight get time to arrive')
  t.ok(decisionDue(cutoff + SETTLE_MS, '2026-03-01', off, SH))
  t.same(datesToDecide(at('2026-03-02T00:30:00+08:00'), SH), ['2026-03-01', '2026-03-02'], 'today and yesterday, in the zone')
  t.same(datesToDecide(at('2026-03-29T23:30:00Z'), LDN), ['2026-03-29', '2026-03-30'])
  t.equal(missedContactEventId('R1', '2026-03-01'), 'missed_contact:R1:2026-03-01')
})
