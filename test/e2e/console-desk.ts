import { upsertAccount } from '@anxin/console'
import { hashPassword } from '@anxin/credentials'
import type { Pipeline } from './pipeline.ts'

export const DESK_PASSWORD = 'console desk password 1'

/**
 * The monitoring centre over a test pipeline: operator op-1 (值班员甲) and carer carer-1 (护理员乙, near the
 * first resident) with console accounts, and ingestion, alert, escalation, dispatch and the console running.
 * Visits are made only when the operator dispatches, so a test knows which task is which.
 */
export async function monitoringCentre(p: Pipeline): Promise<{ consoleUrl: string }> {
  const pool = p.db.pool
  await pool.query(`UPDATE residents SET lat = 31.2290, lon = 121.4450 WHERE id = $1`, [p.devices[0]!.residentId])
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES ('op-1', 'org-test', '值班员甲', 'operator', '1'), ('carer-1', 'org-test', '护理员乙', 'carer', '2')`)
  await pool.query(`INSERT INTO responder_profiles (staff_id, skills, available, lat, lon, position_at) VALUES ('carer-1', '{first_aid}', true, 31.2295, 121.4455, now())`)
  await pool.query(`INSERT INTO dispatch_settings (org_id, auto_task_alarm_types) VALUES ('org-test', '{}')`)
  const hash = await hashPassword(DESK_PASSWORD)
  await upsertAccount(pool, 'op-1', 'op-1', hash)
  await upsertAccount(pool, 'carer-1', 'carer-1', hash)

  await p.startIngestion()
  await p.startAlert()
  const escalation = await p.startEscalationHttp()
  const dispatch = await p.startDispatch({ escalationUrl: escalation.url })
  const console_ = await p.startConsole({ escalationUrl: escalation.url, dispatchUrl: dispatch.url })
  return { consoleUrl: console_.url }
}
