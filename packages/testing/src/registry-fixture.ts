import type pg from 'pg'
import { derivedDevicePassword, mosquittoPasswordHash } from '@anxin/credentials'

export type FixtureDevice = { deviceId: string; password: string; residentId: string | null }

const FIXTURE_SECRET = 'test-fleet-secret'

/**
 * A minimal registry for a test: one organisation, `count` residents each wearing one watch, plus
 * optional devices that are registered but bound to nobody.
 */
export async function registerTestDevices(
  pool: pg.Pool,
  options: { count: number; prefix: string; unbound?: number },
): Promise<{ bound: FixtureDevice[]; unbound: FixtureDevice[] }> {
  await pool.query(`INSERT INTO organisations (id, name) VALUES ('org-test', '测试中心') ON CONFLICT DO NOTHING`)
  const bound: FixtureDevice[] = []
  const unbound: FixtureDevice[] = []
  const total = options.count + (options.unbound ?? 0)
  for (let i = 1; i <= total; i++) {
    const deviceId = `${options.prefix}W${String(i).padStart(5, '0')}`
    const password = derivedDevicePassword(FIXTURE_SECRET, deviceId)
    await pool.query(
      `INSERT INTO devices (id, org_id, type, mqtt_password_hash, supervision_interval_s) VALUES ($1, 'org-test', 'watch', $2, 600)`,
      [deviceId, mosquittoPasswordHash(password)],
    )
    if (i > options.count) {
      unbound.push({ deviceId, password, residentId: null })
      continue
    }
    const residentId = `${options.prefix}R${String(i).padStart(5, '0')}`
    await pool.query(
      `INSERT INTO residents (id, org_id, full_name, gender, birth_date, address, living_situation, care_level)
       VALUES ($1, 'org-test', '测试老人', 'female', '1940-01-01', '测试地址', 'alone', 'independent')`,
      [residentId],
    )
    await pool.query('INSERT INTO device_bindings (device_id, resident_id) VALUES ($1, $2)', [deviceId, residentId])
    bound.push({ deviceId, password, residentId })
  }
  return { bound, unbound }
}
