import { DEFAULT_TIME_ZONE, LIFE_DEVICE_TYPES, type LifeDevice, type LifeDeviceType, type ResidentCondition, type ResidentProfile } from './profile.ts'

/** A resident as the registry holds them (columns of `residents`, with the household's and organisation's). */
export type RegistryResidentRow = {
  id: string
  gender: string
  /** `YYYY-MM-DD` (or a Date, as `pg` returns a `date` column unless told otherwise). */
  birth_date: string | Date
  lat: number | null
  lon: number | null
  household_lat?: number | null
  household_lon?: number | null
  living_situation: string
  care_level: string
  conditions: readonly string[]
  flag_dementia?: boolean
  flag_living_alone?: boolean
  flag_disabled?: boolean
  timezone?: string | null
}

/** Where a resident with no recorded coordinates is placed: the demo district's centre. */
export const FALLBACK_HOME = { lat: 31.2366, lon: 121.448 } as const

/** Registry diagnoses that map straight onto the simulator's, or onto the closest behaviour it has. */
const CONDITION_MAP: Record<string, ResidentCondition> = {
  hypertension: 'hypertension',
  diabetes: 'diabetes',
  copd: 'copd',
  dementia: 'dementia',
  heart_disease: 'heart_failure',
  // After a stroke, gait and balance are what matter to the simulation: it behaves like frailty.
  stroke_history: 'frailty',
}

/** Maps a registry row to the profile the simulator lives by. Pure; `asOf` fixes the age. */
export function lifeProfileFromRegistry(row: RegistryResidentRow, asOf: Date = new Date()): ResidentProfile {
  const conditions = new Set<ResidentCondition>()
  for (const condition of row.conditions) if (CONDITION_MAP[condition]) conditions.add(CONDITION_MAP[condition])
  if (row.flag_dementia) conditions.add('dementia')
  if (row.flag_disabled || row.care_level === 'semi_dependent' || row.care_level === 'dependent') conditions.add('frailty')
  const lat = row.lat ?? row.household_lat ?? null
  const lon = row.lon ?? row.household_lon ?? null
  return {
    id: row.id,
    age: ageOn(row.birth_date, asOf),
    ...(row.gender === 'female' || row.gender === 'male' ? { sex: row.gender } : {}),
    conditions: [...conditions].sort(),
    livesAlone: row.living_situation === 'alone' || Boolean(row.flag_living_alone),
    home: lat !== null && lon !== null ? { lat, lon } : { ...FALLBACK_HOME },
    timeZone: row.timezone ?? DEFAULT_TIME_ZONE,
  }
}

/** Keeps the devices the simulator knows how to play, typed. */
export function lifeDevicesFromRegistry(devices: ReadonlyArray<{ id: string; type: string }>): LifeDevice[] {
  return devices.filter((d): d is LifeDevice => (LIFE_DEVICE_TYPES as readonly string[]).includes(d.type)).map(d => ({ id: d.id, type: d.type as LifeDeviceType }))
}

/**
 * Residents with their currently bound, active devices, one row each (`devices` as JSON). The caller runs
 * it (`$1`: how many residents at most) and passes each row to `lifeProfileFromRegistry`.
 */
export const REGISTRY_RESIDENTS_SQL = `
  SELECT r.id, r.gender, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, r.lat, r.lon, h.lat AS household_lat,
         h.lon AS household_lon, r.living_situation, r.care_level, r.conditions, r.flag_dementia, r.flag_living_alone,
         r.flag_disabled, o.timezone,
         json_agg(json_build_object('id', d.id, 'type', d.type) ORDER BY d.id) AS devices
    FROM residents r
    JOIN organisations o ON o.id = r.org_id
    LEFT JOIN households h ON h.id = r.household_id
    JOIN device_bindings b ON b.resident_id = r.id AND b.unbound_at IS NULL
    JOIN devices d ON d.id = b.device_id AND d.status = 'active'
   GROUP BY r.id, h.lat, h.lon, o.timezone
   ORDER BY r.id
   LIMIT $1`

function ageOn(birthDate: string | Date, asOf: Date): number {
  const [y, m, d] = typeof birthDate === 'string' ? birthDate.split('-').map(Number) as [number, number, number] : [birthDate.getFullYear(), birthDate.getMonth() + 1, birthDate.getDate()]
  const beforeBirthday = asOf.getUTCMonth() + 1 < m || (asOf.getUTCMonth() + 1 === m && asOf.getUTCDate() < d)
  return asOf.getUTCFullYear() - y - (beforeBirthday ? 1 : 0)
}
