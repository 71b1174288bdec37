import type pg from 'pg'
import { derivedDevicePassword, mosquittoPasswordHash } from '@anxin/credentials'
import { withTransaction } from '@anxin/db'
import type { DemoDistrict } from './demo-district.ts'

export type LoadResult = { residents: number; devices: number; staff: number }

/**
 * Writes a generated district into the registry in one transaction. Re-running is harmless: existing rows
 * are kept (ON CONFLICT DO NOTHING) except device credentials, which follow the current fleet secret.
 */
export async function loadDistrict(pool: pg.Pool, district: DemoDistrict, fleetSecret: string): Promise<LoadResult> {
  return withTransaction(pool, async client => {
    const o = district.organisation
    await client.query(
      'INSERT INTO organisations (id, name, timezone) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [o.id, o.name, o.timezone],
    )
    for (const a of district.areas) {
      await client.query('INSERT INTO areas (id, org_id, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [a.id, a.orgId, a.name])
    }
    for (const s of district.staff) {
      await client.query(
        `INSERT INTO staff (id, org_id, area_id, full_name, role, phone, email) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO NOTHING`,
        [s.id, s.orgId, s.areaId, s.fullName, s.role, s.phone, s.email],
      )
    }
    for (const r of district.residents) {
      await client.query(
        `INSERT INTO residents (id, org_id, area_id, full_name, gender, birth_date, phone, address, lat, lon, living_situation,
           care_level, flag_disabled, flag_dementia, flag_very_old, flag_living_alone, flag_empty_nest, conditions,
           medication_notes, assigned_carer_id, family_doctor_id)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)
         ON CONFLICT (id) DO NOTHING`,
        [r.id, r.orgId, r.areaId, r.fullName, r.gender, r.birthDate, r.phone, r.address, r.lat, r.lon, r.livingSituation,
          r.careLevel, r.flags.disabled, r.flags.dementia, r.flags.veryOld, r.flags.livingAlone, r.flags.emptyNest,
          r.conditions, r.medicationNotes, r.assignedCarerId, r.familyDoctorId],
      )
      for (const c of r.emergencyContacts) {
        await client.query(
          `INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [r.id, c.position, c.fullName, c.relation, c.phone],
        )
      }
    }
    for (const d of district.devices) {
      const hash = mosquittoPasswordHash(derivedDevicePassword(fleetSecret, d.id))
      await client.query(
        `INSERT INTO devices (id, org_id, type, model, firmware, mqtt_password_hash, supervision_interval_s)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET mqtt_password_hash = EXCLUDED.mqtt_password_hash`,
        [d.id, d.orgId, d.type, d.model, d.firmware, hash, d.supervisionIntervalS],
      )
      await client.query(
        `INSERT INTO device_bindings (device_id, resident_id)
         SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM device_bindings WHERE device_id = $1 AND unbound_at IS NULL)`,
        [d.id, d.residentId],
      )
    }
    await loadRotations(client, district)
    await loadResponders(client, district)
    return { residents: district.residents.length, devices: district.devices.length, staff: district.staff.length }
  })
}

/**
 * The demo centre's on-call rota: operators in 12-hour shifts and supervisors by the day for the whole
 * organisation; carers and doctors by the day in their own area (the organisation-wide doctors' rota covers
 * areas without one). Escalation asks these who is on duty.
 */
async function loadRotations(client: pg.PoolClient, district: DemoDistrict): Promise<void> {
  const orgId = district.organisation.id
  const byRole = (role: string, areaId?: string | null) =>
    district.staff.filter(s => s.role === role && (areaId === undefined || s.areaId === areaId)).map(s => s.id)
  const rotations: Array<{ id: string; role: string; areaId: string | null; members: string[]; shiftHours: number }> = [
    { id: `${orgId}:operator`, role: 'operator', areaId: null, members: byRole('operator'), shiftHours: 12 },
    { id: `${orgId}:supervisor`, role: 'supervisor', areaId: null, members: byRole('supervisor'), shiftHours: 24 },
    { id: `${orgId}:doctor`, role: 'doctor', areaId: null, members: byRole('doctor'), shiftHours: 24 },
    ...district.areas.map(a => ({ id: `${a.id}:carer`, role: 'carer', areaId: a.id, members: byRole('carer', a.id), shiftHours: 24 })),
  ].filter(r => r.members.length > 0)
  for (const r of rotations) {
    await client.query(
      `INSERT INTO oncall_rotations (id, org_id, role, area_id, members, start_date, handoff_time, shift_hours)
       VALUES ($1, $2, $3, $4, $5, '2026-01-01', '08:00', $6) ON CONFLICT (id) DO NOTHING`,
      [r.id, orgId, r.role, r.areaId, r.members, r.shiftHours],
    )
  }
}

/**
 * What dispatch needs to offer home visits: each carer and doctor takes visits, with first aid (doctors also
 * nursing and medicine), and a last known position in the middle of the homes they look after, so the demo
 * offers a visit to someone nearby. The organisation keeps the default dispatch settings.
 */
async function loadResponders(client: pg.PoolClient, district: DemoDistrict): Promise<void> {
  for (const s of district.staff.filter(x => x.role === 'carer' || x.role === 'doctor')) {
    const homes = district.residents.filter(r => r.assignedCarerId === s.id || r.familyDoctorId === s.id)
    const centre = homes.length > 0
      ? { lat: homes.reduce((sum, r) => sum + r.lat, 0) / homes.length, lon: homes.reduce((sum, r) => sum + r.lon, 0) / homes.length }
      : null
    await client.query(
      `INSERT INTO responder_profiles (staff_id, skills, lat, lon, position_at) VALUES ($1, $2, $3, $4, CASE WHEN $3::float8 IS NULL THEN NULL ELSE now() END)
       ON CONFLICT (staff_id) DO UPDATE SET lat = EXCLUDED.lat, lon = EXCLUDED.lon, position_at = EXCLUDED.position_at`,
      [s.id, s.role === 'doctor' ? ['first_aid', 'nursing', 'medical'] : ['first_aid'], centre?.lat ?? null, centre?.lon ?? null],
    )
  }
  await client.query('INSERT INTO dispatch_settings (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING', [district.organisation.id])
}
