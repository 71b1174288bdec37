import type pg from 'pg'
import type { NotifyCommandMessage } from '@anxin/contracts'
import type { TargetSpec } from '../domain/policy.ts'
import { whoIsOnDuty } from '../domain/schedule.ts'
import { loadOnCall } from './oncall-store.ts'

export type Recipient = NotifyCommandMessage['recipient']

type StaffRow = { id: string; role: string; full_name: string; phone: string | null; email: string | null }

const staffRecipient = (s: StaffRow): Recipient => ({ kind: 'staff', id: s.id, role: s.role, name: s.full_name, phone: s.phone, email: s.email })

/**
 * Turns a policy's targets into people for one resident at one moment: their assigned carer and family
 * doctor, whoever is on duty for a role in their area, their emergency contacts in order, the supervisor,
 * or the recommendation to call 120. A role with nobody on duty falls to the supervisor, so a step never
 * reaches nobody.
 */
export async function resolveRecipients(
  db: pg.ClientBase,
  resident: { residentId: string; orgId: string },
  targets: TargetSpec[],
  at: string,
): Promise<Recipient[]> {
  const r = (
    await db.query<{ area_id: string | null; assigned_carer_id: string | null; family_doctor_id: string | null }>(
      'SELECT area_id, assigned_carer_id, family_doctor_id FROM residents WHERE id = $1',
      [resident.residentId],
    )
  ).rows[0]
  if (!r) return []
  const staff = async (ids: string[]): Promise<Recipient[]> => {
    if (ids.length === 0) return []
    const { rows } = await db.query<StaffRow>('SELECT id, role, full_name, phone, email FROM staff WHERE id = ANY($1) AND active', [ids])
    return ids.flatMap(id => rows.filter(s => s.id === id).map(staffRecipient))
  }
  let onCall: Awaited<ReturnType<typeof loadOnCall>> | null = null
  const onDuty = async (role: string): Promise<string[]> => {
    onCall ??= await loadOnCall(db, resident.orgId)
    return whoIsOnDuty({ ...onCall, role, areaId: r.area_id, at }).map(d => d.staffId)
  }
  const supervisor = async (): Promise<Recipient[]> => {
    const duty = await staff(await onDuty('supervisor'))
    if (duty.length > 0) return duty
    const { rows } = await db.query<StaffRow>(
      `SELECT id, role, full_name, phone, email FROM staff WHERE org_id = $1 AND role = 'supervisor' AND active ORDER BY id LIMIT 1`,
      [resident.orgId],
    )
    return rows.map(staffRecipient)
  }

  const out: Recipient[] = []
  for (const target of targets) {
    if (target.kind === 'assigned_carer') out.push(...(await staff(r.assigned_carer_id ? [r.assigned_carer_id] : [])))
    else if (target.kind === 'family_doctor') out.push(...(await staff(r.family_doctor_id ? [r.family_doctor_id] : [])))
    else if (target.kind === 'supervisor') out.push(...(await supervisor()))
    else if (target.kind === 'call_120') out.push({ kind: 'recommendation', id: 'call_120', role: null, name: null, phone: '120', email: null })
    else if (target.kind === 'on_duty') {
      const duty = await staff(await onDuty(target.role))
      out.push(...(duty.length > 0 ? duty : await supervisor()))
    } else if (target.kind === 'family_contacts') {
      const { rows } = await db.query<{ position: number; full_name: string; relation: string; phone: string }>(
        'SELECT position, full_name, relation, phone FROM emergency_contacts WHERE resident_id = $1 ORDER BY position LIMIT $2',
        [resident.residentId, target.max ?? 100],
      )
      out.push(...rows.map(c => ({ kind: 'contact' as const, id: `${resident.residentId}:contact:${c.position}`, role: c.relation, name: c.full_name, phone: c.phone, email: null })))
    }
  }
  // The same person reached through two targets of one step is notified once.
  return out.filter((recipient, i) => out.findIndex(o => o.kind === recipient.kind && o.id === recipient.id) === i)
}
