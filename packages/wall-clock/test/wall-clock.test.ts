import t from 'tap'
import { DAY, firstInstantShowing, localMinuteOfDay, parseInstant, utcMs, wallClockAt } from '../src/index.ts'

const at = (iso: string) => Date.parse(iso)

t.test('Shanghai is UTC+8 all year', async t => {
  t.equal(wallClockAt(at('2026-01-15T16:30:00Z'), 'Asia/Shanghai'), utcMs(2026, 1, 16, 0, 30))
  t.equal(localMinuteOfDay(at('2026-07-01T23:59:00Z'), 'Asia/Shanghai'), 7 * 60 + 59)
  t.equal(firstInstantShowing(utcMs(2026, 3, 1, 8, 0), 'Asia/Shanghai'), at('2026-03-01T00:00:00Z'))
})

t.test('London: a skipped local time maps to the jump, a repeated one to its first occurrence (or the one after `after`)', async t => {
  // 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 never shows.
  t.equal(firstInstantShowing(utcMs(2026, 3, 29, 1, 30), 'Europe/London'), at('2026-03-29T01:00:00Z'))
  // 25 October 2026: 02:00 BST goes back to 01:00 GMT, so 01:30 shows twice.
  const wall = utcMs(2026, 10, 25, 1, 30)
  t.equal(firstInstantShowing(wall, 'Europe/London'), at('2026-10-25T00:30:00Z'), 'first occurrence')
  t.equal(firstInstantShowing(wall, 'Europe/London', at('2026-10-25T00:45:00Z')), at('2026-10-25T01:30:00Z'), 'the occurrence after `after`')
  t.equal(Math.floor(wallClockAt(at('2026-10-25T12:00:00Z'), 'Europe/London') / DAY), Math.floor(utcMs(2026, 10, 25) / DAY), 'the local day')
})

t.test('instants must carry an offset; zones must exist', async t => {
  t.equal(parseInstant('2026-03-01T08:00:00+08:00', 'at'), at('2026-03-01T00:00:00Z'))
  t.equal(parseInstant(1_000, 'at'), 1_000)
  t.throws(() => parseInstant('2026-03-01T08:00:00', 'at'), RangeError, 'no offset: it would be read in the process zone')
  t.throws(() => parseInstant(Number.NaN, 'at'), RangeError)
  t.throws(() => wallClockAt(0, 'Mars/Olympus'), RangeError)
  t.throws(() => wallClockAt(0, ''), RangeError)
})
