import { DEVICE_ALARM_TYPES, PERSON_ALARM_TYPES, VITAL_ALARM_TYPES } from '@anxin/contracts'
import { CHANNELS, type Channel } from './lifecycle-types.ts'

/**
 * Escalation policies: per organisation, which people the engine notifies for an alarm, in which order, over
 * which channels, and how long it waits for someone to take the alarm before going further up the ladder.
 *
 * A policy names roles and relations (TargetSpec), never people: the caller resolves them at the moment a
 * step runs (the carer assigned to the resident, whoever is on the rota now), so a policy never goes stale
 * when staff change shifts or leave.
 */

export const ON_DUTY_ROLES = ['operator', 'carer', 'doctor', 'supervisor'] as const
export type OnDutyRole = (typeof ON_DUTY_ROLES)[number]

export type TargetSpec =
  /** The carer assigned to the resident in the care plan. */
  | { kind: 'assigned_carer' }
  /** Whoever the on-call schedule has on duty for the role at the moment the step runs. */
  | { kind: 'on_duty'; role: OnDutyRole }
  /** The resident's contracted family doctor (家庭医生签约). */
  | { kind: 'family_doctor' }
  /** The resident's emergency contacts in their priority order; `max` caps how many (absent: all). */
  | { kind: 'family_contacts'; max?: number }
  /** The supervisor responsible for the resident's organisation or area. */
  | { kind: 'supervisor' }
  /**
   * A recommendation shown to the operator to call the 120 emergency service. The platform never calls 120
   * itself: a person must speak to the dispatcher, give the address and stay on the line.
   */
  | { kind: 'call_120' }

export const TARGET_KINDS = ['assigned_carer', 'on_duty', 'family_doctor', 'family_contacts', 'supervisor', 'call_120'] as const

export type PolicyStep = {
  /** Notified in parallel; any one of them may acknowledge. */
  targets: TargetSpec[]
  /**
   * How long to wait for an acknowledgement before the next step runs. Unused on the last step, which
   * repeats every `repeatLastStepEverySeconds` instead.
   */
  waitSeconds: number
  channels: Channel[]
}

export type EscalationPolicy = {
  id: string
  orgId: string
  name: string
  /** Absent `alarmTypes`: every type. Absent `minPriority`: every priority (the alert service's priority). */
  match: { alarmTypes?: string[]; minPriority?: number }
  steps: PolicyStep[]
  /** Acknowledged, but no dispatch, arrival or outcome within this: escalation resumes at the next step. */
  handlingTimeoutSeconds: number
  /** Dispatched, but the responder has not arrived within this: escalation resumes at the next step. */
  arrivalTimeoutSeconds: number
  /** Once the ladder is exhausted the last step is notified again at this interval until someone acts. */
  repeatLastStepEverySeconds: number
}

export type AlarmForPolicy = { orgId: string; type: string; priority: number }

/**
 * The policy for an alarm: among the organisation's policies whose match fits, the most specific.
 *
 * A policy fits when its type list names the alarm's type (or it has no type list) and the alarm's priority
 * is at least its `minPriority` (or it has none). Specificity, compared in this order:
 * 1. a type list beats no type list: a policy written for falls says more about a fall than a catch-all,
 *    whatever the catch-all's priority threshold;
 * 2. a higher `minPriority` beats a lower one, and any beats none: a "critical vitals" policy overrides the
 *    ordinary vitals policy for the alarms it was written for;
 * 3. ties go to the smallest id (plain code-unit order, not locale order), so the choice never depends on the
 *    order the policies were loaded in.
 * The length of a type list does not count: ["sos"] and ["sos", "fall"] are equally specific.
 *
 * null when nothing fits: the caller must still get the alarm in front of a person (DEFAULT_POLICIES ends
 * with a catch-all so that an organisation using them never gets null).
 */
export function selectPolicy(policies: readonly EscalationPolicy[], alarm: AlarmForPolicy): EscalationPolicy | null {
  let best: EscalationPolicy | null = null
  for (const policy of policies) {
    if (policy.orgId !== alarm.orgId || !fits(policy, alarm)) continue
    if (best === null || moreSpecific(policy, best)) best = policy
  }
  return best
}

