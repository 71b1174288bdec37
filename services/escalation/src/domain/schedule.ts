/**
 * On-call schedules: who the monitoring centre calls for a role (operator, carer, doctor, supervisor) in an
 * area at a given moment. Pure: every time is an argument (an ISO instant with an offset, or epoch ms), and
 * the answer is arithmetic on the rotation, not a walk over past shifts, so it is as fast a year after the
 * start date as on the first day.
 *
 * Decisions (each also noted where it is implemented):
 *
 * - Shifts are defined in local wall-clock time. Shift k starts at the wall-clock time
 *   `startDate handoffTime + k × shiftHours` in the rotation's time zone, so a 12 h rota handing off at
 *   08:00 and 20:00 does so at 08:00 and 20:00 on the clock on the wall every day, DST or not. The price is
 *   that the shift spanning a clock change is an hour shorter or longer in real time (Europe/London: the night
 *   of 28–29 March 2026 is 11 h, that of 24–25 October 2026 is 13 h); people plan rotas by the clock.
 * - A wall-clock time maps to the first instant at which the clock shows it or a later time: a handoff in the
 *   hour skipped in spring happens when the clocks jump; a handoff in the hour repeated in autumn happens at
 *   its first occurrence (and does not flip back during the repeat). A shift lying wholly inside skipped time
 *   (only with shifts shorter than the skip) is empty; its member's turn passes.
 * - `activeDays` lists the local weekdays (1 = Mon … 7 = Sun) on which a shift may start; a shift starting
 *   on another day is uncovered. Members rotate through covered shifts only, so a weekday-only rota of three
 *   is Mon A, Tue B, Wed C, Thu A, Fri B, next Mon C (nobody keeps landing on the skipped days).
 * - Precedence per rotation: override > holiday > rotation. Overrides and holidays are explicit assignments
 *   and apply even where the rotation has no shift (before its start date, on a day it does not cover): they
 *   are how a centre adds cover. Among overrides, and among holidays, the later one in the array wins.
 * - A holiday must name its rotation: one person is on duty for one role, and an organisation-wide holiday
 *   would put, say, a carer on the doctor's rota. A holiday without `rotationId` throws rather than vanish.
 * - Area: the area's own rotations for the role answer first; when they have nobody on duty at that moment
 *   (none exist, not started, a day they do not cover) the organisation-wide rotations (areaId null) answer,
 *   so an area rota's gaps fall to the centre-wide rota before the caller escalates to a supervisor.
 *   `areaId: null` asks the organisation-wide rotations only.
 * - An empty answer means uncovered; the caller escalates. Several matching rotations give several entries,
 *   in input order.
 * - Malformed configuration (bad date, time, zone, shift length, weekday, instant without an offset, override
 *   ending before it starts) throws a RangeError: it should be refused when saved, and a guessed rota is
 *   worse than a loud failure. A rotation with no members is a legitimate (empty) rota: uncovered.
 */
import { DAY, MINUTE, firstInstantShowing, formatterFor, parseInstant, utcMs, wallClockAt } from '@anxin/wall-clock'

/** The organisation's time zone when a rotation names none. */
export const DEFAULT_TIMEZONE = 'Asia/Shanghai'

export type Rotation = {
  id: string
  role: string
  /** null: the whole organisation (fallback for areas with nobody on duty of their own). */
  areaId: string | null
  /** IANA zone; DEFAULT_TIMEZONE when absent. An unknown zone throws. */
  timezone?: string
  /** Staff ids, in rotation order. */
  members: string[]
  /** 'YYYY-MM-DD', the local date on which the first member's first shift starts. */
  startDate: string
  /** 'HH:MM' local: the first shift starts then; every later shift boundary is a whole number of shifts on. */
  handoffTime: string
  /** Shift length in wall-clock hours (12, 24, 168 for week-long on-call…); must be whole minutes. */
  shiftHours: number
  /** Local weekdays (1 = Mon … 7 = Sun) on which shifts start; absent: every day. */
  activeDays?: number[]
}

/** Someone covers a rotation for a while. ISO instants with an offset; end exclusive. */
export type Override = { rotationId: string; staffId: string; start: string; end: string }

