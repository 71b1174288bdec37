import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { DEFAULT_POLICIES, validatePolicy, type EscalationPolicy } from '@anxin/escalation'
import type { ConsoleContext } from '../adapters/console-context.ts'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, forbidden, notFound } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { auditIn } from '../adapters/console-audit.ts'

// Policy ids include the defaults' `default:<org>:<name>` form.
const policyParams = z.object({ policyId: z.string().regex(/^[A-Za-z0-9:._-]{1,128}$/, 'letters, digits and : . _ -, up to 128 characters') }).strict()

const target = z.union([
  z.object({ kind: z.enum(['assigned_carer', 'family_doctor', 'supervisor', 'call_120']) }),
  z.object({ kind: z.literal('on_duty'), role: z.enum(['operator', 'carer', 'doctor', 'supervisor']) }),
  z.object({ kind: z.literal('family_contacts'), max: z.number().int().min(1).optional() }),
])
/** The stored and answered shape; requests are checked by the escalation service's own validator instead. */
const policySchema = z.object({
  id: z.string(),
  name: z.string(),
  match: z.object({ alarmTypes: z.array(z.string()).optional(), minPriority: z.number().optional() }),
  steps: z.array(z.object({ targets: z.array(target), waitSeconds: z.number(), channels: z.array(z.string()) })),
  handlingTimeoutSeconds: z.number().int(),
  arrivalTimeoutSeconds: z.number().int(),
  repeatLastStepEverySeconds: z.number().int(),
})
type Policy = z.infer<typeof policySchema>

type PolicyRow = {
  id: string; name: string; match: Policy['match']; steps: Policy['steps']; handling_timeout_seconds: number; arrival_timeout_seconds: number; repeat_every_seconds: number
}
const toPolicy = (r: PolicyRow): Policy => ({
  id: r.id, name: r.name, match: r.match, steps: r.steps, handlingTimeoutSeconds: r.handling_timeout_seconds, arrivalTimeoutSeconds: r.arrival_timeout_seconds,
  repeatLastStepEverySeconds: r.repeat_every_seconds,
})
const COLUMNS = 'id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds'

const TIMEOUTS = ['handlingTimeoutSeconds', 'arrivalTimeoutSeconds', 'repeatLastStepEverySeconds'] as const

/**
 * Every problem with a policy as sent, named by field: the escalation service's own checks (the rules the
 * engine relies on when an SOS needs the policy), plus what the table needs (whole seconds, a sensible name).
 */
function policyProblems(candidate: EscalationPolicy): string[] {
  const problems = validatePolicy(candidate)
  const raw = candidate as unknown as Record<string, unknown>
  for (const field of TIMEOUTS) if (typeof raw[field] === 'number' && !Number.isInteger(raw[field])) problems.push(`${field}: must be whole seconds`)
  if (typeof raw.name === 'string' && raw.name.length > 200) problems.push('name: longer than 200 characters')
  return problems
}

/** Only the known fields are stored: a target carries its kind and the one option its kind has. */
function normalise(policy: EscalationPolicy): Omit<Policy, 'id'> {
  const match: Policy['match'] = {}
  if (policy.match.alarmTypes !== undefined) match.alarmTypes = policy.match.alarmTypes
  if (policy.match.minPriority !== undefined) match.minPriority = policy.match.minPriority
  return {
    name: policy.name.trim(),
    match,
    steps: policy.steps.map(s => ({
      targets: s.targets.map(t => (t.kind === 'on_duty' ? { kind: t.kind, role: t.role } : t.kind === 'family_contacts' && t.max !== undefined ? { kind: t.kind, max: t.max } : { kind: t.kind })),
      waitSeconds: s.waitSeconds,
      channels: s.channels,
    })),
    handlingTimeoutSeconds: policy.handlingTimeoutSeconds,
    arrivalTimeoutSeconds: policy.arrivalTimeoutSeconds,
    repeatLastStepEverySeconds: policy.repeatLastStepEverySeconds,
  }
}

