import t from 'tap'
import {
  deviceEnvelopeSchema,
  deviceEventId,
  mqttTopics,
  type AlarmEnvelope,
  type DeviceEnvelope,
  type DeviceEventEnvelope,
  type TelemetryEnvelope,
  type UplinkChannel,
} from '@anxin/contracts'
import { DEFAULT_ACTIVITY_PLAN } from '../../src/domain/inactivity-rule.ts'
import type { ResidentProfile } from '../../src/domain/profile.ts'
import {
  MAX_FUTURE_SKEW_MS,
  checkSilence,
  initialResidentStates,
  observationTime,
  observe,
  seedDevice,
  type ResidentRuleStates,
} from '../../src/domain/resident-rules.ts'
import type { Decision } from '../../src/domain/types.ts'

// 10:00 in Shanghai (the default plan's timezone): the day window, limit 180 min, warning at 135 min.
const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
const secs = (iso: string) => (Date.parse(iso) - T0) / 1000

const RESIDENT = 'res-0001'
const WATCH = 'watch-0001'
const PENDANT = 'pendant-0001'
const HOME = { id: 'zone-home', name: 'Home', lat: 31.2304, lon: 121.4737, radiusM: 200 }

const profile: ResidentProfile = {
  residentId: RESIDENT,
  orgId: 'org-01',
  flags: { disabled: false, dementia: true, veryOld: true, livingAlone: true, emptyNest: false },
  // heart_disease lowers the heart-rate high limit to 110; hypertension moves only blood pressure.
  conditions: ['hypertension', 'heart_disease'],
  thresholdOverrides: null,
  safeZones: [HOME],
  activityPlan: { dayStart: '07:00', nightStart: '22:00', maxInactiveDayMinutes: 180, maxInactiveNightMinutes: 600, warningRatio: 0.75, timezone: 'Asia/Shanghai' },
  devices: [
    { deviceId: WATCH, type: 'watch', supervisionIntervalS: 600 },
    { deviceId: PENDANT, type: 'sos_pendant', supervisionIntervalS: 3600 },
  ],
}

const OPTIONS = { fallGraceSeconds: 60 }

// ---------------------------------------------------------------------------------------------------------
// Envelopes, built by hand as ingestion would publish them. `s` is the device's time, `receivedS` the
// platform's receipt time, both in seconds after T0. The message id is channel and device time.
// ---------------------------------------------------------------------------------------------------------

function meta(deviceId: string, channel: UplinkChannel, s: number, receivedS: number) {
  const messageId = `${channel}-${s}`
  return {
    messageId,
    envelope: {
      eventId: deviceEventId(deviceId, messageId),
      schemaVersion: 1 as const,
      deviceId,
      residentId: RESIDENT,
      orgId: 'org-01',
      occurredAt: at(s),
      receivedAt: at(receivedS),
      source: { mqttTopic: mqttTopics.uplink(deviceId, channel), messageId, seq: null },
    },
  }
}

type TelemetryBody = Pick<TelemetryEnvelope['payload'], 'vitals' | 'location' | 'status'>
function telemetry(deviceId: string, s: number, body: TelemetryBody, receivedS = s): TelemetryEnvelope {
  const { messageId, envelope } = meta(deviceId, 'telemetry', s, receivedS)
  return { ...envelope, type: 'device.telemetry', payload: { id: messageId, ts: T0 + s * 1000, ...body } }
}

type AlarmBody = Omit<AlarmEnvelope['payload'], 'id' | 'ts' | 'seq'>
function alarm(deviceId: string, s: number, body: AlarmBody, receivedS = s): AlarmEnvelope {
  const { messageId, envelope } = meta(deviceId, 'alarm', s, receivedS)
  return { ...envelope, type: 'device.alarm', payload: { id: messageId, ts: T0 + s * 1000, ...body } }
}

function event(deviceId: string, s: number, type: DeviceEventEnvelope['payload']['type'], receivedS = s): DeviceEventEnvelope {
  const { messageId, envelope } = meta(deviceId, 'event', s, receivedS)
  return { ...envelope, type: 'device.event', payload: { id: messageId, ts: T0 + s * 1000, type } }
}

