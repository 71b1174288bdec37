import type pg from 'pg'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { auditConsole, auditIn } from '../adapters/console-audit.ts'
import { scopeSql, type ConsoleContext } from '../adapters/console-context.ts'
import { recordRegistryChange } from '../adapters/registry-events.ts'
import { STAFF_COLUMNS, staffRefSchema, toStaffRef, type StaffRow } from '../adapters/resident-records.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, notFound } from './api-error.ts'
import { invalid, refSchema } from './registry-kit.ts'
import { checkStaffRole, todayIn } from './resident-routes.ts'
import type { ApiRouter } from './route-kit.ts'

/** Consent to the processing of a resident's data (a history, never overwritten) and family-doctor sign-up (家庭医生签约). */

export const CONSENT_PURPOSES = ['health_data_processing', 'location_tracking', 'family_notification', 'share_with_doctor'] as const
const GIVERS = ['self', 'guardian', 'family'] as const

const residentParams = z.object({ residentId: refSchema }).strict()
const consentBody = z.object({
  purpose: z.enum(CONSENT_PURPOSES),
  granted: z.boolean(),
  givenBy: z.enum(GIVERS),
  givenByName: z.string().trim().min(1).max(100).optional(),
  evidenceRef: z.string().trim().min(1).max(200).optional(),
}).strict().refine(b => b.givenBy === 'self' || b.givenByName !== undefined, { message: 'name the guardian or family member who gave it', path: ['givenByName'] })
const consentRecord = z.object({
  id: z.string(), purpose: z.enum(CONSENT_PURPOSES), granted: z.boolean(), givenBy: z.enum(GIVERS), givenByName: z.string().nullable(),
  evidenceRef: z.string().nullable(), recordedBy: z.object({ id: z.string(), fullName: z.string() }).nullable(), recordedAt: z.string(),
})
type ConsentRecord = z.infer<typeof consentRecord>
const consentsAnswer = z.object({
  current: z.array(z.object({ purpose: z.enum(CONSENT_PURPOSES), granted: z.boolean(), givenBy: z.enum(GIVERS), recordedAt: z.string() })),
  history: z.array(consentRecord),
})

const contractBody = z.object({ doctorId: refSchema, signedOn: z.iso.date(), expiresOn: z.iso.date().optional() }).strict()
  .refine(b => b.expiresOn === undefined || b.expiresOn > b.signedOn, { message: 'must be after signedOn', path: ['expiresOn'] })
const contractSchema = z.object({ id: z.string(), doctor: staffRefSchema, signedOn: z.string(), expiresOn: z.string().nullable(), endedOn: z.string().nullable() })

type ConsentRow = {
  id: string; purpose: ConsentRecord['purpose']; granted: boolean; given_by: ConsentRecord['givenBy']; given_by_name: string | null; evidence_ref: string | null
  recorded_by: string | null; recorder_name: string | null; recorded_at: Date
}
const toConsent = (r: ConsentRow): ConsentRecord => ({
  id: r.id, purpose: r.purpose, granted: r.granted, givenBy: r.given_by, givenByName: r.given_by_name, evidenceRef: r.evidence_ref,
  recordedBy: r.recorded_by ? { id: r.recorded_by, fullName: r.recorder_name ?? r.recorded_by } : null, recordedAt: r.recorded_at.toISOString(),
})
const CONSENT_SELECT = `
SELECT c.id::text, c.purpose, c.granted, c.given_by, c.given_by_name, c.evidence_ref, c.recorded_by, s.full_name AS recorder_name, c.recorded_at
  FROM consent_records c LEFT JOIN staff s ON s.id = c.recorded_by`

type ContractRow = StaffRow & { contract_id: string; signed_on: string; expires_on: string | null; ended_on: string | null }
const CONTRACT_SELECT = `
SELECT c.id::text AS contract_id, to_char(c.signed_on, 'YYYY-MM-DD') AS signed_on, to_char(c.expires_on, 'YYYY-MM-DD') AS expires_on,
       to_char(c.ended_on, 'YYYY-MM-DD') AS ended_on, ${STAFF_COLUMNS.split(', ').map(col => `s.${col}`).join(', ')}
  FROM family_doctor_contracts c JOIN staff s ON s.id = c.doctor_id`
const toContract = (r: ContractRow): z.infer<typeof contractSchema> => ({
  id: r.contract_id, doctor: toStaffRef(r), signedOn: r.signed_on, expiresOn: r.expires_on, endedOn: r.ended_on,
})

/** The resident, when in the user's scope (locked for a change when `lock`); 404 otherwise. */
async function checkResident(db: pg.Pool | pg.ClientBase, user: SessionUser, residentId: string, lock = false): Promise<void> {
  const values: unknown[] = [residentId]
  const { rowCount } = await db.query(
    `SELECT 1 FROM residents r WHERE r.id = $1 AND ${scopeSql(user, values, { org: 'r.org_id', area: 'r.area_id' })}${lock ? ' FOR UPDATE' : ''}`, values)
  if (!rowCount) throw notFound('resident')
}

