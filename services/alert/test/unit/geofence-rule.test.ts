import t from 'tap'
import {
  INITIAL_GEOFENCE_STATE,
  distanceM,
  evaluateLocation,
  lastKnownLocation,
  type GeofenceState,
  type LocationInput,
  type SafeZone,
} from '../../src/domain/geofence-rule.ts'
import type { Decision, RaiseDecision } from '../../src/domain/types.ts'

const EARTH_RADIUS_M = 6_371_008.8
const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()

const HOME: SafeZone = { id: 'z-home', name: 'Home', lat: 31.2304, lon: 121.4737, radiusM: 200 }
const PARK: SafeZone = { id: 'z-park', name: 'Park', lat: 31.2404, lon: 121.4737, radiusM: 150 }

/** A point `m` metres due north of the zone's centre (exact along a meridian, up to rounding). */
function north(m: number, zone: SafeZone = HOME) {
  return { lat: zone.lat + (m / EARTH_RADIUS_M) * (180 / Math.PI), lon: zone.lon }
}

type Fix = { s: number; m: number; accuracyM?: number; zones?: SafeZone[] }

/** Feeds fixes in order; returns the final state and every decision, tagged with the fix that produced it. */
function run(fixes: Fix[], start: GeofenceState = INITIAL_GEOFENCE_STATE) {
  let state = start
  const decisions: { s: number; d: Decision }[] = []
  for (const f of fixes) {
    const input: LocationInput = { at: at(f.s), eventId: `e${f.s}`, ...north(f.m), zones: f.zones ?? [HOME] }
    if (f.accuracyM !== undefined) input.accuracyM = f.accuracyM
    const r = evaluateLocation(state, input)
    state = r.state
    for (const d of r.decisions) decisions.push({ s: f.s, d })
  }
  return { state, decisions }
}

t.test('distanceM is the haversine distance in metres', async t => {
  const oneDegree = distanceM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })
  t.ok(Math.abs(oneDegree - 111_195.08) < 0.01, `one degree of latitude is 111 195 m (got ${oneDegree})`)
  const beijing = { lat: 39.9042, lon: 116.4074 }
  const d = distanceM(beijing, HOME)
  t.ok(d > 1_066_000 && d < 1_069_000, `Beijing–Shanghai is about 1067 km (got ${d})`)
  t.equal(distanceM(HOME, beijing), d, 'symmetric')
  t.equal(distanceM(HOME, HOME), 0)
  t.ok(Math.abs(distanceM(HOME, north(300)) - 300) < 1e-6, 'the test helper places points where it says')
})

t.test('two outside fixes at least 30 s apart raise geofence_exit, dated from the first', async t => {
  const { state, decisions } = run([
    { s: 0, m: 100 },
    { s: 10, m: 300 },
    { s: 25, m: 320 },
    { s: 39, m: 330 }, // 29 s after the first outside fix: not yet
    { s: 40, m: 340 }, // exactly 30 s: confirmed (inclusive)
  ])
  t.equal(decisions.length, 1)
  t.equal(decisions[0]!.s, 40)
  const d = decisions[0]!.d as RaiseDecision
  t.equal(d.action, 'raise')
  t.equal(d.type, 'geofence_exit')
  t.equal(d.severity, 'high')
  t.equal(d.at, at(10), 'the exit began with the first outside fix')
  t.same(d.evidence.map(e => [e.eventId, e.kind]), [['e10', 'location'], ['e40', 'location']])
  t.equal(d.detail.nearestZoneName, 'Home')
  t.equal(d.detail.nearestZoneId, 'z-home')
  t.equal(d.detail.nearestZoneDistanceM, 140, '340 m from the centre of a 200 m zone')
  t.equal(d.detail.lat, north(340).lat)
  t.equal(d.detail.lon, HOME.lon)
  t.equal(d.detail.accuracyM, null)
  t.equal(d.detail.confirmedBy, 'two_fixes')
  t.equal(state.alarming, true)
})

t.test('a single outside fix alone does not raise, and a fix back on the border breaks the run', async t => {
  const { decisions, state } = run([
    { s: 0, m: 250 },
    { s: 20, m: 195 }, // border band: not outside, not inside
    { s: 40, m: 250 }, // a new run starts here
    { s: 60, m: 260 },
  ])
  t.equal(decisions.length, 0)
  t.equal(state.outsideSince?.at, at(40))
  t.equal(run([{ s: 0, m: 250 }, { s: 20, m: 195 }, { s: 40, m: 250 }, { s: 70, m: 260 }]).decisions.length, 1, '30 s into the new run it raises')
})

