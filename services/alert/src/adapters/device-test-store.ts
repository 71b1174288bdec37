import type pg from 'pg'
import { transientError } from '@anxin/errors'
import { DEFAULT_TEST_SETTINGS, TESTED_DEVICE_TYPES, type TestedDevice, type TestSettings } from '../domain/device-test-rule.ts'

/** A bound, tracked device with what the weekly-test rule needs to judge it. */
export type TestCandidate = { device: TestedDevice; residentId: string; lastTestAt: string | null; settings: TestSettings }

/** An open overdue alarm with the device's state now (its binding may have ended, it may have been revoked). */
export type OpenOverdue = TestCandidate & { alarmId: string; alarmResidentId: string; alarmSince: string | null; stillBound: boolean }

type Row = {
  id: string; type: string; status: 'active' | 'revoked'; test_mode: boolean; created_at: Date; resident_id: string | null; bound_at: Date | null
  last_test_at: Date | null; interval_days: number | null; grace_days: number | null
}

const DEVICE = `
SELECT d.id, d.type, d.status, d.test_mode, d.created_at, b.resident_id, b.bound_at, t.at AS last_test_at,
       s.test_interval_days AS interval_days, s.test_grace_days AS grace_days
  FROM devices d
  LEFT JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
  LEFT JOIN care_duty_settings s ON s.org_id = d.org_id
  LEFT JOIN LATERAL (SELECT at FROM device_tests WHERE device_id = d.id ORDER BY at DESC LIMIT 1) t ON true`

function toCandidate(r: Row): TestCandidate {
  return {
    device: { deviceId: r.id, type: r.type, status: r.status, testMode: r.test_mode, provisionedAt: r.created_at.toISOString(), boundAt: r.bound_at?.toISOString() ?? null },
    residentId: r.resident_id ?? '',
    lastTestAt: r.last_test_at?.toISOString() ?? null,
    settings: { intervalDays: r.interval_days ?? DEFAULT_TEST_SETTINGS.intervalDays, graceDays: r.grace_days ?? DEFAULT_TEST_SETTINGS.graceDays },
  }
}

const wrap = (error: unknown): never => {
  throw transientError('device_tests_unavailable', (error as Error).message, error)
}

/** The alert service's own record of test signals (`device_tests`) and the queries of the overdue check. */
export class DeviceTestStore {
  private readonly pool: pg.Pool
  constructor(pool: pg.Pool) {
    this.pool = pool
  }

  /** Idempotent: the same event recorded twice is one row. An unknown device is ignored. */
  async record(deviceId: string, at: string, eventId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO device_tests (device_id, at, event_id) SELECT id, $2, $3 FROM devices WHERE id = $1 ON CONFLICT DO NOTHING`,
      [deviceId, at, eventId],
    ).catch(wrap)
  }

  /**
   * Bound, active, non-test-mode buttons and wearables whose clock ran out more than interval + grace ago
   * and that have no open overdue alarm for their wearer. The SQL narrows; the domain rule decides.
   */
  async overdueCandidates(now: Date): Promise<TestCandidate[]> {
    const { rows } = await this.pool.query<Row>(
      `${DEVICE}
        WHERE d.status = 'active' AND NOT d.test_mode AND d.type = ANY($2::text[]) AND b.resident_id IS NOT NULL
          AND GREATEST(t.at, b.bound_at, d.created_at)
              + make_interval(days => COALESCE(s.test_interval_days, $3) + COALESCE(s.test_grace_days, $4)) < $1
          AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.resident_id = b.resident_id AND a.type = 'device_test_overdue'
                            AND a.scope = d.id AND a.status = 'open')
        ORDER BY d.id`,
      [now, TESTED_DEVICE_TYPES, DEFAULT_TEST_SETTINGS.intervalDays, DEFAULT_TEST_SETTINGS.graceDays],
    ).catch(wrap)
    return rows.map(toCandidate)
  }

  /** Every open (real) overdue alarm, with its device as it is now. */
  async openOverdue(): Promise<OpenOverdue[]> {
    const { rows } = await this.pool.query<Row & { alarm_id: string; alarm_resident_id: string; alarm_since: string | null }>(
      `SELECT x.*, a.id AS alarm_id, a.resident_id AS alarm_resident_id, a.detail->>'since' AS alarm_since
         FROM alarms a JOIN (${DEVICE}) x ON x.id = a.device_id
        WHERE a.type = 'device_test_overdue' AND a.status = 'open' AND a.scope = a.device_id`,
    ).catch(wrap)
    return rows.map(r => ({ ...toCandidate(r), alarmId: r.alarm_id, alarmResidentId: r.alarm_resident_id, alarmSince: r.alarm_since, stillBound: r.resident_id === r.alarm_resident_id }))
  }
}
