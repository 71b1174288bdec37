import type pg from 'pg'
import { derivedDevicePassword, mosquittoPasswordHash } from '@anxin/credentials'
import { localMinuteOfDay, wallClockAt } from '../../packages/wall-clock/src/index.ts'
import { DEFAULT_POLICIES, type EscalationPolicy, type TargetSpec } from '../../services/escalation/src/domain/policy.ts'
import type { Channel } from '../../services/escalation/src/domain/lifecycle-types.ts'
import type { ScenarioClock } from './clock.ts'
import { scheduleOf, type Scenario } from './schema.ts'

const DAY = 86_400_000
const FIXTURE_SECRET = 'scenario-fleet-secret'

/** The ids one scenario's people and devices were registered under (each scenario has its own organisation). */
export type ScenarioIds = {
  prefix: string
  orgId: string
  residentId: string
  staff: Record<string, string>
  devices: Record<string, { deviceId: string; password: string }>
}

/** Ids for a scenario, known before anything is written: the broker must know the devices' passwords up front. */
export function idsFor(scenario: Scenario, prefix: string): ScenarioIds {
  const devices = Object.fromEntries(Object.keys(scenario.resident.devices).map(key => {
    const deviceId = `${prefix}-${key}`
    return [key, { deviceId, password: derivedDevicePassword(FIXTURE_SECRET, deviceId) }]
  }))
  const staff = Object.fromEntries(Object.keys(scenario.staff).map(key => [key, `${prefix}-${key}`]))
  return { prefix, orgId: `${prefix}-org`, residentId: `${prefix}-r`, staff, devices }
}

/**
 * Writes the scenario's world into the registry: its organisation, staff and rota, the resident with her
 * ledger flags, contacts, devices, zones and care plan, and the escalation policies scaled to the speed.
 */