// ---------------------------------------------------------------------------------------------------------
// Running a sequence: device messages and timer ticks, in order, as the processor would.
// ---------------------------------------------------------------------------------------------------------

type Step = { observe: DeviceEnvelope } | { tick: number }
type Out = { s: number; decision: Decision; deviceId: string | null }

function run(steps: Step[], options: { states?: ResidentRuleStates; roundTrip?: boolean; fallGraceSeconds?: number } = {}) {
  let states = options.states ?? initialResidentStates()
  const out: Out[] = []
  for (const step of steps) {
    // Redis keeps the states as JSON between events.
    if (options.roundTrip) states = JSON.parse(JSON.stringify(states)) as ResidentRuleStates
    if ('observe' in step) {
      const r = observe(states, profile, step.observe, { fallGraceSeconds: options.fallGraceSeconds ?? OPTIONS.fallGraceSeconds })
      states = r.state
      for (const decision of r.decisions) out.push({ s: secs(step.observe.receivedAt), decision, deviceId: step.observe.deviceId })
    } else {
      const r = checkSilence(states, profile, at(step.tick))
      states = r.state
      for (const { decision, deviceId } of r.decisions) out.push({ s: step.tick, decision, deviceId })
    }
  }
  return { states, out }
}

/** One line per decision: when (s after T0), what, which device. */
const brief = (out: Out[]) =>
  out.map(({ s, decision: d, deviceId }) => [s, d.action, d.type, d.action === 'raise' ? d.severity : d.reason, deviceId])

const seconds = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

// ---------------------------------------------------------------------------------------------------------

t.test('the fixtures are valid', async t => {
  const samples: DeviceEnvelope[] = [
    telemetry(WATCH, 0, { vitals: { heartRate: 80, steps: 10 }, location: { lat: HOME.lat, lon: HOME.lon, accuracyM: 10 }, status: { battery: 80, worn: true } }),
    alarm(PENDANT, 0, { type: 'sos', pressCount: 2, location: { lat: HOME.lat, lon: HOME.lon } }),
    event(WATCH, 0, 'im_ok'),
  ]
  for (const e of samples) t.strictSame(deviceEnvelopeSchema.parse(e), e, `${e.type} passes the contract unchanged`)
  t.strictSame(profile.activityPlan, DEFAULT_ACTIVITY_PLAN, 'the profile uses the default activity plan')
})

t.test('initial states', async t => {
  t.strictSame(initialResidentStates(), {
    vitals: {},
    geofence: { lastFixAt: null, alarming: false, outsideSince: null, lastKnown: null },
    inactivity: { lastActivityAt: null, lastActivityEventId: null, lastActivityKind: null, stage: 'none' },
    fall: { fallAt: null, fallEventId: null, imOkAt: null, imOkEventId: null },
    devices: {},
  })
})

t.test('SOS: one critical raise, and the press counts as activity', async t => {
  const hello = event(WATCH, 0, 'heartbeat')
  const sos = alarm(PENDANT, 60, { type: 'sos', pressCount: 2, location: { lat: 31.2301, lon: 121.4731, accuracyM: 15 } })
  const { states, out } = run([{ observe: hello }, { observe: sos }])
  t.strictSame(out, [
    {
      s: 60,
      deviceId: PENDANT,
      decision: {
        action: 'raise',
        type: 'sos',
        severity: 'critical',
        at: at(60),
        evidence: [{ eventId: sos.eventId, at: at(60), kind: 'device_alarm', values: { type: 'sos', pressCount: 2, impactG: null, confidence: null } }],
        detail: { pressCount: 2, lat: 31.2301, lon: 121.4731, accuracyM: 15 },
      },
    },
  ])
  t.strictSame(states.inactivity, { lastActivityAt: at(60), lastActivityEventId: sos.eventId, lastActivityKind: 'sos', stage: 'none' })
  t.strictSame(states.fall, { fallAt: null, fallEventId: null, imOkAt: null, imOkEventId: null }, 'an SOS is not a fall')
  t.strictSame(states.devices[PENDANT]?.supervision, { lastSeenAt: at(60), lastSeenEventId: sos.eventId, offline: false })
})

