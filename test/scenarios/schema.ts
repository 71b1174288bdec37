import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { OUTCOMES } from '../../services/escalation/src/domain/lifecycle-types.ts'
import { PLATFORM_ALARM_TYPES, DEVICE_EVENT_TYPES } from '@anxin/contracts'

/**
 * The scenario file format (simulators/scenarios/*.yaml): who the resident is, who looks after her, and what
 * happens when, with what the platform must do about it. Times are the scenario's wall clock ("03:12",
 * "03:12:30") or relative to the step before ("+90s", "+2m", "+1h").
 */

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/
const RELATIVE = /^\+(\d+(?:\.\d+)?)(s|m|h)$/
const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/

export const clockTime = z.string().refine(v => CLOCK.test(v) || RELATIVE.test(v), 'a time such as "03:12", "03:12:30" or "+90s", "+2m", "+1h"')
/** A length of time such as "60s", "15m", "2h", "9d", as seconds. */
export const duration = z.string().regex(DURATION, 'a duration such as "60s", "15m", "2h" or "9d"').transform(v => {
  const [, n, unit] = DURATION.exec(v)!
  return Number(n) * { s: 1, m: 60, h: 3600, d: 86400 }[unit as 's' | 'm' | 'h' | 'd']
})

const key = z.string().regex(/^[a-z][a-z0-9_]{0,20}$/, 'a short lower-case key such as "carer" or "watch"')
const alarmType = z.enum(PLATFORM_ALARM_TYPES)
const ROLES = ['operator', 'carer', 'doctor', 'supervisor'] as const
const TARGETS = ['assigned_carer', 'family_doctor', 'family_contacts', 'supervisor', 'call_120', 'on_duty:operator', 'on_duty:carer', 'on_duty:doctor', 'on_duty:supervisor'] as const
const CHANNELS = ['console', 'responder_app', 'phone', 'sms', 'email', 'webhook'] as const

const person = z.object({
  name: z.string().min(1),
  role: z.enum(ROLES),
  /** On the on-call rota for the role (the operator on duty). */
  onDuty: z.boolean().default(false),
  phone: z.string().optional(),
}).strict()

const device = z.object({
  type: z.enum(['watch', 'sos_pendant', 'wall_button']).default('watch'),
  /** How often the device reports; silence beyond this (and the platform's grace) is "offline". */
  supervision: duration.default(600),
  testMode: z.boolean().default(false),
  /** When its weekly test was last done ("9d" ago); absent: never recorded (the bind time counts). */
  lastTested: duration.optional(),
  /** Registered and bound this long ago (the weekly test counts from here when never tested). */
  boundAgo: duration.optional(),
}).strict()

const resident = z.object({
  name: z.string().min(1),
  age: z.number().int().min(50).max(120),
  gender: z.enum(['female', 'male']).default('female'),
  livesAlone: z.boolean().default(true),
  conditions: z.array(z.enum(['hypertension', 'diabetes', 'heart_disease', 'copd', 'dementia', 'stroke_history'])).default([]),
  /** Staff keys (see `staff`) of her assigned carer (包户护理员) and contracted family doctor (家庭医生). */
  carer: key.optional(),
  doctor: key.optional(),
  home: z.object({ lat: z.number(), lon: z.number() }).strict().default({ lat: 31.229, lon: 121.445 }),
  contacts: z.array(z.object({ name: z.string().min(1), relation: z.string().min(1), phone: z.string().min(5) }).strict()).default([]),
  devices: z.record(key, device).refine(d => Object.keys(d).length > 0, 'at least one device'),
  safeZone: z.object({ name: z.string(), radiusM: z.number().positive() }).strict().optional(),
  /** Longest stillness allowed before the inactivity alarm (day and night alike), in whole minutes. */
  inactivityLimit: duration.optional(),
  /** The doctor's per-resident limits, e.g. { heartRateHigh: 100 }; sustain as a duration. */
  vitalLimits: z.record(z.string(), z.number()).optional(),
}).strict()

const policyStep = z.object({
  notify: z.array(z.enum(TARGETS)).min(1),
  via: z.array(z.enum(CHANNELS)).min(1),
  /** Waited for an acknowledgement before the next step (unused on the last step). */
  wait: duration.default(60),
}).strict()

const policy = z.object({
  alarmTypes: z.array(alarmType).min(1),
  steps: z.array(policyStep).min(1),
  handlingTimeout: duration.default(900),
  arrivalTimeout: duration.default(1800),
  repeatEvery: duration.default(300),
}).strict()

const vitals = z.object({
  heartRate: z.number().optional(), spo2: z.number().optional(), systolic: z.number().optional(), diastolic: z.number().optional(),
  temperature: z.number().optional(), glucose: z.number().optional(), steps: z.number().optional(),
}).strict()