/** On the local date (00:00 to 24:00 in the rotation's zone) the given person covers the rotation. */
export type Holiday = { date: string; rotationId: string; staffId: string }

/** ISO 8601 instant with an offset or Z, or epoch milliseconds. */
export type Instant = string | number

export type DutySource = 'rotation' | 'override' | 'holiday'

export type OnDuty = {
  staffId: string
  rotationId: string
  source: DutySource
  /** When this person's duty began (the shift, the override or the local day), ISO UTC. */
  shiftStart: string
  /** When it ends (exclusive), ISO UTC. */
  shiftEnd: string
}

export type DutyQuery = {
  rotations: Rotation[]
  overrides: Override[]
  holidays: Holiday[]
  role: string
  areaId: string | null
  at: Instant
}

/** The rotation's own shift at an instant, ignoring overrides and holidays. */
export type RotationShift = {
  /** 0 for the first shift from startDate; counts every shift, covered or not. */
  index: number
  /** null when the shift starts on a day outside activeDays, or the rotation has no members. */
  staffId: string | null
  shiftStart: string
  shiftEnd: string
}

/** Who is on duty for the role in the area at `at`; empty when nobody is (uncovered). */
export function whoIsOnDuty(input: DutyQuery): OnDuty[] {
  const at = parseInstant(input.at, 'at')
  for (const h of input.holidays) {
    // See the header: a holiday without a rotation has no meaning here and must not silently disappear.
    if (typeof h.rotationId !== 'string' || h.rotationId === '') {
      throw new RangeError(`holiday on ${JSON.stringify(h.date)} for ${JSON.stringify(h.staffId)} must name a rotation`)
    }
  }
  const ofRole = input.rotations.filter(r => r.role === input.role)
  const areaId = input.areaId ?? null
  if (areaId !== null) {
    const own = dutyFrom(
      ofRole.filter(r => r.areaId === areaId),
      at,
      input,
    )
    if (own.length > 0) return own
  }
  return dutyFrom(
    ofRole.filter(r => (r.areaId ?? null) === null),
    at,
    input,
  )
}

/**
 * The next shift boundary strictly after `at` at which the rotation's cover changes hands (to the next
 * member, or to nobody at the end of the last covered shift), as an ISO instant. Boundaries between two
 * uncovered shifts are skipped: nobody hands anything to nobody. Before the start date it is the first covered
 * shift's start. Overrides and holidays are not considered. null when the rotation never covers anything.
 */
export function nextHandoff(rotation: Rotation, at: Instant): string | null {
  const r = compile(rotation)
  const atMs = parseInstant(at, 'at')
  if (r.members.length === 0 || r.activeInPeriod === 0) return null
  const k = shiftIndexAt(r, atMs)
  if (k >= 0 && isActive(r, k)) return iso(boundary(r, k + 1))
  const next = nextActiveFrom(r, k + 1)
  return next === null ? null : iso(boundary(r, next))
}

/** The rotation's own shift containing `at`; null before the start date. */
export function rotationShiftAt(rotation: Rotation, at: Instant): RotationShift | null {
  const r = compile(rotation)
  const atMs = parseInstant(at, 'at')
  const k = shiftIndexAt(r, atMs)
  if (k < 0) return null
  return { index: k, staffId: memberFor(r, k), shiftStart: iso(boundary(r, k)), shiftEnd: iso(boundary(r, k + 1)) }
}

// --- per rotation -----------------------------------------------------------------------------------------

function dutyFrom(rotations: Rotation[], at: number, input: DutyQuery): OnDuty[] {
  const out: OnDuty[] = []
  for (const rotation of rotations) {
    const d = dutyOf(rotation, at, input.overrides, input.holidays)
    if (d) out.push(d)
  }
  return out
}