t.test('the very first message seeds the inactivity clock; if it is an activity, its kind is kept', async t => {
  const sos = alarm(PENDANT, 0, { type: 'sos' })
  const { states, out } = run([{ observe: sos }])
  t.strictSame(brief(out), [[0, 'raise', 'sos', 'critical', PENDANT]])
  t.equal(states.inactivity.lastActivityAt, at(0))
  t.equal(states.inactivity.lastActivityEventId, sos.eventId)
  // The clock is seeded after the activity is recorded, so the operator sees what the first message was.
  t.equal(states.inactivity.lastActivityKind, 'sos', 'the first message, an SOS, is recorded as an SOS')
})

t.test('sustained high heart rate: one raise, dated from the first out-of-range reading', async t => {
  // Limit 110 (heart_disease), sustain 120 s, critical only above 140.
  const readings: Array<[number, number]> = [[0, 100], [30, 118], [60, 125], [90, 122], [120, 128], [150, 131], [180, 126], [210, 129]]
  const messages = readings.map(([s, heartRate]) => telemetry(WATCH, s, { vitals: { heartRate } }))
  const { states, out } = run(messages.map(m => ({ observe: m })))
  t.strictSame(brief(out), [[150, 'raise', 'heart_rate_high', 'high', WATCH]], 'confirmed at 150 s (120 s after 30 s), only once')
  const d = out[0]!.decision
  t.equal(d.at, at(30), 'at = first out-of-range reading')
  if (d.action !== 'raise') return
  t.strictSame(d.detail, { metric: 'heart_rate', threshold: 110, direction: 'high', worst: 131 })
  t.strictSame(d.evidence.map(e => [e.eventId, e.values.heart_rate]), messages.slice(1, 6).map((m, i) => [m.eventId, readings[i + 1]![1]]))
  t.equal(states.vitals.heart_rate?.phase, 'alarming')
})

t.test('a fix far outside the safe zone raises geofence_exit at once', async t => {
  const home = telemetry(WATCH, 0, { location: { lat: HOME.lat, lon: HOME.lon, accuracyM: 10 } })
  // 0.01° north: 1112 m from the centre, 912 m beyond the 200 m edge, well past the 500 m "clearly gone" line.
  const away = telemetry(WATCH, 600, { location: { lat: 31.2404, lon: HOME.lon, accuracyM: 10 } })
  const { states, out } = run([{ observe: home }, { observe: away }])
  t.strictSame(out, [
    {
      s: 600,
      deviceId: WATCH,
      decision: {
        action: 'raise',
        type: 'geofence_exit',
        severity: 'high',
        at: at(600),
        evidence: [{ eventId: away.eventId, at: at(600), kind: 'location', values: { lat: 31.2404, lon: HOME.lon, accuracyM: 10, nearestZoneDistanceM: 912 } }],
        detail: {
          lat: 31.2404,
          lon: HOME.lon,
          accuracyM: 10,
          nearestZoneId: 'zone-home',
          nearestZoneName: 'Home',
          nearestZoneDistanceM: 912,
          lastFixAt: at(600),
          confirmedBy: 'clearly_gone',
        },
      },
    },
  ])
  t.equal(states.geofence.alarming, true)
})

t.test('battery below 15 % raises low_battery for that device', async t => {
  const { states, out } = run([
    { observe: telemetry(WATCH, 0, { status: { battery: 40 } }) },
    { observe: telemetry(WATCH, 600, { status: { battery: 15 } }) },
    { observe: telemetry(WATCH, 1200, { status: { battery: 12 } }) },
    { observe: telemetry(WATCH, 1800, { status: { battery: 10 } }) },
  ])
  t.strictSame(brief(out), [[1200, 'raise', 'low_battery', 'low', WATCH]], '15 is not below 15; raised once')
  const d = out[0]!.decision
  if (d.action !== 'raise') return
  t.strictSame(d.detail, { battery: 12, lowPct: 15, source: 'status' })
  t.strictSame(states.devices[WATCH]?.battery, { lastAt: at(1800), low: true })
  t.equal(states.devices[PENDANT], undefined, 'the other device is untouched')
})