export async function buildFixture(pool: pg.Pool, scenario: Scenario, ids: ScenarioIds, clock: ScenarioClock): Promise<void> {
  const r = scenario.resident
  const accelerated = scenario.clock === 'accelerated'
  const epochNow = accelerated ? clock.epochStart : Date.now()
  const q = (sql: string, values: unknown[]) => pool.query(sql, values)

  await q(`INSERT INTO organisations (id, name, timezone) VALUES ($1, $2, $3)`, [ids.orgId, `${scenario.title.slice(0, 30)} 监护中心`, zoneFor(scenario, clock)])
  for (const [key, person] of Object.entries(scenario.staff)) {
    const id = ids.staff[key]!
    await q(`INSERT INTO staff (id, org_id, full_name, role, phone, email) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, ids.orgId, person.name, person.role, person.phone ?? `138${String(Math.abs(hash(id))).padStart(8, '0').slice(0, 8)}`, `${id}@anxin.test`])
    if (person.role === 'carer' || person.role === 'doctor') {
      await q(`INSERT INTO responder_profiles (staff_id, skills, available, lat, lon, position_at) VALUES ($1, '{first_aid}', true, $2, $3, now())`,
        [id, r.home.lat + 0.002, r.home.lon])
    }
  }
  const onDuty = Object.entries(scenario.staff).filter(([, p]) => p.onDuty)
  for (const role of new Set(onDuty.map(([, p]) => p.role))) {
    await q(`INSERT INTO oncall_rotations (id, org_id, role, members, start_date, shift_hours) VALUES ($1, $2, $3, $4, '2026-01-01', 24)`,
      [`${ids.prefix}-rota-${role}`, ids.orgId, role, onDuty.filter(([, p]) => p.role === role).map(([k]) => ids.staff[k])])
  }

  const veryOld = r.age >= 80
  const birth = new Date(epochNow - (r.age * 365.25 + 40) * DAY).toISOString().slice(0, 10)
  await q(
    `INSERT INTO residents (id, org_id, full_name, gender, birth_date, address, lat, lon, living_situation, care_level, conditions,
       flag_very_old, flag_living_alone, flag_dementia, assigned_carer_id, family_doctor_id)
     VALUES ($1, $2, $3, $4, $5, '幸福社区 3 号楼 201', $6, $7, $8, 'independent', $9, $10, $11, $12, $13, $14)`,
    [ids.residentId, ids.orgId, r.name, r.gender, birth, r.home.lat, r.home.lon, r.livesAlone ? 'alone' : 'with_family', r.conditions,
      veryOld, r.livesAlone, r.conditions.includes('dementia'), r.carer ? ids.staff[r.carer] : null, r.doctor ? ids.staff[r.doctor] : null],
  )
  for (const [i, c] of r.contacts.entries()) {
    await q(`INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ($1, $2, $3, $4, $5)`, [ids.residentId, i + 1, c.name, c.relation, c.phone])
  }
  for (const [key, d] of Object.entries(r.devices)) {
    const { deviceId, password } = ids.devices[key]!
    const since = new Date(epochNow - (d.boundAgo ?? 0) * 1000)
    await q(`INSERT INTO devices (id, org_id, type, mqtt_password_hash, supervision_interval_s, test_mode, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [deviceId, ids.orgId, d.type, mosquittoPasswordHash(password), Math.round(d.supervision), d.testMode, since])
    await q('INSERT INTO device_bindings (device_id, resident_id, bound_at) VALUES ($1, $2, $3)', [deviceId, ids.residentId, since])
    if (d.lastTested !== undefined) {
      await q(`INSERT INTO device_tests (device_id, at, event_id) VALUES ($1, $2, $3)`, [deviceId, new Date(epochNow - d.lastTested * 1000), `${deviceId}:fixture-test`])
    }
  }
  if (r.safeZone) {
    await q(`INSERT INTO safe_zones (id, resident_id, name, lat, lon, radius_m) VALUES ($1, $2, $3, $4, $5, $6)`, [`${ids.prefix}-zone`, ids.residentId, r.safeZone.name, r.home.lat, r.home.lon, r.safeZone.radiusM])
  }
  if (r.inactivityLimit !== undefined) {
    const minutes = Math.max(1, Math.round(r.inactivityLimit / 60))
    await q(`INSERT INTO activity_plans (resident_id, max_inactive_day_minutes, max_inactive_night_minutes) VALUES ($1, $2, $2)`, [ids.residentId, minutes])
  }
  // On the wall clock, the two minutes a vital sign must stay out of range are scaled like everything else;
  // on the accelerated clock the readings' own times already are scenario times.
  const limits = { ...r.vitalLimits }
  const sustain = limits.sustainSeconds ?? 120
  delete limits.sustainSeconds
  const sustainSeconds = accelerated ? sustain : clock.scaleWhole(sustain, 0)
  const columns = Object.keys(limits).map(k => k.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`))
  await q(`INSERT INTO resident_vital_thresholds (resident_id, sustain_seconds${columns.map(c => `, ${c}`).join('')}) VALUES ($1, $2${columns.map((_, i) => `, $${i + 3}`).join('')})`,
    [ids.residentId, sustainSeconds, ...Object.values(limits)])

  // Daily contact is judged only where the scenario asks for it: other scenarios' very old residents living
  // alone must not meet a cut-off by accident while the clock runs fast.
  await q(`INSERT INTO contact_requirements (resident_id, required) VALUES ($1, $2)`, [ids.residentId, scenario.dailyContactCutoff !== undefined])
  if (scenario.dailyContactCutoff) {
    await q(`INSERT INTO care_duty_settings (org_id, contact_cutoff) VALUES ($1, $2)`, [ids.orgId, cutoffFor(scenario, clock)])
  }
  // Visits are offered only when the scenario has someone accept one, so every task is one the story names.
  await q(`INSERT INTO dispatch_settings (org_id, auto_task_alarm_types, arrival_deadline_seconds, offer_timeout_seconds) VALUES ($1, '{}', $2, $3)`,
    [ids.orgId, clock.scaleWhole(scenario.policy?.arrivalTimeout ?? 1800), clock.scaleWhole(120)])

  for (const policy of policiesFor(scenario, ids.orgId, clock)) {
    await q(
      `INSERT INTO escalation_policies (id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [policy.id, policy.orgId, policy.name, JSON.stringify(policy.match), JSON.stringify(policy.steps), policy.handlingTimeoutSeconds, policy.arrivalTimeoutSeconds, policy.repeatLastStepEverySeconds],
    )
  }
}

/**
 * The scenario's own policy (for the types it names) and the platform's default policies, every wait and
 * timeout divided by the speed. Waits keep fractions (the steps are JSON); the timeouts are whole seconds in
 * the database, so they are rounded, never below one second.
 */
export function policiesFor(scenario: Scenario, orgId: string, clock: ScenarioClock): EscalationPolicy[] {
  const scale = (p: EscalationPolicy): EscalationPolicy => ({
    ...p,
    steps: p.steps.map(s => ({ ...s, waitSeconds: clock.scale(s.waitSeconds) })),
    handlingTimeoutSeconds: clock.scaleWhole(p.handlingTimeoutSeconds),
    arrivalTimeoutSeconds: clock.scaleWhole(p.arrivalTimeoutSeconds),
    repeatLastStepEverySeconds: clock.scaleWhole(p.repeatLastStepEverySeconds),
  })
  const own = scenario.policy
  // The scenario's policy replaces the defaults for the types it names (a default of the same specificity
  // would otherwise win on its id).
  const policies = DEFAULT_POLICIES(orgId).flatMap(p => {
    const types = p.match.alarmTypes?.filter(type => !own?.alarmTypes.includes(type as never))
    if (types === undefined) return [p]
    return types.length > 0 ? [{ ...p, match: { ...p.match, alarmTypes: types } }] : []
  })
  if (own) {
    policies.push({
      id: `${orgId}:scenario`,
      orgId,
      name: `scenario: ${scenario.name}`,
      match: { alarmTypes: own.alarmTypes },
      steps: own.steps.map(s => ({ targets: s.notify.map(targetOf), waitSeconds: s.wait, channels: s.via as Channel[] })),
      handlingTimeoutSeconds: own.handlingTimeout,
      arrivalTimeoutSeconds: own.arrivalTimeout,
      repeatLastStepEverySeconds: own.repeatEvery,
    })
  }
  return policies.map(scale)
}

function targetOf(name: string): TargetSpec {
  if (name.startsWith('on_duty:')) return { kind: 'on_duty', role: name.slice(8) as 'operator' }
  return { kind: name } as TargetSpec
}

/** The organisation's zone: Shanghai, unless the daily-contact cut-off would fall near local midnight there. */
function zoneFor(scenario: Scenario, clock: ScenarioClock): string {
  if (!scenario.dailyContactCutoff) return 'Asia/Shanghai'
  const at = cutoffInstant(scenario, clock)
  return ['Asia/Shanghai', 'Europe/London', 'America/New_York'].find(z => {
    const minute = localMinuteOfDay(at, z)
    return minute > 60 && minute < 22 * 60
  })!
}

/** The accelerated-clock instant of the scenario's cut-off. */
function cutoffInstant(scenario: Scenario, clock: ScenarioClock): number {
  const withCutoff = { ...scenario, timeline: [...scenario.timeline, { at: scenario.dailyContactCutoff!, say: 'cut-off' }] }
  const { offsets } = scheduleOf(withCutoff)
  return clock.epochStart + offsets.at(-1)!
}

/** The cut-off as the organisation's local HH:MM (the accelerated clock starts on a whole minute). */
function cutoffFor(scenario: Scenario, clock: ScenarioClock): string {
  const wall = wallClockAt(cutoffInstant(scenario, clock), zoneFor(scenario, clock))
  return new Date(wall).toISOString().slice(11, 16)
}

function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
