import type pg from 'pg'
import { listenForChanges, type ChangeListener } from '@anxin/db'
import type { ResidentProfile } from '../domain/profile.ts'

// Ledger flags derived from the data change without any row changing (a birthday makes a resident very old)
// or through another resident's row (the last other member leaves a household): a profile is reloaded at
// least this often so such flags reach alarm priority within the hour.
const DEFAULT_MAX_AGE_MS = 60 * 60 * 1000

type Cached = { profile: ResidentProfile; householdId: string | null; loadedAt: number }
type Loaded = { profile: ResidentProfile; householdId: string | null; householdMembers: string[] }

/**
 * Resident profiles read from the registry and kept in memory. A change to a resident, their thresholds,
 * safe zones, activity plan or devices is announced by PostgreSQL (NOTIFY), and the cached profile is dropped
 * at once, so a doctor's new threshold applies to the next reading without a restart. The priority flags come
 * from the ledger view (台账), which derives them from the data as well as keeping the manual ones.
 */
export class ProfileCache {
  private readonly profiles = new Map<string, Cached>()
  private readonly deviceToResident = new Map<string, string>()
  // Every member of the households of cached profiles, whether cached or not: when one of them leaves, the
  // others' living-alone flag may change, and the resident's own notification is all there is to go on.
  private readonly householdOf = new Map<string, string>()
  private readonly pool: pg.Pool
  private readonly maxAgeMs: number
  private readonly now: () => number
  private listener: ChangeListener | null = null

  constructor(pool: pg.Pool, options: { maxAgeMs?: number; now?: () => Date } = {}) {
    this.pool = pool
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS
    const now = options.now
    this.now = now ? () => now().getTime() : () => Date.now()
  }

  async start(): Promise<void> {
    this.listener = await listenForChanges(this.pool, ['anxin_resident_profile', 'anxin_device_registry'], {
      onNotification: (channel, id) => {
        if (channel === 'anxin_resident_profile') return this.invalidate(id)
        const residentId = this.deviceToResident.get(id)
        if (residentId) this.invalidate(residentId)
        // A device newly bound to someone: that resident's cached device list is stale too.
        else this.clear()
      },
      // Notifications may have been missed while disconnected: start from an empty cache.
      onReconnected: () => {
        this.profiles.clear()
        this.householdOf.clear()
      },
    })
  }

  async stop(): Promise<void> {
    await this.listener?.stop()
  }

  async get(residentId: string): Promise<ResidentProfile | null> {
    const cached = this.profiles.get(residentId)
    if (cached && this.now() - cached.loadedAt < this.maxAgeMs) return cached.profile
    if (cached) this.drop(residentId)
    const loadedAt = this.now()
    const loaded = await loadProfile(this.pool, residentId)
    if (!loaded) return null
    this.profiles.set(residentId, { profile: loaded.profile, householdId: loaded.householdId, loadedAt })
    for (const d of loaded.profile.devices) this.deviceToResident.set(d.deviceId, residentId)
    for (const member of loaded.householdMembers) this.householdOf.set(member, loaded.householdId!)
    return loaded.profile
  }

  /** A resident changed: their profile, and those of their household (whose living-alone flag may follow), are stale. */
  invalidate(residentId: string): void {
    const households = new Set([this.profiles.get(residentId)?.householdId, this.householdOf.get(residentId)])
    this.drop(residentId)
    this.householdOf.delete(residentId)
    for (const [id, other] of this.profiles) if (other.householdId !== null && households.has(other.householdId)) this.drop(id)
  }

  private clear(): void {
    this.profiles.clear()
    this.householdOf.clear()
  }

  private drop(residentId: string): void {
    const cached = this.profiles.get(residentId)
    this.profiles.delete(residentId)
    for (const d of cached?.profile.devices ?? []) this.deviceToResident.delete(d.deviceId)
  }
}

async function loadProfile(pool: pg.Pool, residentId: string): Promise<Loaded | null> {
  // The flags are the ledger's: manual or derived (age in the organisation's time zone, a one-member household...).
  const resident = await pool.query(
    `SELECT r.id, r.org_id, r.conditions, r.household_id, l.disabled, l.dementia, l.very_old, l.living_alone,
            l.empty_nest, o.timezone
     FROM residents r JOIN organisations o ON o.id = r.org_id JOIN resident_ledger l ON l.resident_id = r.id
     WHERE r.id = $1`,
    [residentId],
  )
  const r = resident.rows[0]
  if (!r) return null
  const [thresholds, zones, plan, devices, members] = await Promise.all([
    pool.query(
      `SELECT heart_rate_low, heart_rate_high, spo2_low, systolic_high, systolic_low, diastolic_high, temperature_high,
              temperature_low, glucose_low, glucose_high, sustain_seconds
       FROM resident_vital_thresholds WHERE resident_id = $1`,
      [residentId],
    ),
    pool.query(`SELECT id, name, lat, lon, radius_m FROM safe_zones WHERE resident_id = $1 AND active ORDER BY id`, [residentId]),
    pool.query(
      `SELECT to_char(day_start, 'HH24:MI') AS day_start, to_char(night_start, 'HH24:MI') AS night_start,
              max_inactive_day_minutes, max_inactive_night_minutes, warning_ratio
       FROM activity_plans WHERE resident_id = $1`,
      [residentId],
    ),
    pool.query(
      `SELECT d.id, d.type, d.supervision_interval_s, d.test_mode FROM devices d
       JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
       WHERE b.resident_id = $1 AND d.status = 'active' ORDER BY d.id`,
      [residentId],
    ),
    r.household_id === null
      ? Promise.resolve({ rows: [] })
      : pool.query(`SELECT id FROM residents WHERE household_id = $1`, [r.household_id]),
  ])
  const t = thresholds.rows[0]
  const p = plan.rows[0]
  const profile: ResidentProfile = {
    residentId: r.id,
    orgId: r.org_id,
    conditions: r.conditions,
    flags: {
      disabled: r.disabled,
      dementia: r.dementia,
      veryOld: r.very_old,
      livingAlone: r.living_alone,
      emptyNest: r.empty_nest,
    },
    thresholdOverrides: t
      ? {
          heartRateLow: t.heart_rate_low, heartRateHigh: t.heart_rate_high, spo2Low: t.spo2_low,
          systolicHigh: t.systolic_high, systolicLow: t.systolic_low, diastolicHigh: t.diastolic_high,
          temperatureHigh: t.temperature_high, temperatureLow: t.temperature_low, glucoseLow: t.glucose_low,
          glucoseHigh: t.glucose_high, sustainSeconds: t.sustain_seconds,
        }
      : null,
    safeZones: zones.rows.map(z => ({ id: z.id, name: z.name, lat: z.lat, lon: z.lon, radiusM: z.radius_m })),
    activityPlan: p
      ? {
          dayStart: p.day_start, nightStart: p.night_start, maxInactiveDayMinutes: p.max_inactive_day_minutes,
          maxInactiveNightMinutes: p.max_inactive_night_minutes, warningRatio: p.warning_ratio, timezone: r.timezone,
        }
      : null,
    devices: devices.rows.map(d => ({ deviceId: d.id, type: d.type, supervisionIntervalS: d.supervision_interval_s, testMode: d.test_mode })),
  }
  return { profile, householdId: r.household_id, householdMembers: members.rows.map(m => m.id) }
}