t.test('watch reported off the wrist for 10 minutes raises device_not_worn', async t => {
  const first = telemetry(WATCH, 0, { status: { worn: false } })
  const { out } = run([
    { observe: first },
    { observe: telemetry(WATCH, 300, { status: { worn: false } }) },
    { observe: telemetry(WATCH, 599, { status: { worn: false } }) },
    { observe: telemetry(WATCH, 600, { status: { worn: false } }) },
  ])
  t.strictSame(brief(out), [[600, 'raise', 'device_not_worn', 'medium', WATCH]])
  const d = out[0]!.decision
  t.equal(d.at, at(0), 'dated from the first not-worn report')
  if (d.action !== 'raise') return
  t.strictSame(d.detail, { notWornSince: at(0), notWornSeconds: 600, sustainSeconds: 600 })
  t.equal(d.evidence[0]!.eventId, first.eventId)
})

t.test('watch taken off and then silent: the timer raises device_not_worn', async t => {
  const { out } = run([{ observe: event(WATCH, 0, 'not_worn') }, { tick: 540 }, { tick: 600 }, { tick: 660 }])
  t.strictSame(brief(out), [[600, 'raise', 'device_not_worn', 'medium', WATCH]])
})

t.test("a fall, then I'm OK within grace: the fall is cancelled", async t => {
  const fall = alarm(WATCH, 0, { type: 'fall', fall: { impactG: 4.1, confidence: 0.8 } })
  const ok = event(WATCH, 40, 'im_ok')
  const { states, out } = run([{ observe: fall }, { observe: ok }])
  t.strictSame(brief(out), [
    [0, 'raise', 'fall', 'critical', WATCH],
    [40, 'cancel', 'fall', 'cancelled_by_wearer', WATCH],
  ])
  t.strictSame(out[1]!.decision.evidence, [{ eventId: ok.eventId, at: at(40), kind: 'device_event', values: { type: 'im_ok', secondsAfterFall: 40 } }])
  t.strictSame(states.fall, { fallAt: null, fallEventId: null, imOkAt: null, imOkEventId: null })
  t.equal(states.inactivity.lastActivityKind, 'im_ok', "I'm OK is a sign of life")
})

t.test("I'm OK consumed before the fall it answers (separate topics): the fall is raised and cancelled", async t => {
  const fall = alarm(WATCH, 0, { type: 'fall' }, 2)
  const ok = event(WATCH, 40, 'im_ok')
  const { states, out } = run([{ observe: ok }, { observe: fall }])
  t.strictSame(brief(out), [
    [2, 'raise', 'fall', 'critical', WATCH],
    [2, 'cancel', 'fall', 'cancelled_by_wearer', WATCH],
  ])
  t.equal(out[0]!.decision.evidence[0]!.eventId, fall.eventId)
  t.equal(out[1]!.decision.evidence[0]!.eventId, ok.eventId)
  t.equal(out[1]!.decision.at, at(40))
  t.strictSame(states.fall, { fallAt: null, fallEventId: null, imOkAt: null, imOkEventId: null })

  const slow = run([{ observe: event(WATCH, 90, 'im_ok') }, { observe: fall }], { fallGraceSeconds: 120 })
  t.strictSame(brief(slow.out).map(b => b[1]), ['raise', 'cancel'], 'the configured grace reaches the late fall')
})

t.test("I'm OK after the grace period does not cancel; the configured grace is used", async t => {
  const steps = [{ observe: alarm(WATCH, 0, { type: 'fall' }) }, { observe: event(WATCH, 90, 'im_ok') }]
  t.strictSame(brief(run(steps).out), [[0, 'raise', 'fall', 'critical', WATCH]], '90 s > 60 s grace')
  t.strictSame(brief(run(steps, { fallGraceSeconds: 120 }).out), [
    [0, 'raise', 'fall', 'critical', WATCH],
    [90, 'cancel', 'fall', 'cancelled_by_wearer', WATCH],
  ], '90 s within a 120 s grace')
})

