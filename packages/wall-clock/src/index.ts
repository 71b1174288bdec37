/**
 * Wall-clock arithmetic in IANA time zones, shared by every rule that speaks in local times (on-call shifts,
 * quiet hours, activity plans, daily-contact cut-offs). Pure: Intl does the zone data, nothing reads the clock.
 *
 * A "wall" time is a local date and time expressed as the epoch ms at which a UTC clock would show the same
 * date and time, so differences of wall times are wall-clock durations and `Math.floor(wall / DAY)` is the
 * local day.
 */

export const MINUTE = 60_000
export const DAY = 24 * 60 * MINUTE

/** The wall-clock time in `timeZone` at instant `at` (see the header). Throws RangeError for an unknown zone. */
export function wallClockAt(at: number, timeZone: string): number {
  // Asking Intl costs about 10 µs, and the alert service asks for every reading (the local day of daily
  // contact, the minute of an activity plan). A zone's offset changes only at whole minutes (every transition
  // since 1972), so the offset found for the minute holds for every instant in it.
  const minuteStart = at - mod(at, MINUTE)
  let byMinute = offsetsByZone.get(timeZone)
  if (!byMinute) offsetsByZone.set(timeZone, (byMinute = new Map()))
  let offset = byMinute.get(minuteStart)
  if (offset === undefined) {
    offset = askIntl(minuteStart, timeZone) - minuteStart
    if (byMinute.size >= MAX_CACHED_MINUTES) byMinute.clear()
    byMinute.set(minuteStart, offset)
  }
  return at + offset
}

/** Enough for a day of readings spread over every minute, per zone; the cache starts again when full. */
const MAX_CACHED_MINUTES = 2048
const offsetsByZone = new Map<string, Map<number, number>>()

function askIntl(at: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(at)
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find(p => p.type === type)?.value)
  return utcMs(get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')) + mod(at, 1000)
}

/** How far the zone's clock is ahead of UTC at instant `at`, in ms. */
export function offsetAt(at: number, timeZone: string): number {
  return wallClockAt(at, timeZone) - at
}

/** Minutes since local midnight in `timeZone` at instant `at`. */
export function localMinuteOfDay(at: number, timeZone: string): number {
  return Math.floor(mod(wallClockAt(at, timeZone), DAY) / MINUTE)
}

/**
 * The first instant after `after` at which the wall clock in `timeZone` shows `wall`:
 * - the usual case: the one instant with that wall-clock time;
 * - a time repeated when clocks go back: its first occurrence after `after`;
 * - a time skipped when clocks go forward: the instant of the jump.
 * Without `after`, the first occurrence at all, which makes the map non-decreasing (shift boundaries never
 * run backwards). Assumes at most one offset change within a day either side, true of every zone in use.
 */
export function firstInstantShowing(wall: number, timeZone: string, after = Number.NEGATIVE_INFINITY): number {
  const before = offsetAt(wall - DAY, timeZone)
  const later = offsetAt(wall + DAY, timeZone)
  const candidates = before === later ? [wall - before] : [wall - before, wall - later]
  const valid = candidates.filter(c => c > after && wallClockAt(c, timeZone) === wall)
  if (valid.length > 0) return Math.min(...valid)

  // Skipped time: the clock reads before `wall` at `lo` and after it at `hi`; it only moves forward across a
  // skip, so a binary search over the milliseconds between finds the jump.
  let lo = Math.min(...candidates)
  let hi = Math.max(...candidates)
  if (wallClockAt(hi, timeZone) < wall) return hi
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (wallClockAt(mid, timeZone) >= wall) hi = mid
    else lo = mid
  }
  return hi
}

// An ISO string without an offset would be read in the process's own zone: a hidden input, so it is refused.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

/** An ISO instant with an offset (or epoch ms) to epoch ms; RangeError naming `what` otherwise. */
export function parseInstant(value: string | number, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value
  } else if (typeof value === 'string' && ISO_INSTANT.test(value)) {
    const ms = Date.parse(value)
    if (Number.isFinite(ms)) return ms
  }
  throw new RangeError(`${what} must be an ISO instant with an offset${typeof value === 'number' ? ' or epoch ms' : ''}, got ${JSON.stringify(value)}`)
}

/** Date and time fields to the epoch ms a UTC clock shows them at (years before 100 included). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second))
  d.setUTCFullYear(year, month - 1, day)
  return d.getTime()
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n
}

// Building an Intl.DateTimeFormat is costly and each look-up needs a few; the cache holds nothing that changes
// a result, so the functions stay pure.
const formatters = new Map<string, Intl.DateTimeFormat>()

/** Also a validity check: an unknown or empty zone throws RangeError. */
export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    if (typeof timeZone !== 'string' || timeZone === '') throw new RangeError(`time zone must be an IANA name, got ${JSON.stringify(timeZone)}`)
    // hourCycle h23: some locales otherwise print midnight as 24.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    })
    formatters.set(timeZone, f)
  }
  return f
}
