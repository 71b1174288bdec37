import { firstInstantShowing, utcMs, wallClockAt } from '@anxin/wall-clock'

/**
 * The console's side of the daily-contact day (the rules are the alert service's,
 * services/alert/src/domain/daily-contact.ts: keep the two in step): a signal counts for the local date of
 * its instant in the organisation's zone, and each day is decided at its cut-off in that zone.
 */

export const CONTACT_KINDS = ['checkin', 'call', 'visit', 'device_activity'] as const
export type ContactKind = (typeof CONTACT_KINDS)[number]

export const DEFAULT_CUTOFF = '18:00'

/** The local date ('YYYY-MM-DD') in `timeZone` at instant `at`. */
export function localDateOf(at: number, timeZone: string): string {
  return new Date(wallClockAt(at, timeZone)).toISOString().slice(0, 10)
}

/** The instant of local date `date`'s cut-off ('HH:MM') in `timeZone`, DST-safe (see @anxin/wall-clock). */
export function cutoffInstant(date: string, cutoff: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const [h, min] = cutoff.split(':').map(Number) as [number, number]
  return firstInstantShowing(utcMs(y, m, d, h, min), timeZone)
}

/** Who must be contacted daily: an explicit requirement, else the ledger's "very old and living alone". */
export const REQUIRED_RESIDENT = 'COALESCE(q.required, l.very_old AND l.living_alone)'