// Policies apply to the whole organisation; area staff may read them but not change what every area gets.
function organisationWide(user: SessionUser): void {
  if (user.areaId) throw forbidden('escalation policies apply to the whole organisation; only organisation-wide staff may change them')
}

export function registerPolicyRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  // Policies have no area: every query is scoped to the user's organisation.
  api.route({
    method: 'GET', url: '/api/policies', tag: 'policies', summary: "The organisation's escalation policies", permission: 'policies.read',
    response: z.object({ items: z.array(policySchema), defaultsInEffect: z.boolean() }),
    handler: async ({ user }) => {
      const { rows } = await pool.query<PolicyRow>(`SELECT ${COLUMNS} FROM escalation_policies WHERE org_id = $1 ORDER BY id`, [user.orgId])
      // With none stored, escalation runs its built-in ladder: show it, so the page never says "no policy" while one is in force.
      if (rows.length === 0) return { items: DEFAULT_POLICIES(user.orgId).map(({ orgId: _orgId, ...policy }) => policy), defaultsInEffect: true }
      return { items: rows.map(toPolicy), defaultsInEffect: false }
    },
  })

  api.route({
    method: 'PUT', url: '/api/policies/:policyId', tag: 'policies', summary: 'Create or replace an escalation policy (every problem is named)',
    permission: 'policies.write', params: policyParams, body: z.record(z.string(), z.unknown()), response: policySchema,
    handler: async ({ user, params, body }) => {
      organisationWide(user)
      const candidate = { ...body, id: params.policyId, orgId: user.orgId } as unknown as EscalationPolicy
      const problems = policyProblems(candidate)
      if (problems.length > 0) throw new ApiError(400, 'invalid_policy', problems.join('; '))
      const policy = normalise(candidate)
      const now = context.now()
      const saved = await withTransaction(pool, async client => {
        const before = await client.query<{ org_id: string }>('SELECT org_id FROM escalation_policies WHERE id = $1 FOR UPDATE', [params.policyId])
        const existing = before.rows[0]
        if (existing && existing.org_id !== user.orgId) throw new ApiError(409, 'already_exists', `the policy id ${params.policyId} is taken; choose another`)
        const { rows } = await client.query<PolicyRow>(
          `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, match = EXCLUDED.match, steps = EXCLUDED.steps,
             handling_timeout_seconds = EXCLUDED.handling_timeout_seconds, arrival_timeout_seconds = EXCLUDED.arrival_timeout_seconds,
             repeat_every_seconds = EXCLUDED.repeat_every_seconds, updated_at = now()
           RETURNING ${COLUMNS}`,
          [params.policyId, user.orgId, policy.name, JSON.stringify(policy.match), JSON.stringify(policy.steps), policy.handlingTimeoutSeconds,
            policy.arrivalTimeoutSeconds, policy.repeatLastStepEverySeconds],
        )
        await auditIn(client, user, { action: existing ? 'update_policy' : 'create_policy', detail: { policyId: params.policyId } }, now)
        return rows[0] as PolicyRow
      })
      return toPolicy(saved)
    },
  })

  api.route({
    method: 'DELETE', url: '/api/policies/:policyId', tag: 'policies', summary: 'Delete an escalation policy (never the last one)', permission: 'policies.write',
    params: policyParams,
    handler: async ({ user, params }) => {
      organisationWide(user)
      const now = context.now()
      await withTransaction(pool, async client => {
        // Locks the organisation's policies, so two deletions at once cannot both pass the last-policy check.
        const { rows } = await client.query<{ id: string }>('SELECT id FROM escalation_policies WHERE org_id = $1 ORDER BY id FOR UPDATE', [user.orgId])
        if (!rows.some(r => r.id === params.policyId)) throw notFound('policy')
        // With no policy left the engine silently falls back to its built-in defaults, which nobody chose.
        if (rows.length === 1) throw new ApiError(409, 'last_policy', 'this is the organisation\'s last escalation policy; add another before deleting it')
        await client.query('DELETE FROM escalation_policies WHERE id = $1', [params.policyId])
        await auditIn(client, user, { action: 'delete_policy', detail: { policyId: params.policyId } }, now)
      })
      return undefined
    },
  })
}
