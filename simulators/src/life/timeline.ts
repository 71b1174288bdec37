import { outAndBack, type Route } from './geo.ts'
import { atMinute, DAY_MS, MINUTE_MS } from './local-time.ts'
import type { ResidentProfile } from './profile.ts'
import type { LifeRates } from './rates.ts'
import type { Rng } from './random.ts'
import type { ResidentTraits } from './traits.ts'

/** What the resident is doing; exactly one at any moment, so devices read their state from it. */
export type ActivityKind = 'asleep' | 'at_home' | 'meal' | 'shower' | 'toilet' | 'walk' | 'wander' | 'fallen'
export type Activity = { kind: ActivityKind; start: number; end: number; route?: Route }

/** A moment that some device reports: which device is left to the device assignment. */
export type Incident =
  | { kind: 'fall'; at: number; impactG: number; confidence: number }
  /** One SOS call: one message per entry, each carrying how many presses it counted. */
  | { kind: 'sos'; at: number; presses: ReadonlyArray<{ afterMs: number; pressCount: number }> }
  | { kind: 'im_ok'; at: number }
  | { kind: 'button_test'; at: number }
  | { kind: 'visitor'; at: number }

/** Morning and afternoon walk start windows, local hours. */
const WALK_WINDOWS: ReadonlyArray<readonly [number, number]> = [[9, 10.5], [15, 16.5]]

export type DayTimeline = { dayStart: number; dayEnd: number; activities: Activity[]; incidents: Incident[]; meals: number[] }

/** One local day of a resident's life, from midnight to midnight. Pure: the same rng gives the same day. */
export function dayTimeline(profile: ResidentProfile, traits: ResidentTraits, rates: LifeRates, dayStart: number, rng: Rng): DayTimeline {
  const dayEnd = dayStart + DAY_MS
  const at = (minute: number) => atMinute(dayStart, minute)
  const wake = at(rng.normal(traits.wakeMinute, 12))
  const bed = at(rng.normal(traits.bedMinute, 15))
  let activities: Activity[] = [
    { kind: 'asleep', start: dayStart, end: wake },
    { kind: 'at_home', start: wake, end: bed },
    { kind: 'asleep', start: bed, end: dayEnd },
  ]
  const place = (activity: Activity) => void (activities = carve(activities, activity))
  const incidents: Incident[] = []

  const meals = [7.5, 12, 18].map(hour => at(hour * 60 + rng.normal(0, 12)))
  for (const meal of meals) place({ kind: 'meal', start: meal, end: meal + rng.between(25, 45) * MINUTE_MS })

  // Evening shower; the watch comes off for it and then goes on its charger (see the watch model).
  const shower = at(rng.between(19 * 60, 19.75 * 60))
  place({ kind: 'shower', start: shower, end: shower + rng.between(12, 22) * MINUTE_MS })

  const walks = Math.floor(traits.walksPerDay) + (rng.chance(traits.walksPerDay % 1) ? 1 : 0)
  for (const [from, to] of WALK_WINDOWS.slice(0, walks)) {
    const reachM = rng.between(0.4, 1) * traits.walkReachM
    const start = at(rng.between(from * 60, to * 60))
    const minutes = (2 * reachM) / traits.walkSpeedMps / 60 + rng.between(0, 10)
    place({ kind: 'walk', start, end: start + minutes * MINUTE_MS, route: outAndBack(profile.home, reachM, rng) })
  }

  // Wandering (dementia): out at odd hours, in the small hours or at dusk (sundowning), and much further.
  for (let i = traits.wanders ? rng.poisson(rates.wanderingPerDay) : 0; i > 0; i--) {
    const start = at(rng.chance(0.5) ? rng.between(2 * 60, 4 * 60) : rng.between(16.5 * 60, 18.5 * 60))
    const reachM = rng.between(1200, 2500)
    const minutes = (2 * reachM) / (traits.walkSpeedMps * 1.1) / 60
    place({ kind: 'wander', start, end: start + minutes * MINUTE_MS, route: outAndBack(profile.home, reachM, rng) })
  }

  for (let i = rng.poisson(traits.nightToiletTrips); i > 0; i--) {
    const start = rng.chance(0.5) ? at(rng.between(0.5 * 60, 5.5 * 60)) : at(rng.between(23 * 60, 23.8 * 60))
    if (activityAt(activities, start)?.kind === 'asleep') place({ kind: 'toilet', start, end: start + rng.between(4, 10) * MINUTE_MS })
  }

  for (let i = rng.poisson(rates.fallsPerDay * traits.fallRisk); i > 0; i--) {
    const toilets = activities.filter(a => a.kind === 'toilet')
    const fellAt = toilets.length > 0 && rng.chance(0.3) ? rng.pick(toilets).start + 2 * MINUTE_MS : homeMoment(activities, wake, bed, rng)
    if (fellAt === null) continue
    // After a fall the resident lies or sits still for a while: little movement, then the day goes on.
    place({ kind: 'fallen', start: fellAt, end: fellAt + rng.between(15, 45) * MINUTE_MS })
    incidents.push({ kind: 'fall', at: fellAt, impactG: round(rng.between(2.5, 8), 1), confidence: round(rng.between(0.6, 0.98), 2) })
    if (rng.chance(0.4)) incidents.push(sosCall(fellAt + rng.between(1, 5) * MINUTE_MS, rates, rng))
  }

  for (let i = rng.poisson(rates.sosPerDay); i > 0; i--) incidents.push(sosCall(rng.between(wake, bed), rates, rng))
  if (rng.chance(rates.imOkShare)) incidents.push({ kind: 'im_ok', at: wake + rng.between(60, 150) * MINUTE_MS })
  for (let i = rng.poisson(rates.buttonTestsPerDay); i > 0; i--) incidents.push({ kind: 'button_test', at: at(rng.between(10 * 60, 11 * 60)) })
  // Living with family, the front door sees more comings and goings than the resident's own.
  for (let i = rng.poisson(rates.visitorsPerDay * (profile.livesAlone ? 1 : 2.5)); i > 0; i--) incidents.push({ kind: 'visitor', at: at(rng.between(9 * 60, 18 * 60)) })

  incidents.sort((a, b) => a.at - b.at)
  return { dayStart, dayEnd, activities: activities.filter(a => a.start < dayEnd), incidents: incidents.filter(i => i.at < dayEnd), meals }
}