t.test('observationTime: a device claiming the future beyond 60 s is judged at receipt', async t => {
  t.equal(MAX_FUTURE_SKEW_MS, 60_000)
  t.equal(observationTime(at(600), at(0)), at(0), '10 min ahead: receivedAt')
  t.equal(observationTime(at(30), at(0)), at(30), '30 s ahead: its own time')
  t.equal(observationTime(at(60), at(0)), at(60), 'exactly 60 s ahead: still believed')
  t.equal(observationTime(new Date(T0 + 60_001).toISOString(), at(0)), at(0), '60.001 s ahead: receivedAt')
  t.equal(observationTime(at(-3600), at(0)), at(-3600), 'an hour late (buffered): its own time')
})

t.test('observe judges a message at observationTime, and supervision at receipt', async t => {
  const ahead = run([{ observe: alarm(PENDANT, 600, { type: 'sos' }, 0) }])
  t.equal(ahead.out[0]!.decision.at, at(0), 'SOS claiming 10 min in the future is dated at receipt')
  t.equal(ahead.states.inactivity.lastActivityAt, at(0))

  const slightly = run([{ observe: alarm(PENDANT, 30, { type: 'sos' }, 0) }])
  t.equal(slightly.out[0]!.decision.at, at(30), 'SOS 30 s ahead keeps its own time')

  const buffered = run([{ observe: telemetry(WATCH, 0, { status: { battery: 90 } }, 3600) }])
  t.equal(buffered.states.devices[WATCH]?.supervision.lastSeenAt, at(3600), 'an old reading received now means online now')
  t.equal(buffered.states.devices[WATCH]?.battery.lastAt, at(0), 'the reading itself is judged at its own time')
})

t.test('checkSilence: the silent SOS pendant goes offline once, with high severity', async t => {
  let states = seedDevice(initialResidentStates(), WATCH, at(0), 'seed-watch')
  states = seedDevice(states, PENDANT, at(0), 'seed-pendant')
  // The watch reports every 5 min; the pendant stays silent. A 60 s timer for two hours.
  const steps: Step[] = []
  for (const s of seconds(60, 7200, 60)) {
    if (s % 300 === 0) steps.push({ observe: event(WATCH, s, 'heartbeat') })
    steps.push({ tick: s })
  }
  const { out } = run(steps, { states })
  // 3600 s interval + 360 s grace: the first tick past 3960 s.
  t.strictSame(out, [
    {
      s: 4020,
      deviceId: PENDANT,
      decision: {
        action: 'raise',
        type: 'device_offline',
        severity: 'high',
        at: at(0),
        evidence: [{ eventId: 'seed-pendant:offline', at: at(4020), kind: 'timer', values: { lastSeenAt: at(0), silentSeconds: 4020 } }],
        detail: { lastSeenAt: at(0), silentSeconds: 4020, supervisionIntervalS: 3600, graceS: 360 },
      },
    },
  ])
})

t.test('checkSilence: the silent watch goes offline with medium severity, and clears when it is back', async t => {
  let states = seedDevice(initialResidentStates(), WATCH, at(0), 'seed-watch')
  states = seedDevice(states, PENDANT, at(0), 'seed-pendant')
  const steps: Step[] = [...seconds(60, 900, 60).map(s => ({ tick: s })), { observe: event(WATCH, 930, 'heartbeat') }, { tick: 960 }]
  const { out, states: after } = run(steps, { states })
  // 600 s interval + 60 s grace: the first tick past 660 s.
  t.strictSame(brief(out), [
    [720, 'raise', 'device_offline', 'medium', WATCH],
    [930, 'clear', 'device_offline', 'back_online', WATCH],
  ])
  t.equal(out[0]!.decision.at, at(0))
  t.equal(after.devices[WATCH]?.supervision.offline, false)
})

t.test('checkSilence: a device never seen is not judged', async t => {
  const { out } = run(seconds(600, 86_400, 600).map(s => ({ tick: s })))
  t.strictSame(out, [])
})

