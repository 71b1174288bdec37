import { distanceMetres } from '@anxin/geo'
import type { ClearDecision, Evidence, RaiseDecision, RuleResult } from './types.ts'

/**
 * Leaving a safe zone, for residents (often with dementia) who may wander. Pure: the caller passes each
 * location fix with the resident's zones and keeps the returned state (plain JSON) until the next fix.
 *
 * Judgement of one fix, against every zone:
 * - outside: farther than `radiusM + margin` from the centre of every zone, margin = min(accuracyM, 100).
 *   The margin keeps a fix whose error circle still reaches into the zone from counting as outside; the cap
 *   keeps a very poor fix (a cell fix claiming ±2 km) from making the rule blind. A fix without accuracyM
 *   gets no margin. Exactly on `radiusM + margin` is not outside (strict).
 * - inside: within `radiusM - hysteresis` of the centre of some zone, hysteresis = 20 m (half the radius for
 *   zones under 40 m, so a small zone can still be re-entered), and only for fixes accurate to 100 m or
 *   better: a fix that cannot place the resident within 100 m cannot prove they are back, and a false clear
 *   of a wandering alarm is the expensive mistake. Exactly on `radiusM - hysteresis` is inside.
 * - anything else is the border band: it neither confirms an exit nor clears one, so jitter along the edge
 *   does not flap the alarm.
 */
export type SafeZone = { id: string; name: string; lat: number; lon: number; radiusM: number }
export type LatLon = { lat: number; lon: number }

/** One accepted fix, with where it lies relative to the nearest zone (what the operator is shown). */
export type KnownLocation = {
  at: string
  eventId: string
  lat: number
  lon: number
  accuracyM: number | null
  nearestZoneId: string | null
  nearestZoneName: string | null
  /** Metres from the fix to the nearest zone's edge, rounded; 0 when within a zone's radius. */
  nearestZoneDistanceM: number | null
}

export type GeofenceState = {
  /** Time of the newest fix accepted; older or equal fixes are ignored (replays, out-of-order delivery). */
  lastFixAt: string | null
  alarming: boolean
  /** First fix of the current unbroken run of outside fixes; null when the newest fix was not outside. */
  outsideSince: KnownLocation | null
  lastKnown: KnownLocation | null
}

export type LocationInput = {
  at: string
  eventId: string
  lat: number
  lon: number
  accuracyM?: number
  zones: SafeZone[]
}

export const INITIAL_GEOFENCE_STATE: GeofenceState = { lastFixAt: null, alarming: false, outsideSince: null, lastKnown: null }

export const MAX_ACCURACY_MARGIN_M = 100
export const CLEAR_HYSTERESIS_M = 20
/** Two outside fixes this far apart confirm an exit: one stray fix (multipath near buildings) is common. */
export const CONFIRM_SPACING_MS = 30_000
/** A single fix this far beyond the outside line is trusted alone: waiting 30 s more only loses ground. */
export const CLEARLY_GONE_M = 500

/** Great-circle distance in metres (shared with dispatch and the console). */
export const distanceM = distanceMetres

/** Where the resident was last seen, for the operator; null before the first fix. */
export function lastKnownLocation(state: GeofenceState): KnownLocation | null {
  return state.lastKnown
}