t.test('exactly on the radius is not outside; exactly on radius + accuracy margin is not outside either', async t => {
  const d = distanceM(HOME, north(90))
  const onEdge: SafeZone = { ...HOME, radiusM: d }
  t.equal(run([{ s: 0, m: 90, zones: [onEdge] }, { s: 60, m: 90, zones: [onEdge] }]).decisions.length, 0)

  const withMargin: SafeZone = { ...HOME, radiusM: d - 30 }
  t.equal(withMargin.radiusM + 30, d, 'precondition: radius + margin is exactly the distance')
  const exact = run([{ s: 0, m: 90, accuracyM: 30, zones: [withMargin] }, { s: 60, m: 90, accuracyM: 30, zones: [withMargin] }])
  t.equal(exact.decisions.length, 0, 'strict: on the line is not outside')
  const beyond = run([{ s: 0, m: 91, accuracyM: 30, zones: [withMargin] }, { s: 60, m: 91, accuracyM: 30, zones: [withMargin] }])
  t.equal(beyond.decisions.length, 1, 'a metre past the line is')
})

t.test('a poor fix near the boundary does not raise; the margin is capped at 100 m', async t => {
  t.equal(run([{ s: 0, m: 250, accuracyM: 80 }, { s: 60, m: 260, accuracyM: 80 }]).decisions.length, 0, 'error circle reaches into the zone')
  t.equal(run([{ s: 0, m: 250 }, { s: 60, m: 260 }]).decisions.length, 1, 'the same places with a good fix raise')
  t.equal(run([{ s: 0, m: 300, accuracyM: 5000 }, { s: 60, m: 300, accuracyM: 5000 }]).decisions.length, 0, 'on radius + 100: not outside')
  t.equal(run([{ s: 0, m: 301, accuracyM: 5000 }, { s: 60, m: 301, accuracyM: 5000 }]).decisions.length, 1, 'a ±5 km fix still counts past radius + 100')
})

t.test('GPS jitter around the boundary does not flap', async t => {
  // Walking along the fence: alternating just inside / just outside, 30 s apart.
  const walk = [195, 205, 190, 210, 198, 203, 185, 206].map((m, i) => ({ s: i * 30, m }))
  t.equal(run(walk).decisions.length, 0, 'never two outside fixes in a row: no alarm')

  // Once alarming, jitter inside the hysteresis band does not clear; only radius - 20 does.
  const { decisions } = run([
    { s: 0, m: 400 },
    { s: 30, m: 400 },
    { s: 60, m: 195 },
    { s: 90, m: 185 },
    { s: 120, m: 205 },
    { s: 150, m: 181 },
    { s: 180, m: 210 },
  ])
  t.same(decisions.map(x => x.d.action), ['raise'], 'no clear inside the 20 m band, no second raise')
})

t.test('one fix clearly gone (beyond radius + margin + 500 m) raises at once', async t => {
  const gone = run([{ s: 0, m: 701 }])
  t.equal(gone.decisions.length, 1)
  const d = gone.decisions[0]!.d as RaiseDecision
  t.equal(d.at, at(0))
  t.equal(d.detail.confirmedBy, 'clearly_gone')
  t.same(d.evidence.map(e => e.eventId), ['e0'])
  t.equal(d.detail.nearestZoneDistanceM, 501)

  t.equal(run([{ s: 0, m: 700 }]).decisions.length, 0, 'exactly radius + 500 waits for a second fix')
  t.equal(run([{ s: 0, m: 720, accuracyM: 30 }]).decisions.length, 0, 'the accuracy margin applies here too')
  t.equal(run([{ s: 0, m: 731, accuracyM: 30 }]).decisions.length, 1)

  const afterRun = run([{ s: 0, m: 300 }, { s: 10, m: 900 }])
  t.equal(afterRun.decisions.length, 1, 'a clearly-gone fix also confirms a run that had begun')
  t.equal(afterRun.decisions[0]!.d.at, at(0), 'dated from the start of the run')
})

t.test('while alarming, further outside fixes emit nothing but move the last known location', async t => {
  const { state, decisions } = run([{ s: 0, m: 900 }, { s: 30, m: 1200, accuracyM: 15 }, { s: 60, m: 1500, accuracyM: 12 }])
  t.equal(decisions.length, 1)
  const last = lastKnownLocation(state)
  t.equal(last?.at, at(60))
  t.equal(last?.eventId, 'e60')
  t.equal(last?.lat, north(1500).lat)
  t.equal(last?.accuracyM, 12)
  t.equal(last?.nearestZoneName, 'Home')
  t.equal(last?.nearestZoneDistanceM, 1300)
  t.equal(lastKnownLocation(INITIAL_GEOFENCE_STATE), null)
})