t.test('checkSilence: inactivity warning, then alarm, then cleared by movement', async t => {
  let states = seedDevice(initialResidentStates(), WATCH, at(0), 'seed-watch')
  states = seedDevice(states, PENDANT, at(0), 'seed-pendant')
  const moved = telemetry(WATCH, 60, { vitals: { steps: 1200 } })
  const steps: Step[] = []
  for (const s of seconds(0, 4 * 3600, 60)) {
    if (s === 60) steps.push({ observe: moved })
    // The same cumulative step count later is not movement.
    if (s === 3000) steps.push({ observe: telemetry(WATCH, s, { vitals: { steps: 1200 } }) })
    if (s === 12_000) steps.push({ observe: telemetry(WATCH, s, { vitals: { steps: 1350 } }) })
    if (s % 300 === 0) steps.push({ observe: event(WATCH, s, 'heartbeat') })
    if (s % 1800 === 0) steps.push({ observe: event(PENDANT, s, 'heartbeat') })
    steps.push({ tick: s })
  }
  const { out, states: after } = run(steps, { states })
  // Last movement at 60 s: warning at 60 + 135 min = 8160 s, alarm at 60 + 180 min = 10 860 s.
  t.strictSame(brief(out), [
    [8160, 'raise', 'inactivity', 'low', null],
    [10_860, 'raise', 'inactivity', 'high', null],
    [12_000, 'clear', 'inactivity', 'activity_resumed', WATCH],
  ])
  const warning = out[0]!.decision
  if (warning.action !== 'raise') return
  t.equal(warning.at, at(60), 'dated from the last movement')
  t.strictSame(warning.detail, {
    stage: 'warning',
    window: 'day',
    inactiveMinutes: 135,
    limitMinutes: 180,
    warningMinutes: 135,
    lastActivityAt: at(60),
    lastActivityKind: 'steps',
    timezone: 'Asia/Shanghai',
  })
  t.equal(warning.evidence[0]!.eventId, `${moved.eventId}:inactivity-warning`)
  t.equal(out[1]!.decision.evidence[0]!.eventId, `${moved.eventId}:inactivity-alarm`)
  t.strictSame(after.inactivity.stage, 'none')
})

t.test('steps delivered out of order do not look like movement', async t => {
  // 100 s: 500 steps; 200 s: 800 steps; then a late message from 150 s (650 steps) arrives; 300 s: still 800.
  // No step was taken after 200 s, so the last movement is at 200 s. observe() stores lastSteps from the
  // late message (650), so 800 at 300 s counts as movement.
  const { states } = run([
    { observe: telemetry(WATCH, 100, { vitals: { steps: 500 } }) },
    { observe: telemetry(WATCH, 200, { vitals: { steps: 800 } }) },
    { observe: telemetry(WATCH, 150, { vitals: { steps: 650 } }, 250) },
    { observe: telemetry(WATCH, 300, { vitals: { steps: 800 } }) },
  ])
  t.equal(states.inactivity.lastActivityAt, at(200), 'the last movement is at 200 s')
})

t.test('seedDevice starts the supervision clock, but never overwrites a known lastSeenAt', async t => {
  const seeded = seedDevice(initialResidentStates(), PENDANT, at(-600), 'seed-pendant')
  t.strictSame(seeded.devices[PENDANT], {
    supervision: { lastSeenAt: at(-600), lastSeenEventId: 'seed-pendant', offline: false },
    worn: { lastAt: null, notWornSince: null, notWornEventId: null, notWornSource: null, alarming: false },
    battery: { lastAt: null, low: false },
    lastSteps: null,
    lastStepsAt: null,
  })

  const seen = run([{ observe: telemetry(WATCH, 100, { status: { battery: 80 } }) }], { states: seeded }).states
  const again = seedDevice(seen, WATCH, at(0), 'seed-watch')
  t.equal(again, seen, 'a device with a lastSeenAt is left alone (same object)')
  t.equal(again.devices[WATCH]?.supervision.lastSeenAt, at(100))
  t.equal(seedDevice(again, PENDANT, at(0), 'seed-again'), again, 'seeding twice changes nothing')
  t.equal(seen.devices[PENDANT]?.supervision.lastSeenAt, at(-600), 'other devices kept')
})

// ---------------------------------------------------------------------------------------------------------
// The states are plain JSON, and the rules work on states that went through JSON (Redis).
// ---------------------------------------------------------------------------------------------------------

