import type pg from 'pg'
import { listenForChanges, type ChangeListener } from '@anxin/db'
import type { ResidentProfile } from '../domain/profile.ts'

/**
 * Resident profiles read from the registry and kept in memory. A change to a resident, their thresholds,
 * safe zones, activity plan or devices is announced by PostgreSQL (NOTIFY), and the cached profile is dropped
 * at once, so a doctor's new threshold applies to the next reading without a restart.
 */
export class ProfileCache {
  private readonly profiles = new Map<string, ResidentProfile>()
  private readonly deviceToResident = new Map<string, string>()
  private readonly pool: pg.Pool
  private listener: ChangeListener | null = null

  constructor(pool: pg.Pool) {
    this.pool = pool
  }

  async start(): Promise<void> {
    this.listener = await listenForChanges(this.pool, ['anxin_resident_profile', 'anxin_device_registry'], {
      onNotification: (channel, id) => {
        if (channel === 'anxin_resident_profile') return this.invalidate(id)
        const residentId = this.deviceToResident.get(id)
        if (residentId) this.invalidate(residentId)
        // A device newly bound to someone: that resident's cached device list is stale too.
        else this.profiles.clear()
      },
      // Notifications may have been missed while disconnected: start from an empty cache.
      onReconnected: () => this.profiles.clear(),
    })
  }

  async stop(): Promise<void> {
    await this.listener?.stop()
  }

  async get(residentId: string): Promise<ResidentProfile | null> {
    const cached = this.profiles.get(residentId)
    if (cached) return cached
    const profile = await loadProfile(this.pool, residentId)
    if (profile) {
      this.profiles.set(residentId, profile)
      for (const d of profile.devices) this.deviceToResident.set(d.deviceId, residentId)
    }
    return profile
  }

  invalidate(residentId: string): void {
    const profile = this.profiles.get(residentId)
    this.profiles.delete(residentId)
    for (const d of profile?.devices ?? []) this.deviceToResident.delete(d.deviceId)
  }
}

async function loadProfile(pool: pg.Pool, residentId: string): Promise<ResidentProfile | null> {
  const resident = await pool.query(
    `SELECT r.id, r.org_id, r.conditions, r.flag_disabled, r.flag_dementia, r.flag_very_old, r.flag_living_alone,
            r.flag_empty_nest, o.timezone
     FROM residents r JOIN organisations o ON o.id = r.org_id WHERE r.id = $1`,
    [residentId],
  )
  const r = resident.rows[0]
  if (!r) return null
  const [thresholds, zones, plan, devices] = await Promise.all([
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
      `SELECT d.id, d.type, d.supervision_interval_s FROM devices d
       JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
       WHERE b.resident_id = $1 AND d.status = 'active' ORDER BY d.id`,
      [residentId],
    ),
  ])
  const t = thresholds.rows[0]
  const p = plan.rows[0]
  return {
    residentId: r.id,
    orgId: r.org_id,
    conditions: r.conditions,
    flags: {
      disabled: r.flag_disabled,
      dementia: r.flag_dementia,
      veryOld: r.flag_very_old,
      livingAlone: r.flag_living_alone,
      emptyNest: r.flag_empty_nest,
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
    devices: devices.rows.map(d => ({ deviceId: d.id, type: d.type, supervisionIntervalS: d.supervision_interval_s })),
  }
}