export function evaluateLocation(state: GeofenceState, input: LocationInput): RuleResult<GeofenceState> {
  const atMs = Date.parse(input.at)
  if (!Number.isFinite(atMs) || (state.lastFixAt !== null && atMs <= Date.parse(state.lastFixAt))) {
    return { state, decisions: [] }
  }
  const judged = judgeFix(input)
  const fix = knownLocation(input)
  const seen: GeofenceState = { ...state, lastFixAt: input.at, lastKnown: fix }

  // No zones: nothing to leave. An open alarm is left to the operator rather than cleared, because an empty
  // list may be a configuration hiccup while the resident is still missing.
  if (input.zones.length === 0) return { state: { ...seen, outsideSince: null }, decisions: [] }

  if (state.alarming) {
    if (judged === 'inside') return { state: { ...seen, alarming: false, outsideSince: null }, decisions: [clearDecision(fix)] }
    // Still out (or on the border): no new decision, but the last known location keeps moving with them.
    return { state: seen, decisions: [] }
  }

  if (judged !== 'outside' && judged !== 'clearly_gone') return { state: { ...seen, outsideSince: null }, decisions: [] }

  const since = state.outsideSince ?? fix
  const confirmedByTwoFixes = since !== fix && atMs - Date.parse(since.at) >= CONFIRM_SPACING_MS
  if (judged !== 'clearly_gone' && !confirmedByTwoFixes) return { state: { ...seen, outsideSince: since }, decisions: [] }

  const confirmedBy = judged === 'clearly_gone' && !confirmedByTwoFixes ? 'clearly_gone' : 'two_fixes'
  return { state: { ...seen, outsideSince: since, alarming: true }, decisions: [raiseDecision(since, fix, confirmedBy)] }
}

type Judgement = 'inside' | 'border' | 'outside' | 'clearly_gone'

function judgeFix(input: LocationInput): Judgement {
  const margin = Math.min(input.accuracyM ?? 0, MAX_ACCURACY_MARGIN_M)
  const distances = input.zones.map(z => ({ zone: z, d: distanceM(input, z) }))
  const preciseEnough = (input.accuracyM ?? 0) <= MAX_ACCURACY_MARGIN_M
  if (preciseEnough && distances.some(({ zone, d }) => d <= zone.radiusM - hysteresisFor(zone))) return 'inside'
  if (!distances.every(({ zone, d }) => d > zone.radiusM + margin)) return 'border'
  return distances.every(({ zone, d }) => d > zone.radiusM + margin + CLEARLY_GONE_M) ? 'clearly_gone' : 'outside'
}

function hysteresisFor(zone: SafeZone): number {
  return Math.min(CLEAR_HYSTERESIS_M, zone.radiusM / 2)
}

function knownLocation(input: LocationInput): KnownLocation {
  let nearest: { zone: SafeZone; edge: number } | null = null
  for (const zone of input.zones) {
    const edge = Math.max(0, distanceM(input, zone) - zone.radiusM)
    if (nearest === null || edge < nearest.edge) nearest = { zone, edge }
  }
  return {
    at: input.at,
    eventId: input.eventId,
    lat: input.lat,
    lon: input.lon,
    accuracyM: input.accuracyM ?? null,
    nearestZoneId: nearest?.zone.id ?? null,
    nearestZoneName: nearest?.zone.name ?? null,
    nearestZoneDistanceM: nearest === null ? null : Math.round(nearest.edge),
  }
}

function evidenceOf(fix: KnownLocation): Evidence {
  return {
    eventId: fix.eventId,
    at: fix.at,
    kind: 'location',
    values: { lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM, nearestZoneDistanceM: fix.nearestZoneDistanceM },
  }
}

function raiseDecision(since: KnownLocation, fix: KnownLocation, confirmedBy: 'two_fixes' | 'clearly_gone'): RaiseDecision {
  return {
    action: 'raise',
    type: 'geofence_exit',
    severity: 'high',
    // The exit began with the first outside fix of the run, not the one that confirmed it.
    at: since.at,
    evidence: since === fix ? [evidenceOf(fix)] : [evidenceOf(since), evidenceOf(fix)],
    detail: {
      lat: fix.lat,
      lon: fix.lon,
      accuracyM: fix.accuracyM,
      nearestZoneId: fix.nearestZoneId,
      nearestZoneName: fix.nearestZoneName,
      nearestZoneDistanceM: fix.nearestZoneDistanceM,
      lastFixAt: fix.at,
      confirmedBy,
    },
  }
}

function clearDecision(fix: KnownLocation): ClearDecision {
  return { action: 'clear', type: 'geofence_exit', at: fix.at, reason: 'back_in_safe_zone', evidence: [evidenceOf(fix)] }
}
