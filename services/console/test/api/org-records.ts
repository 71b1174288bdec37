import { randomUUID } from 'node:crypto'
import { appendAudit } from '@anxin/audit'
import { withTransaction } from '@anxin/db'
import type { TestDatabase } from '@anxin/testing'
import { appendFeedEvents } from '../../src/adapters/feed-store.ts'

/** The ids of one organisation's records of every kind the console has a route for. */
export type OrgRecords = {
  orgId: string
  areaId: string
  residentId: string
  carerId: string
  doctorId: string
  alarmId: string
  deviceId: string
  householdId: string
  importId: string
  importFileName: string
  teamId: string
  taskId: string
  rotationId: string
  overrideId: string
  policyId: string
  feedEventId: string
}

/**
 * Seeds a record of every kind into one of the fixture's organisations (`org` is 'a' or 'b'; the resident,
 * area and organisation come from console-app.ts): a carer and a doctor, an open alarm with its visit task,
 * a worn device, a household, an import, a care team, a rotation with an override, an escalation policy,
 * consents, a doctor contract, a contact, an audit entry and a feed event. Ids carry "org<x>" so a leak is
 * easy to spot in any answer.
 */
export async function seedOrgRecords(db: TestDatabase, org: 'a' | 'b'): Promise<OrgRecords> {
  const r: OrgRecords = {
    orgId: `org-${org}`, areaId: org === 'a' ? 'area-1' : 'area-b', residentId: `res-${org}1`,
    carerId: `org${org}-carer`, doctorId: `org${org}-doctor`, alarmId: randomUUID(), deviceId: `dev-org${org}-1`, householdId: `hh-org${org}-1`,
    importId: randomUUID(), importFileName: `org${org}-import.csv`, teamId: `team-org${org}-1`, taskId: randomUUID(), rotationId: `rot-org${org}-1`,
    overrideId: '', policyId: `pol-org${org}-1`, feedEventId: `feed-org${org}-1`,
  }
  const q = (sql: string, values: unknown[]) => db.pool.query(sql, values)
  await q(`INSERT INTO staff (id, org_id, area_id, full_name, role, phone) VALUES ($1, $3, $4, $1, 'carer', '13700000000'), ($2, $3, NULL, $2, 'doctor', '13700000001')`,
    [r.carerId, r.doctorId, r.orgId, r.areaId])
  await q(`INSERT INTO alarms (id, org_id, resident_id, device_id, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
           VALUES ($1, $2, $3, $4, 'sos', 'critical', 900, 'open', $1, now(), now(), now())`, [r.alarmId, r.orgId, r.residentId, r.deviceId])
  await q(`INSERT INTO visit_tasks (task_id, alarm_id, sequence, org_id, resident_id, state, version, responder_id, task)
           VALUES ($1, $2, 1, $3, $4, 'offered', 1, $5, '{}')`, [r.taskId, r.alarmId, r.orgId, r.residentId, r.carerId])
  await q(`INSERT INTO devices (id, org_id, type, model, mqtt_password_hash, supervision_interval_s) VALUES ($1, $2, 'watch', $3, '$7$test', 600)`,
    [r.deviceId, r.orgId, `model-org${org}`])
  await q('INSERT INTO device_bindings (device_id, resident_id) VALUES ($1, $2)', [r.deviceId, r.residentId])
  await q(`INSERT INTO households (id, org_id, area_id, address, assigned_carer_id) VALUES ($1, $2, $3, $4, $5)`,
    [r.householdId, r.orgId, r.areaId, `household-org${org} address`, r.carerId])
  await q('UPDATE residents SET household_id = $1 WHERE id = $2', [r.householdId, r.residentId])
  await q(`INSERT INTO registry_imports (id, org_id, staff_id, kind, file_name, rows_total, rows_accepted, rows_refused, report)
           VALUES ($1, $2, $3, 'residents', $4, 0, 0, 0, '{"warnings": [], "rows": []}')`, [r.importId, r.orgId, r.carerId, r.importFileName])
  await q(`INSERT INTO care_teams (id, org_id, area_id, name, lead_staff_id) VALUES ($1, $2, $3, $4, $5)`, [r.teamId, r.orgId, r.areaId, `team-org${org} name`, r.carerId])
  await q('INSERT INTO care_team_members (team_id, staff_id) VALUES ($1, $2)', [r.teamId, r.carerId])
  await q(`INSERT INTO oncall_rotations (id, org_id, role, area_id, members, start_date, shift_hours) VALUES ($1, $2, 'carer', NULL, $3, '2026-01-01', 24)`,
    [r.rotationId, r.orgId, [r.carerId]])
  const override = await db.pool.query<{ id: string }>(
    `INSERT INTO oncall_overrides (rotation_id, staff_id, starts_at, ends_at) VALUES ($1, $2, '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z') RETURNING id::text`,
    [r.rotationId, r.carerId])
  r.overrideId = override.rows[0]!.id
  // Two policies each, so deleting one is never refused as "the last one".
  for (const id of [r.policyId, `${r.policyId}-spare`]) {
    await q(`INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
             VALUES ($1, $2, $3, '{}', '[{"targets": [{"kind": "supervisor"}], "waitSeconds": 60, "channels": ["sms"]}]', 600, 1800, 300)`, [id, r.orgId, `policy ${id}`])
  }
  await q(`INSERT INTO consent_records (resident_id, purpose, granted, given_by, recorded_by, evidence_ref) VALUES ($1, 'location_tracking', true, 'self', $2, $3)`,
    [r.residentId, r.carerId, `consent-org${org}`])
  await q(`INSERT INTO family_doctor_contracts (resident_id, doctor_id, signed_on) VALUES ($1, $2, '2026-01-01')`, [r.residentId, r.doctorId])
  await q(`INSERT INTO contact_signals (org_id, resident_id, kind, at, local_date, source_id, actor_kind, actor_id) VALUES ($1, $2, 'visit', now(), current_date, $3, 'staff', $4)`,
    [r.orgId, r.residentId, `contact-org${org}`, r.carerId])
  await withTransaction(db.pool, async client => {
    await appendAudit(client, {
      orgId: r.orgId, alarmId: r.alarmId, residentId: r.residentId, actorKind: 'staff', actorId: r.carerId, action: 'view_resident', channel: 'console',
      at: new Date().toISOString(), detail: { marker: `audit-org${org}` },
    })
    await appendFeedEvents(client, [{
      eventId: r.feedEventId, kind: 'lifecycle', at: new Date().toISOString(), orgId: r.orgId, areaId: r.areaId, residentId: r.residentId, alarmId: r.alarmId,
      cause: 'acknowledge', alarm: null, device: null,
    }])
  })
  return r
}