function dutyOf(rotation: Rotation, at: number, overrides: Override[], holidays: Holiday[]): OnDuty | null {
  const r = compile(rotation)

  let override: OnDuty | null = null
  for (const o of overrides) {
    if (o.rotationId !== rotation.id) continue
    // Every override of the rotation is parsed, not just up to the first match, so a malformed row is found
    // the first time the rotation is consulted rather than the day it would have applied.
    const start = parseInstant(o.start, `override start for ${rotation.id}`)
    const end = parseInstant(o.end, `override end for ${rotation.id}`)
    if (end <= start) throw new RangeError(`override for ${rotation.id} ends (${o.end}) before it starts (${o.start})`)
    // Later overrides win: keep overwriting.
    if (start <= at && at < end) {
      override = { staffId: o.staffId, rotationId: rotation.id, source: 'override', shiftStart: iso(start), shiftEnd: iso(end) }
    }
  }
  if (override) return override

  let holiday: OnDuty | null = null
  const today = Math.floor(wallClockAt(at, r.timeZone) / DAY)
  for (const h of holidays) {
    if (h.rotationId !== rotation.id) continue
    const day = parseDate(h.date, `holiday date for ${rotation.id}`) / DAY
    // Only dates next to the wall-clock date can contain `at`; the exact test below uses instants, since a
    // zone that changes its clocks at midnight makes "the wall-clock date" and "the day's instants" differ.
    if (Math.abs(day - today) > 1) continue
    const start = firstInstantShowing(day * DAY, r.timeZone)
    const end = firstInstantShowing((day + 1) * DAY, r.timeZone)
    if (start <= at && at < end) {
      holiday = { staffId: h.staffId, rotationId: rotation.id, source: 'holiday', shiftStart: iso(start), shiftEnd: iso(end) }
    }
  }
  if (holiday) return holiday

  const k = shiftIndexAt(r, at)
  if (k < 0) return null
  const staffId = memberFor(r, k)
  if (staffId === null) return null
  return { staffId, rotationId: rotation.id, source: 'rotation', shiftStart: iso(boundary(r, k)), shiftEnd: iso(boundary(r, k + 1)) }
}

// --- rotation arithmetic ----------------------------------------------------------------------------------

const WEEK_MINUTES = 7 * 24 * 60

type CompiledRotation = {
  id: string
  timeZone: string
  members: string[]
  /** Wall-clock time of the first shift's start, as if the wall clock were UTC (ms). */
  firstStartLocal: number
  shiftMs: number
  /** active[weekday] for weekday 1..7; null: every day. */
  active: boolean[] | null
  /**
   * Shift start weekdays repeat every `period` shifts (a week divided by gcd(week, shift)), so the number of
   * covered shifts before shift k is (k div period) × activeInPeriod plus a count within one period: bounded
   * work however long ago the rotation started.
   */
  period: number
  activeInPeriod: number
  /** Boundary instants already computed in this call (each costs a few Intl look-ups). */
  boundaries: Map<number, number>
}

function compile(rotation: Rotation): CompiledRotation {
  const id = rotation.id
  const timeZone = rotation.timezone ?? DEFAULT_TIMEZONE
  formatterFor(timeZone) // an unknown zone throws RangeError here, before any arithmetic
  const firstStartLocal = parseDate(rotation.startDate, `startDate of ${id}`) + parseHhMm(rotation.handoffTime, `handoffTime of ${id}`)

  const hours = rotation.shiftHours
  const minutes = typeof hours === 'number' ? Math.round(hours * 60) : NaN
  // Whole minutes keep every boundary on a minute and the weekday period finite (at most a week of minutes).
  if (!Number.isSafeInteger(minutes) || minutes <= 0 || Math.abs(hours * 60 - minutes) > 1e-9) {
    throw new RangeError(`shiftHours of ${id} must be a positive whole number of minutes, got ${JSON.stringify(hours)}`)
  }
  if (!Array.isArray(rotation.members) || rotation.members.some(m => typeof m !== 'string')) {
    throw new RangeError(`members of ${id} must be an array of staff ids`)
  }

  let active: boolean[] | null = null
  if (rotation.activeDays !== undefined && rotation.activeDays !== null) {
    if (!Array.isArray(rotation.activeDays)) throw new RangeError(`activeDays of ${id} must be an array of weekdays 1..7`)
    active = Array.from({ length: 8 }, () => false)
    for (const d of rotation.activeDays) {
      if (!Number.isInteger(d) || d < 1 || d > 7) {
        throw new RangeError(`activeDays of ${id} must be weekdays 1 (Mon) .. 7 (Sun), got ${JSON.stringify(d)}`)
      }
      active[d] = true
    }
  }

  const r: CompiledRotation = {
    id,
    timeZone,
    members: rotation.members,
    firstStartLocal,
    shiftMs: minutes * MINUTE,
    active,
    period: WEEK_MINUTES / gcd(WEEK_MINUTES, minutes),
    activeInPeriod: 0,
    boundaries: new Map(),
  }
  r.activeInPeriod = active === null ? r.period : countActive(r, 0, r.period)
  return r
}

