import t from 'tap'
import { localMinuteOfDay, wallClockAt } from '../src/index.ts'

/** What Intl itself says the wall clock shows, computed afresh for every instant (no cache). */
function intlWallClock(at: number, timeZone: string): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  })
  const p = Object.fromEntries(f.formatToParts(at).map(x => [x.type, Number(x.value)]))
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + (((at % 1000) + 1000) % 1000)
}

t.test('the cached offset gives what Intl gives, across DST changes, half-hour and 45-minute zones', async t => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns']
  // Around the 2026 transitions (March and October/November, both hemispheres) and at random instants.
  const anchors = [Date.UTC(2026, 2, 8, 6, 59), Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 3, 4, 14, 59), Date.UTC(2026, 9, 3, 15, 29), Date.UTC(2026, 9, 25, 0, 59), Date.UTC(2026, 10, 1, 5, 59)]
  let checked = 0
  for (const zone of zones) {
    for (const anchor of anchors) {
      for (let ms = 0; ms < 3 * 60_000; ms += 7_919) {
        const at = anchor + ms
        if (wallClockAt(at, zone) !== intlWallClock(at, zone)) t.fail(`${zone} at ${new Date(at).toISOString()}`)
        checked++
      }
    }
    for (let i = 0; i < 200; i++) {
      const at = Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 8 * 365 * 86_400_000)
      if (wallClockAt(at, zone) !== intlWallClock(at, zone)) t.fail(`${zone} at ${new Date(at).toISOString()}`)
      checked++
    }
  }
  t.ok(checked > 1000, `${checked} instants agree`)
})

t.test('instants before 1970 and in the same minute on both sides of a transition', async t => {
  // New York sprang forward at 2026-03-08 07:00 UTC: 01:59:59.999 EST is followed by 03:00 EDT.
  const before = Date.UTC(2026, 2, 8, 6, 59, 59, 999)
  t.equal(localMinuteOfDay(before, 'America/New_York'), 1 * 60 + 59)
  t.equal(localMinuteOfDay(before + 1, 'America/New_York'), 3 * 60)
  t.equal(wallClockAt(-86_400_000 * 365, 'Asia/Shanghai'), intlWallClock(-86_400_000 * 365, 'Asia/Shanghai'))
})

t.test('an unknown zone is still refused', async t => {
  t.throws(() => wallClockAt(Date.now(), 'Mars/Olympus_Mons'), RangeError)
})