/** A busy morning touching every rule: vitals, geofence, battery, worn, fall, I'm OK, timers. */
function busyMorning(): Step[] {
  return [
    { observe: event(PENDANT, 0, 'heartbeat') },
    { observe: telemetry(WATCH, 0, { vitals: { heartRate: 80, steps: 100 }, location: { lat: HOME.lat, lon: HOME.lon, accuracyM: 10 }, status: { battery: 30, worn: true } }) },
    { observe: telemetry(WATCH, 30, { vitals: { heartRate: 118 }, status: { battery: 14 } }) },
    { observe: telemetry(WATCH, 90, { vitals: { heartRate: 121 } }) },
    { observe: telemetry(WATCH, 150, { vitals: { heartRate: 125, steps: 180 } }) },
    { tick: 180 },
    { observe: telemetry(WATCH, 240, { location: { lat: HOME.lat + 0.004, lon: HOME.lon, accuracyM: 10 } }) },
    { observe: telemetry(WATCH, 300, { location: { lat: HOME.lat + 0.004, lon: HOME.lon, accuracyM: 10 } }) },
    { observe: alarm(WATCH, 360, { type: 'fall', fall: { impactG: 3 } }) },
    { observe: event(WATCH, 380, 'im_ok') },
    { observe: telemetry(WATCH, 400, { vitals: { heartRate: 100 }, status: { worn: false } }) },
    { tick: 600 },
    { tick: 1000 },
    { observe: telemetry(WATCH, 1100, { location: { lat: HOME.lat, lon: HOME.lon, accuracyM: 10 }, status: { worn: true, charging: true, battery: 20 } }) },
    { tick: 9000 },
    { tick: 12_000 },
  ]
}

t.test('the busy morning, as expected', async t => {
  t.strictSame(brief(run(busyMorning()).out), [
    [30, 'raise', 'low_battery', 'low', WATCH],
    [150, 'raise', 'heart_rate_high', 'high', WATCH],
    [300, 'raise', 'geofence_exit', 'high', WATCH],
    [360, 'raise', 'fall', 'critical', WATCH],
    [380, 'cancel', 'fall', 'cancelled_by_wearer', WATCH],
    [1000, 'raise', 'device_not_worn', 'medium', WATCH],
    [1100, 'clear', 'geofence_exit', 'back_in_safe_zone', WATCH],
    [1100, 'clear', 'low_battery', 'charging', WATCH],
    [1100, 'clear', 'device_not_worn', 'worn_again', WATCH],
    // Profile order: the watch is checked before the pendant.
    [9000, 'raise', 'device_offline', 'medium', WATCH],
    [9000, 'raise', 'device_offline', 'high', PENDANT],
    // Last activity: I'm OK at 380 s; warning from 380 + 8100 s, alarm from 380 + 10 800 s.
    [9000, 'raise', 'inactivity', 'low', null],
    [12_000, 'raise', 'inactivity', 'high', null],
  ])
})

t.test('every state returned is plain JSON', async t => {
  let states = initialResidentStates()
  for (const step of busyMorning()) {
    states = 'observe' in step
      ? observe(states, profile, step.observe, OPTIONS).state
      : checkSilence(states, profile, at(step.tick)).state
    t.strictSame(JSON.parse(JSON.stringify(states)), states, 'observe' in step ? `after ${step.observe.type} at ${secs(step.observe.receivedAt)} s` : `after tick at ${step.tick} s`)
  }
})

t.test('states revived from JSON after every step give the same decisions and states', async t => {
  const direct = run(busyMorning())
  const revived = run(busyMorning(), { roundTrip: true })
  t.strictSame(revived.out, direct.out)
  t.strictSame(revived.states, direct.states)
  t.equal(revived.out.length, 13)
})

t.test('observe and checkSilence do not modify the states they are given', async t => {
  const before = run(busyMorning().slice(0, 8)).states
  const snapshot = structuredClone(before)
  observe(before, profile, alarm(WATCH, 500, { type: 'fall' }), OPTIONS)
  observe(before, profile, telemetry(WATCH, 500, { vitals: { heartRate: 150 }, status: { battery: 5, worn: false } }), OPTIONS)
  checkSilence(before, profile, at(20_000))
  seedDevice(before, 'wall-0001', at(0), 'seed')
  t.strictSame(before, snapshot)
})