/** The instant shift k starts (for k = 0 the rotation's start). Non-decreasing in k; see localToInstant. */
function boundary(r: CompiledRotation, k: number): number {
  let b = r.boundaries.get(k)
  if (b === undefined) {
    b = firstInstantShowing(r.firstStartLocal + k * r.shiftMs, r.timeZone)
    r.boundaries.set(k, b)
  }
  return b
}

/**
 * The index k of the shift with boundary(k) <= at < boundary(k + 1); -1 before the first shift. The wall
 * clock gives the answer directly except near a clock change, where the real boundaries nudge it by one; the
 * loops settle that with a step or two. Answers are therefore always consistent with the boundaries reported.
 */
function shiftIndexAt(r: CompiledRotation, at: number): number {
  let k = Math.floor((wallClockAt(at, r.timeZone) - r.firstStartLocal) / r.shiftMs)
  if (k < -1) k = -1
  while (boundary(r, k + 1) <= at) k++
  while (k >= 0 && boundary(r, k) > at) k--
  return k
}

/** The local weekday (1 = Mon … 7 = Sun) on which shift k starts, by the wall clock. */
function startWeekday(r: CompiledRotation, k: number): number {
  const day = Math.floor((r.firstStartLocal + k * r.shiftMs) / DAY)
  // Day 0 of the epoch, 1970-01-01, was a Thursday (4).
  return mod(day + 3, 7) + 1
}

function isActive(r: CompiledRotation, k: number): boolean {
  return r.active === null || r.active[startWeekday(r, k)] === true
}

function countActive(r: CompiledRotation, from: number, to: number): number {
  let n = 0
  for (let j = from; j < to; j++) if (isActive(r, j)) n++
  return n
}

/** Who works shift k (k >= 0): members advance once per covered shift. */
function memberFor(r: CompiledRotation, k: number): string | null {
  if (r.members.length === 0 || !isActive(r, k)) return null
  let turn = k
  if (r.active !== null) {
    const fullPeriods = Math.floor(k / r.period)
    turn = fullPeriods * r.activeInPeriod + countActive(r, fullPeriods * r.period, k)
  }
  return r.members[turn % r.members.length] ?? null
}

/** The first covered shift index >= from (from may be -1 or 0 before the start), or null if none ever is. */
function nextActiveFrom(r: CompiledRotation, from: number): number | null {
  const start = Math.max(from, 0)
  for (let j = start; j < start + r.period; j++) if (isActive(r, j)) return j
  return null
}

// --- parsing ----------------------------------------------------------------------------------------------

/** 'YYYY-MM-DD' to its midnight on a UTC clock (ms); refuses dates that do not exist (2026-02-30). */
function parseDate(value: string, what: string): number {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null
  if (m) {
    const y = Number(m[1])
    const mo = Number(m[2])
    const d = Number(m[3])
    const ms = utcMs(y, mo, d, 0, 0, 0)
    const back = new Date(ms)
    if (back.getUTCFullYear() === y && back.getUTCMonth() + 1 === mo && back.getUTCDate() === d) return ms
  }
  throw new RangeError(`${what} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`)
}

function parseHhMm(value: string, what: string): number {
  const m = typeof value === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value) : null
  if (!m) throw new RangeError(`${what} must be HH:MM, got ${JSON.stringify(value)}`)
  return (Number(m[1]) * 60 + Number(m[2])) * MINUTE
}

// --- small helpers ----------------------------------------------------------------------------------------

/** Date.UTC, except that years 0..99 are not taken as 1900..1999. */
function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}