function fits(policy: EscalationPolicy, alarm: AlarmForPolicy): boolean {
  const { alarmTypes, minPriority } = policy.match
  if (alarmTypes !== undefined && !alarmTypes.includes(alarm.type)) return false
  if (minPriority !== undefined && !(alarm.priority >= minPriority)) return false
  return true
}

function moreSpecific(a: EscalationPolicy, b: EscalationPolicy): boolean {
  const aTyped = a.match.alarmTypes !== undefined
  const bTyped = b.match.alarmTypes !== undefined
  if (aTyped !== bTyped) return aTyped
  const aMin = a.match.minPriority ?? -Infinity
  const bMin = b.match.minPriority ?? -Infinity
  if (aMin !== bMin) return aMin > bMin
  return a.id < b.id
}

/** The alert service's alarm types, grouped the way the default policies treat them. */
const PERSON_CRITICAL_TYPES = PERSON_ALARM_TYPES
const VITALS_TYPES = VITAL_ALARM_TYPES
const WELLBEING_TYPES = [...VITALS_TYPES, 'inactivity', 'geofence_exit']
const DEVICE_TYPES = DEVICE_ALARM_TYPES

/**
 * The alert service's priority for a critical alarm: severity base 400, ledger flags add at most 40, and a
 * high alarm with every flag (340) stays below it (services/alert/src/domain/priority.ts).
 */
export const CRITICAL_PRIORITY = 400

/**
 * The ladder for emergencies: a person may be on the floor or unable to breathe.
 * - Step 0 puts the alarm on the operator's console and the assigned carer's phone at once and waits 60 s:
 *   the TSA (UK Telecare Services Association) code of practice has alarm calls answered within 60 s, and a
 *   carer down the corridor can be there before the operator has finished calling.
 * - Step 1 (after 60 s unanswered) brings in the family doctor and up to three emergency contacts by app,
 *   phone and SMS: they know the resident and often live close by. Three, in the resident's order, because
 *   ringing every relative at once mostly has them ringing each other.
 * - Step 2 (after a further 120 s) goes to the supervisor and shows the operator the recommendation to call
 *   120: three minutes with nobody taking an SOS is itself an incident.
 * - Handling 15 min: an acknowledged emergency with nobody sent and no outcome in a quarter of an hour is not
 *   being handled. Arrival 30 min: the usual on-site target for community responders; later than that, the
 *   ladder resumes so someone else is found. Repeat every 5 min until someone acts.
 */
function criticalSteps(): PolicyStep[] {
  return [
    { targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 60, channels: ['console', 'responder_app', 'sms'] },
    { targets: [{ kind: 'family_doctor' }, { kind: 'family_contacts', max: 3 }], waitSeconds: 120, channels: ['responder_app', 'phone', 'sms'] },
    { targets: [{ kind: 'supervisor' }, { kind: 'call_120' }], waitSeconds: 180, channels: ['console', 'phone', 'sms'] },
  ]
}

/**
 * Sensible starting policies for an organisation; ids are `default:${orgId}:…` so they are unique across
 * organisations and sort in a fixed order. Each is commented where it departs from the critical ladder.
 */