const deviceStep = z.object({
  at: clockTime,
  device: key,
  does: z.enum(['press_sos', 'fall', 'telemetry', 'event', 'leave_home', 'stop_sending']),
  /** press_sos: how many separate presses (each its own message, acknowledged by the centre). */
  times: z.number().int().min(1).max(10).default(1),
  vitals: vitals.optional(),
  /** telemetry: the watch's own status. */
  battery: z.number().min(0).max(100).optional(),
  worn: z.boolean().optional(),
  /** leave_home / telemetry: metres north of home (a GPS fix). */
  metresFromHome: z.number().optional(),
  event: z.enum(DEVICE_EVENT_TYPES).optional(),
  say: z.string().optional(),
}).strict()

const PEOPLE_ACTIONS = ['acknowledge', 'set_off', 'dispatch', 'accept_task', 'arrive', 'resolve', 'escalate', 'no_answer'] as const
const personStep = z.object({
  at: clockTime,
  /** One staff key, or several acting at the same instant (a race: one of them wins). */
  who: z.union([key, z.array(key).min(2)]),
  does: z.enum(PEOPLE_ACTIONS),
  /** Which alarm, by type; absent: the resident's most recent open alarm. */
  alarm: alarmType.optional(),
  /** dispatch: which staff member is sent. */
  responder: key.optional(),
  outcome: z.enum(OUTCOMES).optional(),
  say: z.string().optional(),
}).strict()

const WHO = z.string().regex(/^([a-z][a-z0-9_]{0,20}|family:\d+|call_120)$/, 'a staff key, "family:1" (first emergency contact) or "call_120"')

const expectation = z.object({
  /** An alarm of this type exists (raised), with the given properties. */
  alarm: alarmType.optional(),
  severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  minPriority: z.number().int().optional(),
  /** The alert service's status of the alarm. */
  status: z.enum(['open', 'cleared', 'cancelled']).optional(),
  /** Escalation's lifecycle state of the alarm. */
  state: z.enum(['raised', 'notified', 'acknowledged', 'dispatched', 'on_scene', 'resolved', 'closed']).optional(),
  occurrences: z.number().int().min(1).optional(),
  test: z.boolean().optional(),
  /** How many alarms the resident has (of `alarm`'s type when given, else of any type). */
  count: z.number().int().min(0).optional(),
  /** No alarm of `alarm`'s type (or none at all). */
  none: z.literal(true).optional(),
  /** Someone was notified of the alarm (escalation's notify command). */
  notified: WHO.optional(),
  /** ...on this channel. */
  via: z.enum(CHANNELS).optional(),
  reason: z.enum(['escalation', 'handling_overdue', 'arrival_overdue', 'repeat']).optional(),
  /** ...or nobody with this key was notified (so far). */
  notNotified: WHO.optional(),
  /** Nobody at all was notified of the alarm. */
  nobodyNotified: z.literal(true).optional(),
  /** The ladder reached this step (1 = the first). */
  step: z.number().int().min(1).optional(),
  /** The alarm's timeline has these entries in this order ("raise", "notify:carer", "acknowledge:doctor", ...). */
  timeline: z.array(z.string()).min(1).optional(),
  /** Exactly this many acknowledgements were recorded (parallel presses: one wins). */
  acknowledgements: z.number().int().min(0).optional(),
  /** How long, in scenario time after the step's time, a positive expectation may take to become true. */
  within: duration.default(30),
}).strict().superRefine((e, ctx) => {
  const kinds = ['notified', 'notNotified', 'nobodyNotified', 'step', 'timeline', 'acknowledgements', 'count', 'none'].filter(k => e[k as keyof typeof e] !== undefined)
  if (kinds.length === 0 && e.alarm === undefined) ctx.addIssue({ code: 'custom', message: 'an expectation needs one of alarm, count, none, notified, notNotified, nobodyNotified, step, timeline, acknowledgements' })
  if (kinds.length > 1) ctx.addIssue({ code: 'custom', message: `one expectation at a time (found ${kinds.join(', ')})` })
})

const expectStep = z.object({ at: clockTime, expect: expectation, say: z.string().optional() }).strict()
const narration = z.object({ at: clockTime, say: z.string() }).strict()

/** A step is told apart by its key (device, who, expect, or only say), so errors name the step's own fields. */
const step = z.record(z.string(), z.unknown()).transform((value, ctx): z.infer<typeof deviceStep> | z.infer<typeof personStep> | z.infer<typeof expectStep> | z.infer<typeof narration> => {
  const schema = 'device' in value ? deviceStep : 'who' in value ? personStep : 'expect' in value ? expectStep : narration
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
  return z.NEVER
})

