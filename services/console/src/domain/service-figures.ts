import { DEVICE_ALARM_TYPES } from '@anxin/contracts'
import { DAY, localMinuteOfDay, offsetAt, parseInstant } from '@anxin/wall-clock'

/**
 * Service-level figures (监督考核) computed from the event log: how fast the centre answers alarms (the TSA
 * standard: 97.5 % within 60 s, 99 % within 180 s), how fast someone is at the door (30 min in Chinese
 * practice), and when and what the alarms were. Pure: the adapter reads the log, nothing here does I/O or
 * reads the clock (`now` is an input, so a report can be recomputed exactly "as at" a time).
 *
 * Edge rules, and why:
 * - Counted: alarms whose FIRST raise is in [from, to). Counts by type and by hour cover every alarm type.
 * - Acknowledgement: the first `acknowledge` or `dispatch` by a person (actor kind staff or contact) after the
 *   raise in log order. Dispatch from raised/notified is the acknowledgement in our lifecycle (the dispatcher
 *   evidently has the alarm); a system actor can never acknowledge (the lifecycle refuses it too). A target is
 *   met when the answer came within it, inclusive (60.000 s meets "within 60 s").
 * - Pending, not missed: an alarm nobody has acknowledged yet enters a target's denominator only once that
 *   target's time has passed (as at `now`); raised 30 s ago it is pending for both targets, and at 90 s a miss
 *   for 60 s and still pending for 180 s. Otherwise a report run during a busy minute would show misses that
 *   may never happen, and the share would drift as the minute passes.
 * - Ended without an acknowledgement (auto_resolve by the system because the condition cleared, or a resolve
 *   with no acknowledgement before it, e.g. the wearer cancelling a fall within the grace period): for each
 *   target, neutral (not in its denominator) if it ended within the target, because by then nobody needed to
 *   answer it; a miss if it ended after the target, because for that long it waited and nobody answered (an
 *   alarm that cleared by itself after ten unanswered minutes is a failure, not a non-event).
 * - Reopened alarms: measured from the first raise, and counted once. A reopen never restarts the clock, so
 *   the first acknowledgement (even one before the alarm was resolved and reopened) is its answer time, and an
 *   alarm that ended unanswered and was reopened is waiting again since its first raise. The figures can never
 *   look better because an alarm was reopened.
 * - Device alarms (device_offline, device_not_worn, low_battery) are counted (alarms, by type, by hour) but
 *   not in the answer-time or arrival figures: a telecare centre's answer-time standard covers alarm calls
 *   about a person; a flat battery is a maintenance job with its own rhythm, and counting it would let a
 *   batch of quickly dismissed device alarms hide slow answers to people.
 * - Arrival: the first `arrive` after the raise (any actor: the responder's app or a check-in records it),
 *   measured from the first raise; alarms without an arrival are not in the arrival percentiles.
 * - `ackSeconds` and `arrivalSeconds` are percentiles over the alarms that have that time; unanswered alarms
 *   show in the shares, not here. Null when there are none (never NaN or 0).
 * - Percentiles: nearest-rank (the ceil(p/100 * n)-th smallest value), so every figure is a time that really
 *   happened; the median of an even count is the lower middle value.
 * - Log entries after `now` are ignored (a report "as at" a past time is reproducible). A negative duration
 *   (a responder's phone clock slightly behind the server's) counts as 0 s: the log order says it came after.
 * - Hour of day: the local hour of the first raise in the organisation's IANA time zone.
 */

export type ActorKind = 'staff' | 'contact' | 'system'

/** One lifecycle row of an alarm's audit trail. `at` is epoch ms. */
export type AlarmLogEntry = { action: string; actorKind: ActorKind; at: number }

/** An alarm as the event log tells it: its type and its lifecycle rows in log (seq) order. */
export type AlarmFacts = { alarmId: string; alarmType: string; log: readonly AlarmLogEntry[] }

/** `from`/`to`/`now` are ISO instants with an offset; `timeZone` is the organisation's IANA zone. */
export type ReportWindow = { from: string; to: string; now: string; timeZone: string }

/** Figures read from current state, not from the log; passed through. */
export type CurrentLoad = { openTasks: number; offlineDevices: number }

export type Percentiles = { median: number | null; p90: number | null }

/** The JSON of `GET /api/reports/service-levels` (services/console/API.md, "Reports"). Shares are 0..1. */
export type ServiceFigures = {
  from: string
  to: string
  /** The instant the figures are as at (pending alarms depend on it). */
  now: string
  /** The zone `byHour` is in. */
  timeZone: string
  alarms: number
  acknowledgedWithin60s: number | null
  acknowledgedWithin180s: number | null
  ackSeconds: Percentiles
  arrivalSeconds: Percentiles
  byType: Array<{ type: string; count: number }>
  byHour: Array<{ hour: number; count: number }>
  openTasks: number
  offlineDevices: number
}

/** The answer-time targets in seconds (TSA). */
export const ACK_TARGETS_SECONDS = [60, 180] as const

const DEVICE_TYPES: ReadonlySet<string> = new Set(DEVICE_ALARM_TYPES)
const ACK_ACTIONS: ReadonlySet<string> = new Set(['acknowledge', 'dispatch'])
const END_ACTIONS: ReadonlySet<string> = new Set(['resolve', 'auto_resolve'])

/** What one alarm contributes, derived from its log by the rules above. Times are epoch ms. */
export type AlarmOutcome = {
  raisedAt: number
  acknowledgedAt: number | null
  arrivedAt: number | null
  /** Set when the alarm is (as at `now`) resolved without ever having been acknowledged. */
  endedUnansweredAt: number | null
}