export function activityAt(activities: readonly Activity[], at: number): Activity | undefined {
  return activities.find(a => a.start <= at && at < a.end)
}

/**
 * Inserts an activity, cutting whatever it overlaps; later placements win. An activity running past
 * midnight is cut there (the next day starts asleep), which keeps each day self-contained.
 */
function carve(activities: readonly Activity[], inserted: Activity): Activity[] {
  const dayEnd = activities.at(-1)!.end
  const placed = { ...inserted, end: Math.min(inserted.end, dayEnd) }
  const kept = activities.flatMap(a => {
    if (a.end <= placed.start || a.start >= placed.end) return [a]
    const pieces: Activity[] = []
    if (a.start < placed.start) pieces.push({ ...a, end: placed.start })
    if (a.end > placed.end) pieces.push({ ...a, start: placed.end })
    return pieces
  })
  return [...kept, placed].sort((a, b) => a.start - b.start)
}

/** A moment the resident is at home and up, for falls; null if a few tries find none. */
function homeMoment(activities: readonly Activity[], wake: number, bed: number, rng: Rng): number | null {
  for (let tries = 0; tries < 10; tries++) {
    const at = rng.between(wake, bed)
    const kind = activityAt(activities, at)?.kind
    if (kind === 'at_home' || kind === 'meal') return Math.round(at)
  }
  return null
}

function sosCall(at: number, rates: LifeRates, rng: Rng): Incident {
  if (!rng.chance(rates.repeatedSosShare)) return { kind: 'sos', at: Math.round(at), presses: [{ afterMs: 0, pressCount: 1 }] }
  // Repeated presses: either counted into one message, or sent as several messages seconds apart.
  if (rng.chance(0.5)) return { kind: 'sos', at: Math.round(at), presses: [{ afterMs: 0, pressCount: rng.int(2, 5) }] }
  let afterMs = 0
  const presses = Array.from({ length: rng.int(2, 4) }, (_, i) => {
    if (i > 0) afterMs += Math.round(rng.between(4, 20) * 1000)
    return { afterMs, pressCount: i + 1 }
  })
  return { kind: 'sos', at: Math.round(at), presses }
}

function round(value: number, decimals: number): number {
  return Math.round(value * 10 ** decimals) / 10 ** decimals
}