export function registerConsentRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route({
    method: 'GET', url: '/api/residents/:residentId/consents', tag: 'residents', summary: "A resident's consents: what holds now per purpose, and the history (audited)",
    permission: 'residents.read', params: residentParams, response: consentsAnswer,
    handler: async ({ user, params }) => {
      await checkResident(pool, user, params.residentId)
      const { rows } = await pool.query<ConsentRow>(`${CONSENT_SELECT} WHERE c.resident_id = $1 ORDER BY c.recorded_at DESC, c.id DESC`, [params.residentId])
      const history = rows.map(toConsent)
      // The latest record per purpose is what holds now.
      const current = CONSENT_PURPOSES.flatMap(purpose => {
        const latest = history.find(h => h.purpose === purpose)
        return latest ? [{ purpose, granted: latest.granted, givenBy: latest.givenBy, recordedAt: latest.recordedAt }] : []
      })
      await auditConsole(pool, user, { action: 'view_consents', residentId: params.residentId }, context.now())
      return { current, history }
    },
  })

  api.route({
    method: 'POST', url: '/api/residents/:residentId/consents', tag: 'residents', summary: 'Record a consent given or withdrawn (added to the history)',
    permission: 'residents.write', params: residentParams, body: consentBody, response: consentRecord, successStatus: 201,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      const id = await withTransaction(pool, async client => {
        await checkResident(client, user, params.residentId, true)
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO consent_records (resident_id, purpose, granted, given_by, given_by_name, recorded_by, recorded_at, evidence_ref)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text`,
          [params.residentId, body.purpose, body.granted, body.givenBy, body.givenByName ?? null, user.staffId, now, body.evidenceRef ?? null])
        const consentId = inserted.rows[0]!.id
        const fields = Object.keys(body).sort()
        await auditIn(client, user, { action: 'record_consent', residentId: params.residentId, detail: { consentId, fields } }, now)
        await recordRegistryChange(client, user, { entity: 'consent', entityId: consentId, action: 'created', fields, residentIds: [params.residentId] }, now)
        return consentId
      })
      const { rows } = await pool.query<ConsentRow>(`${CONSENT_SELECT} WHERE c.id = $1`, [id])
      return toConsent(rows[0]!)
    },
  })

  api.route({
    method: 'GET', url: '/api/residents/:residentId/doctor-contracts', tag: 'residents', summary: "A resident's family-doctor contracts, newest first",
    permission: 'residents.read', params: residentParams, response: z.object({ items: z.array(contractSchema) }),
    handler: async ({ user, params }) => {
      await checkResident(pool, user, params.residentId)
      const { rows } = await pool.query<ContractRow>(`${CONTRACT_SELECT} WHERE c.resident_id = $1 ORDER BY c.signed_on DESC, c.id DESC`, [params.residentId])
      return { items: rows.map(toContract) }
    },
  })

  api.route({
    method: 'POST', url: '/api/residents/:residentId/doctor-contracts', tag: 'residents',
    summary: 'Sign the resident up with a family doctor: the contract in force ends, the doctor becomes their family doctor',
    permission: 'residents.write', params: residentParams, body: contractBody, response: contractSchema, successStatus: 201,
    handler: async ({ user, params, body }) => {
      const now = context.now()
      if (body.signedOn > todayIn(user.timezone, now)) throw invalid('signedOn', `${body.signedOn} is in the future`)
      const id = await withTransaction(pool, async client => {
        await checkResident(client, user, params.residentId, true)
        await checkStaffRole(client, user, body.doctorId, 'doctor', 'doctorId')
        const current = await client.query<{ id: string; signed_on: string }>(
          `SELECT id::text, to_char(signed_on, 'YYYY-MM-DD') AS signed_on FROM family_doctor_contracts WHERE resident_id = $1 AND ended_on IS NULL FOR UPDATE`,
          [params.residentId])
        const previous = current.rows[0]
        if (previous && previous.signed_on > body.signedOn) {
          throw new ApiError(409, 'out_of_order', `the contract in force was signed on ${previous.signed_on}, after ${body.signedOn}`)
        }
        if (previous) await client.query('UPDATE family_doctor_contracts SET ended_on = $2 WHERE id = $1', [previous.id, body.signedOn])
        const inserted = await client.query<{ id: string }>(
          'INSERT INTO family_doctor_contracts (resident_id, doctor_id, signed_on, expires_on) VALUES ($1, $2, $3, $4) RETURNING id::text',
          [params.residentId, body.doctorId, body.signedOn, body.expiresOn ?? null])
        const contractId = inserted.rows[0]!.id
        await client.query('UPDATE residents SET family_doctor_id = $2, updated_at = now() WHERE id = $1', [params.residentId, body.doctorId])
        const fields = Object.keys(body).sort()
        await auditIn(client, user, { action: 'sign_doctor_contract', residentId: params.residentId, detail: { contractId, endedContractId: previous?.id ?? null, fields } }, now)
        await recordRegistryChange(client, user, { entity: 'doctor_contract', entityId: contractId, action: 'created', fields, residentIds: [params.residentId] }, now)
        await recordRegistryChange(client, user, { entity: 'resident', entityId: params.residentId, action: 'updated', fields: ['familyDoctorId'], residentIds: [params.residentId] }, now)
        return contractId
      })
      const { rows } = await pool.query<ContractRow>(`${CONTRACT_SELECT} WHERE c.id = $1`, [id])
      return toContract(rows[0]!)
    },
  })
}