export function DEFAULT_POLICIES(orgId: string): EscalationPolicy[] {
  const id = (name: string): string => `default:${orgId}:${name}`
  return [
    {
      id: id('critical-person'),
      orgId,
      name: 'SOS and falls',
      match: { alarmTypes: [...PERSON_CRITICAL_TYPES] },
      steps: criticalSteps(),
      handlingTimeoutSeconds: 15 * 60,
      arrivalTimeoutSeconds: 30 * 60,
      repeatLastStepEverySeconds: 300,
    },
    {
      // A critical reading (SpO2 far below the line, a heart rate of 40) is an emergency like a fall, so it
      // takes the same ladder, 120 recommendation included; the more specific match makes it win over the
      // ordinary wellbeing policy below.
      id: id('critical-vitals'),
      orgId,
      name: 'Critical vital signs',
      match: { alarmTypes: [...VITALS_TYPES], minPriority: CRITICAL_PRIORITY },
      steps: criticalSteps(),
      handlingTimeoutSeconds: 15 * 60,
      arrivalTimeoutSeconds: 30 * 60,
      repeatLastStepEverySeconds: 300,
    },
    {
      // Out-of-range vitals, no movement, leaving the safe zone: worrying but usually minutes, not seconds,
      // matter. The operator and carer get 2 minutes, then the doctors (the family doctor, and the doctor on
      // duty in case the resident has none), then the supervisor with the family, who know where a wandering
      // resident tends to go.
      id: id('wellbeing'),
      orgId,
      name: 'Vital signs, inactivity and geofence',
      match: { alarmTypes: [...WELLBEING_TYPES] },
      steps: [
        { targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 120, channels: ['console', 'responder_app'] },
        { targets: [{ kind: 'family_doctor' }, { kind: 'on_duty', role: 'doctor' }], waitSeconds: 300, channels: ['responder_app', 'sms'] },
        { targets: [{ kind: 'supervisor' }, { kind: 'family_contacts', max: 3 }], waitSeconds: 600, channels: ['console', 'responder_app', 'sms'] },
      ],
      handlingTimeoutSeconds: 30 * 60,
      arrivalTimeoutSeconds: 60 * 60,
      repeatLastStepEverySeconds: 900,
    },
    {
      // A flat battery or a watch left on the nightstand leaves the resident unprotected, but fixing it is a
      // phone call during the operator's shift, not an emergency: console only, one step, a reminder every
      // 30 min, and hours (not minutes) to get it charged or replaced.
      id: id('device'),
      orgId,
      name: 'Device supervision',
      match: { alarmTypes: [...DEVICE_TYPES] },
      steps: [{ targets: [{ kind: 'on_duty', role: 'operator' }], waitSeconds: 1800, channels: ['console'] }],
      handlingTimeoutSeconds: 4 * 3600,
      arrivalTimeoutSeconds: 4 * 3600,
      repeatLastStepEverySeconds: 1800,
    },
    {
      // Any type the lists above do not know (a new rule in the alert service) still reaches the operator
      // and carer, then the supervisor, who can decide whether it needs a policy of its own.
      id: id('fallback'),
      orgId,
      name: 'Other alarms',
      match: {},
      steps: [
        { targets: [{ kind: 'on_duty', role: 'operator' }, { kind: 'assigned_carer' }], waitSeconds: 120, channels: ['console', 'responder_app'] },
        { targets: [{ kind: 'supervisor' }], waitSeconds: 600, channels: ['console', 'sms'] },
      ],
      handlingTimeoutSeconds: 30 * 60,
      arrivalTimeoutSeconds: 60 * 60,
      repeatLastStepEverySeconds: 900,
    },
  ]
}

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS)
const TARGET_KIND_SET: ReadonlySet<string> = new Set(TARGET_KINDS)
const ROLE_SET: ReadonlySet<string> = new Set(ON_DUTY_ROLES)

/**
 * The problems with a policy, as messages naming the field (e.g. `steps[1].waitSeconds: -5 is negative`);
 * empty when it is usable. Policies are edited by people and stored as JSON, so nothing about the shape is
 * trusted: a malformed policy must be refused when saved, not discovered when an SOS needs it.
 */
