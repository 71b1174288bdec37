export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

const formats = new Map<string, Intl.DateTimeFormat>()

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
export function zoneOffsetMs(timeZone: string, at: number): number {
  let format = formats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    formats.set(timeZone, format)
  }
  const part = (type: string) => Number(format.formatToParts(at).find(p => p.type === type)!.value)
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'))
  return wall - Math.floor(at / 1000) * 1000
}

/**
 * The instant of local midnight on the local day containing `at`. Days are taken as 24 hours long: the
 * district's zones (China) have no daylight saving, and a lifelike day does not need the DST edge cases.
 */
export function localDayStart(timeZone: string, at: number): number {
  const offset = zoneOffsetMs(timeZone, at)
  return Math.floor((at + offset) / DAY_MS) * DAY_MS - offset
}

/** A time of day on a local day, given as minutes after its midnight. */
export function atMinute(dayStart: number, minuteOfDay: number): number {
  return dayStart + Math.round(minuteOfDay * MINUTE_MS)
}

/** Local hour of day as a fraction (13.5 is half past one in the afternoon), for circadian curves. */
export function hourOfDay(dayStart: number, at: number): number {
  return (at - dayStart) / HOUR_MS
}