/**
 * What must never appear in an answer to another organisation: every id above and the organisation's
 * names (the fixture's resident, address, area and organisation names).
 */
export function markersOf(r: OrgRecords): string[] {
  const names = r.orgId === 'org-b' ? ['赵秀兰', '河畔', '北区', 'area-b'] : ['王桂英', '阳光路 1 号', '一区']
  return [
    r.residentId, r.carerId, r.doctorId, r.alarmId, r.deviceId, r.householdId, r.importId, r.importFileName, r.teamId, r.taskId, r.rotationId, r.policyId,
    `model-${r.orgId.replace('-', '')}`, `consent-${r.orgId.replace('-', '')}`, `audit-${r.orgId.replace('-', '')}`, ...names,
  ]
}

/**
 * A fingerprint of everything an organisation's records hold: equal before and after means nothing of
 * theirs was changed, added or removed.
 */
export async function fingerprint(db: TestDatabase, orgId: string): Promise<Record<string, string>> {
  const tables: Record<string, string> = {
    residents: `SELECT * FROM residents WHERE org_id = $1`,
    emergency_contacts: `SELECT c.* FROM emergency_contacts c JOIN residents r ON r.id = c.resident_id WHERE r.org_id = $1`,
    alarms: `SELECT * FROM alarms WHERE org_id = $1`,
    visit_tasks: `SELECT * FROM visit_tasks WHERE org_id = $1`,
    devices: `SELECT * FROM devices WHERE org_id = $1`,
    device_bindings: `SELECT b.* FROM device_bindings b JOIN devices d ON d.id = b.device_id WHERE d.org_id = $1`,
    staff: `SELECT * FROM staff WHERE org_id = $1`,
    console_accounts: `SELECT a.* FROM console_accounts a JOIN staff s ON s.id = a.staff_id WHERE s.org_id = $1`,
    households: `SELECT * FROM households WHERE org_id = $1`,
    registry_imports: `SELECT * FROM registry_imports WHERE org_id = $1`,
    care_teams: `SELECT * FROM care_teams WHERE org_id = $1`,
    care_team_members: `SELECT m.* FROM care_team_members m JOIN care_teams t ON t.id = m.team_id WHERE t.org_id = $1`,
    oncall_rotations: `SELECT * FROM oncall_rotations WHERE org_id = $1`,
    oncall_overrides: `SELECT o.* FROM oncall_overrides o JOIN oncall_rotations r ON r.id = o.rotation_id WHERE r.org_id = $1`,
    escalation_policies: `SELECT * FROM escalation_policies WHERE org_id = $1`,
    consent_records: `SELECT c.* FROM consent_records c JOIN residents r ON r.id = c.resident_id WHERE r.org_id = $1`,
    family_doctor_contracts: `SELECT c.* FROM family_doctor_contracts c JOIN residents r ON r.id = c.resident_id WHERE r.org_id = $1`,
    contact_signals: `SELECT * FROM contact_signals WHERE org_id = $1`,
    care_duty_settings: `SELECT * FROM care_duty_settings WHERE org_id = $1`,
  }
  const out: Record<string, string> = {}
  for (const [table, sql] of Object.entries(tables)) {
    const { rows } = await db.pool.query<{ digest: string }>(`SELECT md5(COALESCE(string_agg(row_to_json(x)::text, '|' ORDER BY row_to_json(x)::text), '')) AS digest FROM (${sql}) x`, [orgId])
    out[table] = rows[0]!.digest
  }
  return out
}