/** Applies the rules to one alarm's log; null when the log has no raise (not an alarm we can measure). */
export function alarmOutcome(log: readonly AlarmLogEntry[], now: number): AlarmOutcome | null {
  const start = log.findIndex(e => e.action === 'raise' && e.at <= now)
  if (start < 0) return null
  let raisedAt = log[start]!.at
  let acknowledgedAt: number | null = null
  let arrivedAt: number | null = null
  let endedAt: number | null = null
  for (const e of log.slice(start + 1)) {
    if (e.at > now) continue
    // A second raise row would be a duplicate; the earliest is the first raise.
    if (e.action === 'raise') raisedAt = Math.min(raisedAt, e.at)
    else if (acknowledgedAt === null && ACK_ACTIONS.has(e.action) && e.actorKind !== 'system') acknowledgedAt = e.at
    else if (arrivedAt === null && e.action === 'arrive') arrivedAt = e.at
    else if (END_ACTIONS.has(e.action)) endedAt = e.at
    else if (e.action === 'reopen') endedAt = null
  }
  return { raisedAt, acknowledgedAt, arrivedAt, endedUnansweredAt: acknowledgedAt === null ? endedAt : null }
}

/** For one target: 'hit', 'miss', or null (pending, or ended unanswered within the target: not counted). */
export function targetVerdict(outcome: AlarmOutcome, targetSeconds: number, now: number): 'hit' | 'miss' | null {
  const limit = targetSeconds * 1000
  if (outcome.acknowledgedAt !== null) return outcome.acknowledgedAt - outcome.raisedAt <= limit ? 'hit' : 'miss'
  const waitedUntil = outcome.endedUnansweredAt ?? now
  return waitedUntil - outcome.raisedAt > limit ? 'miss' : null
}

/** Nearest-rank percentile of ascending `sorted`: the ceil(p/100 * n)-th value (p in (0, 100]); null if empty. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`)
  if (sorted.length === 0) return null
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!
}

export function computeServiceFigures(alarms: readonly AlarmFacts[], window: ReportWindow, current: CurrentLoad): ServiceFigures {
  const from = parseInstant(window.from, 'from')
  const to = parseInstant(window.to, 'to')
  const now = parseInstant(window.now, 'now')
  if (!(from < to)) throw new RangeError(`the report window must end after it starts: from ${window.from}, to ${window.to}`)
  const localHour = localHourIn(window.timeZone) // refuses an unknown zone even when there is no alarm to bucket

  const byType = new Map<string, number>()
  const byHour = new Array<number>(24).fill(0)
  const hits = ACK_TARGETS_SECONDS.map(() => 0)
  const counted = ACK_TARGETS_SECONDS.map(() => 0)
  const ackDurations: number[] = []
  const arrivalDurations: number[] = []
  let count = 0

  for (const alarm of alarms) {
    const outcome = alarmOutcome(alarm.log, now)
    if (!outcome || outcome.raisedAt < from || outcome.raisedAt >= to) continue
    count += 1
    byType.set(alarm.alarmType, (byType.get(alarm.alarmType) ?? 0) + 1)
    byHour[localHour(outcome.raisedAt)]! += 1
    if (DEVICE_TYPES.has(alarm.alarmType)) continue

    ACK_TARGETS_SECONDS.forEach((target, i) => {
      const verdict = targetVerdict(outcome, target, now)
      if (verdict !== null) counted[i]! += 1
      if (verdict === 'hit') hits[i]! += 1
    })
    if (outcome.acknowledgedAt !== null) ackDurations.push(seconds(outcome.acknowledgedAt - outcome.raisedAt))
    if (outcome.arrivedAt !== null) arrivalDurations.push(seconds(outcome.arrivedAt - outcome.raisedAt))
  }

  const share = (i: number) => (counted[i]! === 0 ? null : hits[i]! / counted[i]!)
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    now: new Date(now).toISOString(),
    timeZone: window.timeZone,
    alarms: count,
    acknowledgedWithin60s: share(0),
    acknowledgedWithin180s: share(1),
    ackSeconds: percentiles(ackDurations),
    arrivalSeconds: percentiles(arrivalDurations),
    byType: [...byType].map(([type, n]) => ({ type, count: n })).sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1)),
    byHour: byHour.map((n, hour) => ({ hour, count: n })),
    openTasks: current.openTasks,
    offlineDevices: current.offlineDevices,
  }
}

const HOUR = DAY / 24

/**
 * The local hour of instants in `timeZone`. Asking Intl for every alarm costs about 3 µs each (most of the
 * computation for 10,000 alarms), so the zone's offset is cached per UTC hour, but only for an hour whose
 * offset is the same at both ends: a clock change inside it (twice within one hour never happens) sends its
 * alarms to the exact, uncached look-up. The result is exact either way.
 */
function localHourIn(timeZone: string): (at: number) => number {
  localMinuteOfDay(0, timeZone)
  const offsets = new Map<number, number | null>()
  return at => {
    const block = Math.floor(at / HOUR)
    let offset = offsets.get(block)
    if (offset === undefined) {
      const start = offsetAt(block * HOUR, timeZone)
      offset = start === offsetAt(block * HOUR + HOUR - 1, timeZone) ? start : null
      offsets.set(block, offset)
    }
    const minute = offset === null ? localMinuteOfDay(at, timeZone) : Math.floor((((at + offset) % DAY) + DAY) % DAY / 60_000)
    return Math.floor(minute / 60)
  }
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.sort((a, b) => a - b)
  return { median: nearestRank(sorted, 50), p90: nearestRank(sorted, 90) }
}

/** Whole milliseconds as seconds; a negative duration (clock skew) as 0. */
function seconds(ms: number): number {
  return Math.max(0, ms) / 1000
}