export function validatePolicy(policy: EscalationPolicy): string[] {
  const problems: string[] = []
  const p = policy as unknown as Partial<Record<string, unknown>>
  for (const field of ['id', 'orgId', 'name'] as const) {
    if (typeof p[field] !== 'string' || (p[field] as string).trim() === '') problems.push(`${field}: must be a non-empty string`)
  }

  const match = p.match as Partial<Record<string, unknown>> | undefined
  if (typeof match !== 'object' || match === null) {
    problems.push('match: must be an object ({} matches every alarm)')
  } else {
    const types = match.alarmTypes
    if (types !== undefined) {
      if (!Array.isArray(types) || types.some(t => typeof t !== 'string' || t === '')) {
        problems.push('match.alarmTypes: must be a list of alarm type names')
      } else if (types.length === 0) {
        // An empty list matches nothing, which is never what was meant; leaving it out matches every type.
        problems.push('match.alarmTypes: is empty and would match no alarm; leave it out to match every type')
      }
    }
    if (match.minPriority !== undefined && !isFiniteNumber(match.minPriority)) problems.push('match.minPriority: must be a number')
  }

  const steps = p.steps
  if (!Array.isArray(steps) || steps.length === 0) {
    problems.push('steps: a policy needs at least one step')
  } else {
    steps.forEach((step: unknown, i) => problems.push(...stepProblems(step, `steps[${i}]`)))
  }

  for (const field of ['handlingTimeoutSeconds', 'arrivalTimeoutSeconds', 'repeatLastStepEverySeconds'] as const) {
    const value = p[field]
    // Zero is refused too: a zero repeat interval would re-notify in a tight loop, and a zero timeout would
    // resume escalation the moment someone acknowledged.
    if (!isFiniteNumber(value)) problems.push(`${field}: must be a number of seconds`)
    else if (value <= 0) problems.push(`${field}: ${value} must be greater than 0`)
  }
  return problems
}

function stepProblems(step: unknown, at: string): string[] {
  if (typeof step !== 'object' || step === null) return [`${at}: must be an object`]
  const s = step as Partial<Record<string, unknown>>
  const problems: string[] = []

  const targets = s.targets
  if (!Array.isArray(targets) || targets.length === 0) {
    problems.push(`${at}.targets: a step needs at least one target`)
  } else {
    targets.forEach((target: unknown, j) => problems.push(...targetProblems(target, `${at}.targets[${j}]`)))
  }

  if (!isFiniteNumber(s.waitSeconds)) problems.push(`${at}.waitSeconds: must be a number of seconds`)
  else if (s.waitSeconds < 0) problems.push(`${at}.waitSeconds: ${s.waitSeconds} is negative`)

  const channels = s.channels
  if (!Array.isArray(channels) || channels.length === 0) {
    problems.push(`${at}.channels: a step needs at least one channel`)
  } else {
    for (const channel of channels) {
      if (typeof channel !== 'string' || !CHANNEL_SET.has(channel)) problems.push(`${at}.channels: unknown channel ${JSON.stringify(channel)}`)
      // 'system' is how the platform's own actions are recorded; nobody reads it, so nothing sent on it arrives.
      else if (channel === 'system') problems.push(`${at}.channels: 'system' is not a notification channel`)
    }
    // The 120 recommendation is shown on the operator's console; without it the advice reaches nobody.
    const call120 = Array.isArray(targets) && targets.some(t => isObject(t) && t.kind === 'call_120')
    if (call120 && !channels.includes('console')) problems.push(`${at}.channels: call_120 is shown on the operator console; add 'console'`)
  }
  return problems
}

function targetProblems(target: unknown, at: string): string[] {
  if (!isObject(target)) return [`${at}: must be an object with a kind`]
  if (typeof target.kind !== 'string' || !TARGET_KIND_SET.has(target.kind)) return [`${at}: unknown target kind ${JSON.stringify(target.kind)}`]
  if (target.kind === 'on_duty' && (typeof target.role !== 'string' || !ROLE_SET.has(target.role))) {
    return [`${at}.role: unknown on-duty role ${JSON.stringify(target.role)} (one of ${ON_DUTY_ROLES.join(', ')})`]
  }
  if (target.kind === 'family_contacts' && target.max !== undefined && !(Number.isInteger(target.max) && (target.max as number) >= 1)) {
    return [`${at}.max: must be a whole number of at least 1 (leave it out for all contacts)`]
  }
  return []
}

function isObject(value: unknown): value is Partial<Record<string, unknown>> {
  return typeof value === 'object' && value !== null
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}