t.test('the first fix back inside (radius - 20 m, inclusive) clears; a new exit needs confirming again', async t => {
  const d = distanceM(HOME, north(100))
  const zone: SafeZone = { ...HOME, radiusM: d + 20 }
  t.equal(zone.radiusM - 20, d, 'precondition: the fix lies exactly on radius - 20')
  const { state, decisions } = run([
    { s: 0, m: 900, zones: [zone] },
    { s: 30, m: 100, zones: [zone] },
    { s: 60, m: 400, zones: [zone] },
  ])
  t.same(decisions.map(x => [x.s, x.d.action]), [[0, 'raise'], [30, 'clear']])
  const clear = decisions[1]!.d
  t.equal(clear.action === 'clear' && clear.reason, 'back_in_safe_zone')
  t.equal(clear.at, at(30))
  t.same(clear.evidence.map(e => e.eventId), ['e30'])
  t.equal(state.alarming, false)
  t.equal(state.outsideSince?.at, at(60), 'the next exit starts a fresh run')
})

t.test('a fix too imprecise to place the resident cannot clear', async t => {
  const { decisions } = run([
    { s: 0, m: 900 },
    { s: 30, m: 0, accuracyM: 150 },
    { s: 60, m: 0, accuracyM: 100 },
  ])
  t.same(decisions.map(x => [x.s, x.d.action]), [[0, 'raise'], [60, 'clear']])
})

t.test('a small zone can still be re-entered: hysteresis is at most half the radius', async t => {
  const small: SafeZone = { ...HOME, radiusM: 30 }
  const { decisions } = run([{ s: 0, m: 900, zones: [small] }, { s: 30, m: 16, zones: [small] }, { s: 60, m: 14, zones: [small] }])
  t.same(decisions.map(x => [x.s, x.d.action]), [[0, 'raise'], [60, 'clear']])
})

t.test('outside is outside every zone; the nearest zone is reported', async t => {
  // PARK's centre is ~1112 m north of HOME's.
  const inPark = run([{ s: 0, m: 1100, zones: [HOME, PARK] }, { s: 60, m: 1110, zones: [HOME, PARK] }])
  t.equal(inPark.decisions.length, 0, 'inside the park is safe')
  t.equal(lastKnownLocation(inPark.state)?.nearestZoneName, 'Park')
  t.equal(lastKnownLocation(inPark.state)?.nearestZoneDistanceM, 0)

  const between = run([{ s: 0, m: 500, zones: [HOME, PARK] }, { s: 60, m: 520, zones: [HOME, PARK] }])
  t.equal(between.decisions.length, 1)
  t.equal((between.decisions[0]!.d as RaiseDecision).detail.nearestZoneName, 'Home', '320 m past Home, ~440 m short of the park')
})

t.test('without zones nothing alarms, and an open alarm is left to the operator', async t => {
  const none = run([{ s: 0, m: 50_000, zones: [] }, { s: 60, m: 60_000, zones: [] }])
  t.equal(none.decisions.length, 0)
  t.equal(lastKnownLocation(none.state)?.nearestZoneName, null)
  t.equal(lastKnownLocation(none.state)?.at, at(60))

  const open = run([{ s: 0, m: 900 }, { s: 30, m: 0, zones: [] }])
  t.same(open.decisions.map(x => x.d.action), ['raise'])
  t.equal(open.state.alarming, true)
})

t.test('duplicate and out-of-order fixes are ignored', async t => {
  const first = run([{ s: 30, m: 300 }])
  const dup = evaluateLocation(first.state, { at: at(30), eventId: 'dup', ...north(400), zones: [HOME] })
  t.equal(dup.state, first.state, 'same time: state untouched')
  // An older outside fix arriving late must not confirm the run (it would be 30 s "before" it).
  const late = evaluateLocation(first.state, { at: at(0), eventId: 'late', ...north(400), zones: [HOME] })
  t.equal(late.state, first.state)
  t.equal(late.decisions.length, 0)
  const bad = evaluateLocation(first.state, { at: 'not a time', eventId: 'x', ...north(400), zones: [HOME] })
  t.equal(bad.state, first.state, 'an unparseable time is ignored rather than trusted')
})

t.test('state is plain JSON and survives a round trip between fixes', async t => {
  let state = run([{ s: 0, m: 300 }]).state
  state = JSON.parse(JSON.stringify(state)) as GeofenceState
  const r = evaluateLocation(state, { at: at(30), eventId: 'e30', ...north(310), zones: [HOME] })
  t.equal(r.decisions.length, 1, 'the run continues from the stored state')
  t.same(JSON.parse(JSON.stringify(r.state)), r.state)
  t.equal(r.state.lastKnown?.accuracyM, null, 'absent accuracy is stored as null, not dropped')
})
