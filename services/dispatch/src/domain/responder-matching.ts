import { distanceMetres } from '@anxin/geo'
/**
 * Who should be offered a home visit: the suitable responders, best first.
 *
 * Suitable: available, on duty, below their open-task limit, not excluded (declined this task, or already
 * on it), and holding every skill the alarm type needs.
 *
 * Best first:
 * 1. a known distance before an unknown one. A distance is known when the resident's location is known and
 *    the responder's last position is valid and no older than `maxPositionAgeMinutes` (default 30): a carer
 *    last seen an hour ago may be anywhere. A position stamped slightly in the future (a phone clock ahead)
 *    counts as fresh.
 * 2. among known distances, the nearer (in whole metres, the precision reported);
 * 3. a responder of the resident's own area (they know the resident and the building);
 * 4. fewer open tasks;
 * 5. staffId in code-unit order, so the same inputs always give the same ranking.
 *
 * Pure: `now` is an input.
 */

export const SKILLS = ['first_aid', 'nursing', 'dementia_care', 'medical'] as const
export type Skill = (typeof SKILLS)[number]

export type ResponderCandidate = {
  staffId: string
  role: 'carer' | 'doctor'
  areaId: string | null
  skills: readonly string[]
  available: boolean
  onDuty: boolean
  openTasks: number
  maxOpenTasks: number
  position: { lat: number; lon: number; at: string } | null
}

export type MatchRequest = {
  alarmType: string
  residentLocation: { lat: number; lon: number } | null
  residentAreaId: string | null
  excluded: readonly string[]
  now: string
}

export type RankedResponder = { staffId: string; distanceMeters: number | null; openTasks: number; sameArea: boolean }

export const DEFAULT_MAX_POSITION_AGE_MINUTES = 30

/** Mean earth radius (IUGG), metres. */

const NONE: readonly string[] = Object.freeze([])
const FIRST_AID: readonly string[] = Object.freeze(['first_aid'])
const NURSING: readonly string[] = Object.freeze(['nursing'])

/**
 * Someone pressing SOS or falling needs first aid; an abnormal reading needs someone who can take and judge
 * vitals; anyone can look in on a resident who is inactive, wandered off, or whose device is silent.
 */
const REQUIRED_SKILLS: Readonly<Record<string, readonly string[]>> = {
  sos: FIRST_AID,
  fall: FIRST_AID,
  heart_rate_high: NURSING,
  heart_rate_low: NURSING,
  spo2_low: NURSING,
  blood_pressure_high: NURSING,
  blood_pressure_low: NURSING,
  temperature_high: NURSING,
  temperature_low: NURSING,
  glucose_high: NURSING,
  glucose_low: NURSING,
  inactivity: NONE,
  geofence_exit: NONE,
  device_offline: NONE,
  low_battery: NONE,
  device_not_worn: NONE,
  missed_contact: NONE,
}

/** The skills a responder needs for an alarm type; an unknown type may be an emergency, so first aid. */
export function requiredSkills(alarmType: string): readonly string[] {
  return Object.hasOwn(REQUIRED_SKILLS, alarmType) ? (REQUIRED_SKILLS[alarmType] ?? FIRST_AID) : FIRST_AID
}

export function rankResponders(request: MatchRequest, candidates: readonly ResponderCandidate[], options: { maxPositionAgeMinutes?: number } = {}): RankedResponder[] {
  const nowMs = Date.parse(request.now)
  // Bad inputs here are the caller's bug (the clock and the configuration), not data from the field.
  if (Number.isNaN(nowMs)) throw new RangeError(`rankResponders: now is not a time: ${String(request.now)}`)
  const maxAgeMinutes = options.maxPositionAgeMinutes ?? DEFAULT_MAX_POSITION_AGE_MINUTES
  if (!Number.isFinite(maxAgeMinutes) || maxAgeMinutes < 0) throw new RangeError(`rankResponders: maxPositionAgeMinutes must be a non-negative number, not ${maxAgeMinutes}`)
  const maxAgeMs = maxAgeMinutes * 60_000
  const needed = requiredSkills(request.alarmType)
  const excluded = new Set(request.excluded)
  const resident = request.residentLocation && validPoint(request.residentLocation) ? request.residentLocation : null

  const ranked: RankedResponder[] = []
  for (const c of candidates) {
    if (!c.available || !c.onDuty || c.openTasks >= c.maxOpenTasks || excluded.has(c.staffId)) continue
    if (!needed.every(skill => c.skills.includes(skill))) continue
    let distance: number | null = null
    if (resident && c.position && validPoint(c.position)) {
      const seenMs = Date.parse(c.position.at)
      if (!Number.isNaN(seenMs) && nowMs - seenMs <= maxAgeMs) distance = Math.round(distanceMeters(c.position, resident))
    }
    ranked.push({ staffId: c.staffId, distanceMeters: distance, openTasks: c.openTasks, sameArea: request.residentAreaId !== null && c.areaId === request.residentAreaId })
  }
  return ranked.sort(compareRanked)
}

function compareRanked(a: RankedResponder, b: RankedResponder): number {
  if (a.distanceMeters !== null && b.distanceMeters === null) return -1
  if (a.distanceMeters === null && b.distanceMeters !== null) return 1
  if (a.distanceMeters !== null && b.distanceMeters !== null && a.distanceMeters !== b.distanceMeters) return a.distanceMeters - b.distanceMeters
  if (a.sameArea !== b.sameArea) return a.sameArea ? -1 : 1
  if (a.openTasks !== b.openTasks) return a.openTasks - b.openTasks
  return a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0
}

/** Great-circle distance in metres (shared with alert and the console). */
export const distanceMeters = distanceMetres

function validPoint(p: { lat: number; lon: number }): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180
}
