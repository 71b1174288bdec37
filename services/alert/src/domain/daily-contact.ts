/**
 * Daily contact (每天至少联系1次): every required resident must be in touch at least once per local day, by a
 * cut-off in the organisation's time zone. Pure: the watch (adapters/contact-watch.ts) loads the signals and
 * settings and records the verdict; the console's report reads the same rules.
 *
 * Rules:
 * - A signal counts for the local date, in the organisation's zone, of the instant it happened (a press at
 *   23:59 local counts for that day, one at 00:01 for the next, whatever the UTC date says).
 * - It counts towards that day's verdict only if it happened before the day's cut-off instant. Contact after
 *   the cut-off is kept (the report shows it) but does not undo a missed day: the alarm was already raised.
 * - `device_activity` counts only when the organisation allows it.
 * - A day is decided once, SETTLE_MS after its cut-off, so a signal sent just before the cut-off and still in
 *   flight (MQTT, Kafka) is counted.
 */
import { firstInstantShowing, utcMs, wallClockAt } from '@anxin/wall-clock'

export const CONTACT_KINDS = ['checkin', 'call', 'visit', 'device_activity'] as const
export type ContactKind = (typeof CONTACT_KINDS)[number]

export type CareDutySettings = {
  /** 'HH:MM' local time in the organisation's zone. */
  cutoff: string
  deviceActivityCounts: boolean
}

export const DEFAULT_CARE_DUTY: CareDutySettings = { cutoff: '18:00', deviceActivityCounts: false }

/** Signals in flight at the cut-off get this long to arrive before the day is decided. */
export const SETTLE_MS = 2 * 60_000

/**
 * How many local days before today the watch still decides: one (yesterday), so a service down across the
 * cut-off decides and alarms on restart. Older undecided days stay undecided (the report shows them pending):
 * a missed-contact alarm days late sends a carer to a situation that has moved on.
 */
export const CATCH_UP_DAYS = 1

export type ContactSignal = { kind: ContactKind; at: number }
export type ContactVerdict = { status: 'contacted' | 'missed'; first: ContactSignal | null }

const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)(?::00)?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The local date ('YYYY-MM-DD') in `timeZone` at instant `at`: the day a signal counts for. */
export function localDateOf(at: number, timeZone: string): string {
  return new Date(wallClockAt(at, timeZone)).toISOString().slice(0, 10)
}

/** The local date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date)
  return new Date(utcMs(y, m, d + days)).toISOString().slice(0, 10)
}

/**
 * The instant the cut-off of local date `date` falls at in `timeZone`. DST-safe: a cut-off in a skipped hour
 * is the instant of the jump; one in a repeated hour is its first occurrence.
 */
export function cutoffInstant(date: string, cutoff: string, timeZone: string): number {
  const [y, m, d] = parseDate(date)
  const c = CUTOFF.exec(cutoff)
  if (!c) throw new RangeError(`cut-off must be HH:MM, got ${JSON.stringify(cutoff)}`)
  return firstInstantShowing(utcMs(y, m, d, Number(c[1]), Number(c[2])), timeZone)
}

/** Whether the signal may count at all under the organisation's settings. */
export function counts(kind: ContactKind, settings: CareDutySettings): boolean {
  return kind !== 'device_activity' || settings.deviceActivityCounts
}

/**
 * The verdict for one resident and local date, from that resident's signals (any dates; the rule picks those
 * of `date` before its cut-off). `first` is the earliest counting signal.
 */
export function verdict(signals: readonly ContactSignal[], date: string, settings: CareDutySettings, timeZone: string): ContactVerdict {
  const cutoffAt = cutoffInstant(date, settings.cutoff, timeZone)
  const counting = signals
    .filter(s => counts(s.kind, settings) && s.at < cutoffAt && localDateOf(s.at, timeZone) === date)
    .sort((a, b) => a.at - b.at)
  const first = counting[0] ?? null
  return { status: first ? 'contacted' : 'missed', first }
}

/** Whether `date` may be decided at `now`: its cut-off has passed (with the settle time). */
export function decisionDue(now: number, date: string, settings: CareDutySettings, timeZone: string): boolean {
  return now >= cutoffInstant(date, settings.cutoff, timeZone) + SETTLE_MS
}

/** The local dates the watch considers at `now`: today and the catch-up days, oldest first. */
export function datesToDecide(now: number, timeZone: string): string[] {
  const today = localDateOf(now, timeZone)
  const dates: string[] = []
  for (let back = CATCH_UP_DAYS; back >= 0; back--) dates.push(addDays(today, -back))
  return dates
}

/** The event id a missed day's alarm is opened by: one alarm per resident and date, whoever decides it. */
export function missedContactEventId(residentId: string, date: string): string {
  return `missed_contact:${residentId}:${date}`
}

function parseDate(date: string): [number, number, number] {
  const match = DATE.exec(date)
  if (!match) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`)
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}
