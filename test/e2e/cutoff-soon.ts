import { firstInstantShowing, localMinuteOfDay, utcMs, wallClockAt } from '../../packages/wall-clock/src/index.ts'

export const MINUTE = 60_000

/** A zone where the next few minutes stay on today's local date, so the cut-off is today's. */
function zoneAwayFromMidnight(now: number): string {
  return ['Asia/Shanghai', 'Europe/London', 'America/New_York'].find(z => {
    const minute = localMinuteOfDay(now, z)
    return minute > 60 && minute < 22 * 60
  })!
}

/**
 * A daily-contact cut-off three minutes from now in a zone where that is still today: the zone, the local date,
 * the cut-off as HH:MM, and the instant it falls on (a test moves the alert service's clock past it).
 */
export function cutoffSoon(start = Date.now()): { zone: string; date: string; cutoff: string; cutoffAt: number } {
  const zone = zoneAwayFromMidnight(start)
  const wall = wallClockAt(start + 3 * MINUTE, zone)
  const date = new Date(wall).toISOString().slice(0, 10)
  const cutoff = new Date(wall).toISOString().slice(11, 16)
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const cutoffAt = firstInstantShowing(utcMs(y, m, d, Number(cutoff.slice(0, 2)), Number(cutoff.slice(3))), zone)
  return { zone, date, cutoff, cutoffAt }
}