export const scenarioSchema = z.object({
  title: z.string().min(1),
  /** What the scenario is there to prove: alarm types and escalation paths. */
  covers: z.array(z.string()).min(1),
  /**
   * `wall` (default): every service on the real clock, the scenario's durations and the policy divided by the
   * speed. `accelerated`: for the platform's own timers on whole minutes and days (offline, not worn, inactivity,
   * daily contact, weekly test): ingestion, alert and the devices run on a clock that goes `speed` times as fast.
   */
  clock: z.enum(['wall', 'accelerated']).default('wall'),
  start: clockTime.optional(),
  resident,
  staff: z.record(key, person).default({}),
  policy: policy.optional(),
  /** The daily-contact cut-off (每天至少联系1次): a clock time. */
  dailyContactCutoff: z.string().regex(CLOCK).optional(),
  timeline: z.array(step).min(1),
}).strict().superRefine((s, ctx) => {
  const staff = new Set(Object.keys(s.staff))
  const devices = new Set(Object.keys(s.resident.devices))
  const mustBeStaff = (k: string | undefined, path: (string | number)[]) => {
    if (k !== undefined && !staff.has(k)) ctx.addIssue({ code: 'custom', path, message: `"${k}" is not one of the staff (${[...staff].join(', ') || 'none declared'})` })
  }
  mustBeStaff(s.resident.carer, ['resident', 'carer'])
  mustBeStaff(s.resident.doctor, ['resident', 'doctor'])
  s.timeline.forEach((st, i) => {
    if ('device' in st && !devices.has(st.device)) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'device'], message: `"${st.device}" is not one of the resident's devices (${[...devices].join(', ')})` })
    if ('who' in st) for (const w of [st.who].flat()) mustBeStaff(w, ['timeline', i, 'who'])
    if ('responder' in st) mustBeStaff(st.responder, ['timeline', i, 'responder'])
    if ('expect' in st) {
      for (const f of ['notified', 'notNotified'] as const) {
        const w = st.expect[f]
        if (w && !w.includes(':') && w !== 'call_120') mustBeStaff(w, ['timeline', i, 'expect', f])
      }
      if (st.expect.timeline && s.clock === 'accelerated') {
        ctx.addIssue({ code: 'custom', path: ['timeline', i, 'expect', 'timeline'], message: 'timeline order is checked only on the wall clock (clock: wall)' })
      }
    }
    if ('does' in st && st.does === 'event' && !('event' in st && st.event)) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'event'], message: 'does: event needs event: <type>' })
    if ('does' in st && st.does === 'dispatch' && !st.responder) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'responder'], message: 'does: dispatch needs responder: <staff key>' })
    if ('does' in st && st.does === 'resolve' && !st.outcome) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'outcome'], message: `does: resolve needs outcome: one of ${OUTCOMES.join(', ')}` })
  })
  if (!s.start && !CLOCK.test(s.timeline[0]!.at)) ctx.addIssue({ code: 'custom', path: ['start'], message: 'give start: "HH:MM" when the first step is relative' })
})

export type Scenario = z.infer<typeof scenarioSchema> & { file: string; name: string }
export type Step = Scenario['timeline'][number]
export type DeviceStep = z.infer<typeof deviceStep>
export type PersonStep = z.infer<typeof personStep>
export type Expectation = z.infer<typeof expectation>
export type ExpectStep = z.infer<typeof expectStep>

export class ScenarioFileError extends Error {
  readonly problems: string[]
  constructor(file: string, problems: string[]) {
    super(`${file}: invalid scenario\n${problems.map(p => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}

/** Parses and validates one scenario; every problem is listed with the file and the field's path. */
export function parseScenario(text: string, file: string): Scenario {
  let raw: unknown
  try {
    raw = parse(text)
  } catch (error) {
    throw new ScenarioFileError(file, [`not valid YAML: ${(error as Error).message}`])
  }
  const parsed = scenarioSchema.safeParse(raw)
  if (!parsed.success) {
    throw new ScenarioFileError(file, parsed.error.issues.map(i => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`))
  }
  return { ...parsed.data, file, name: basename(file).replace(/\.ya?ml$/, '') }
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file)
}

/** Scenario times in ms since the start: absolute clock times (past midnight wraps) and "+90s" steps. */
export function scheduleOf(scenario: Pick<Scenario, 'start' | 'timeline'>): { startLabelMs: number; offsets: number[] } {
  const first = scenario.start ?? scenario.timeline[0]!.at
  const startLabelMs = clockMs(first)
  const offsets: number[] = []
  let previous = 0
  for (const step of scenario.timeline) {
    const rel = RELATIVE.exec(step.at)
    let offset: number
    if (rel) offset = previous + Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[rel[2] as 's' | 'm' | 'h']
    else {
      offset = clockMs(step.at) - startLabelMs
      while (offset < previous - 12 * 3_600_000) offset += 86_400_000
    }
    offsets.push(offset)
    previous = offset
  }
  return { startLabelMs, offsets }
}

function clockMs(text: string): number {
  const m = CLOCK.exec(text)
  if (!m) return 0
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000
}

/** "03:12:05" for a scenario offset, given the start label. */
export function formatClock(startLabelMs: number, offsetMs: number): string {
  const ms = (((startLabelMs + Math.round(offsetMs)) % 86_400_000) + 86_400_000) % 86_400_000
  const s = Math.floor(ms / 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`
}
