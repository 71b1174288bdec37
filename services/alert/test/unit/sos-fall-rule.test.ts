import t from 'tap'
import {
  DEFAULT_FALL_GRACE_SECONDS,
  evaluateImOk,
  evaluateUrgent,
  initialFallState,
  type FallState,
} from '../../src/domain/sos-fall-rule.ts'

const T0 = Date.parse('2026-03-02T02:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()

/** The state right after a fall at T0, reported by event 'fall-1'. */
const afterFall = (): FallState => evaluateUrgent(initialFallState(), { type: 'fall', eventId: 'fall-1', at: at(0) }).state

const NO_FALL: FallState = { fallAt: null, fallEventId: null, imOkAt: null, imOkEventId: null }

t.test('initial state knows no fall and no "I\'m OK"', async t => {
  t.strictSame(initialFallState(), NO_FALL)
  t.equal(DEFAULT_FALL_GRACE_SECONDS, 60)
})

t.test('SOS raises a critical alarm with the press count and location, and leaves the fall state alone', async t => {
  const before = initialFallState()
  const r = evaluateUrgent(before, {
    type: 'sos',
    eventId: 'sos-1',
    at: at(0),
    pressCount: 3,
    location: { lat: 31.2304, lon: 121.4737, accuracyM: 12 },
  })
  t.strictSame(r.decisions, [
    {
      action: 'raise',
      type: 'sos',
      severity: 'critical',
      at: at(0),
      evidence: [{ eventId: 'sos-1', at: at(0), kind: 'device_alarm', values: { type: 'sos', pressCount: 3, impactG: null, confidence: null } }],
      detail: { pressCount: 3, lat: 31.2304, lon: 121.4737, accuracyM: 12 },
    },
  ])
  t.equal(r.state, before, 'SOS does not touch the fall state')
})

t.test('SOS without press count or location: one press, location null', async t => {
  const r = evaluateUrgent(initialFallState(), { type: 'sos', eventId: 'sos-2', at: at(5) })
  t.equal(r.decisions.length, 1)
  const d = r.decisions[0]!
  t.equal(d.action, 'raise')
  if (d.action !== 'raise') return
  t.strictSame(d.detail, { pressCount: 1, lat: null, lon: null, accuracyM: null })
  t.strictSame(d.evidence[0]!.values, { type: 'sos', pressCount: 1, impactG: null, confidence: null })
})

t.test('a fall raises a critical alarm and remembers the fall', async t => {
  const r = evaluateUrgent(initialFallState(), {
    type: 'fall',
    eventId: 'fall-1',
    at: at(0),
    location: { lat: 31.23, lon: 121.47 },
    fall: { impactG: 3.2, confidence: 0.91 },
  })
  t.strictSame(r.state, { fallAt: at(0), fallEventId: 'fall-1', imOkAt: null, imOkEventId: null })
  t.strictSame(r.decisions, [
    {
      action: 'raise',
      type: 'fall',
      severity: 'critical',
      at: at(0),
      evidence: [{ eventId: 'fall-1', at: at(0), kind: 'device_alarm', values: { type: 'fall', pressCount: 1, impactG: 3.2, confidence: 0.91 } }],
      detail: { pressCount: 1, lat: 31.23, lon: 121.47, accuracyM: null },
    },
  ])
})

t.test('a second fall replaces the remembered one', async t => {
  const r = evaluateUrgent(afterFall(), { type: 'fall', eventId: 'fall-2', at: at(300) })
  t.strictSame(r.state, { fallAt: at(300), fallEventId: 'fall-2', imOkAt: null, imOkEventId: null })
})

t.test("I'm OK within the grace period cancels the fall", async t => {
  const r = evaluateImOk(afterFall(), { eventId: 'ok-1', at: at(20) })
  t.strictSame(r.state, NO_FALL, 'the fall is forgotten')
  t.strictSame(r.decisions, [
    {
      action: 'cancel',
      type: 'fall',
      at: at(20),
      reason: 'cancelled_by_wearer',
      evidence: [{ eventId: 'ok-1', at: at(20), kind: 'device_event', values: { type: 'im_ok', secondsAfterFall: 20 } }],
    },
  ])
})

t.test("I'm OK at the same instant as the fall cancels it (0 s is within grace)", async t => {
  const r = evaluateImOk(afterFall(), { eventId: 'ok-0', at: at(0) })
  t.equal(r.decisions.length, 1)
  t.equal(r.decisions[0]!.action, 'cancel')
})

t.test('the grace boundary is inclusive: exactly 60 s cancels, 60.001 s does not', async t => {
  // Inclusive is the sensible reading: "within 60 seconds" includes the 60th second, and a wearer who
  // answers right at the limit plainly is OK.
  const exactly = evaluateImOk(afterFall(), { eventId: 'ok-60', at: at(60) })
  t.equal(exactly.decisions.length, 1)
  t.equal(exactly.decisions[0]!.action, 'cancel')
  t.equal(exactly.decisions[0]!.evidence[0]!.values.secondsAfterFall, 60)
  t.strictSame(exactly.state, NO_FALL)

  const justAfter = evaluateImOk(afterFall(), { eventId: 'ok-late', at: new Date(T0 + 60_001).toISOString() })
  t.strictSame(justAfter.decisions, [])
})

t.test('graceSeconds from the caller replaces the default', async t => {
  t.equal(evaluateImOk(afterFall(), { eventId: 'ok', at: at(90), graceSeconds: 120 }).decisions.length, 1, '90 s within a 120 s grace')
  t.equal(evaluateImOk(afterFall(), { eventId: 'ok', at: at(30), graceSeconds: 20 }).decisions.length, 0, '30 s beyond a 20 s grace')
})

t.test("I'm OK after the grace period does nothing to the alarm and forgets the fall", async t => {
  const late = evaluateImOk(afterFall(), { eventId: 'ok-late', at: at(61) })
  t.strictSame(late.decisions, [])
  t.strictSame(late.state, { ...NO_FALL, imOkAt: at(61), imOkEventId: 'ok-late' }, 'reset: the fall can no longer be cancelled')
  // A later "I'm OK" has nothing to cancel.
  t.strictSame(evaluateImOk(late.state, { eventId: 'ok-again', at: at(62) }).decisions, [])
})

t.test("I'm OK timed before the fall (clock skew) does nothing and keeps the fall open to cancel", async t => {
  const fall = afterFall()
  const skewed = evaluateImOk(fall, { eventId: 'ok-early', at: at(-5) })
  t.strictSame(skewed.decisions, [])
  t.strictSame(skewed.state, { fallAt: at(0), fallEventId: 'fall-1', imOkAt: at(-5), imOkEventId: 'ok-early' }, 'the fall is still pending')
  // A proper "I'm OK" afterwards still cancels.
  const ok = evaluateImOk(skewed.state, { eventId: 'ok-1', at: at(10) })
  t.equal(ok.decisions.length, 1)
  t.equal(ok.decisions[0]!.action, 'cancel')
})

t.test("I'm OK with no fall decides nothing but is remembered", async t => {
  const r = evaluateImOk(initialFallState(), { eventId: 'ok-1', at: at(10) })
  t.strictSame(r.decisions, [])
  t.strictSame(r.state, { ...NO_FALL, imOkAt: at(10), imOkEventId: 'ok-1' })
})

// "I'm OK" (event topic) and the fall (urgent topic) are consumed independently, so the answer may come first.

t.test("I'm OK processed before the fall it answers: the fall is raised and cancelled at once", async t => {
  const ok = evaluateImOk(initialFallState(), { eventId: 'ok-1', at: at(25) })
  const r = evaluateUrgent(ok.state, { type: 'fall', eventId: 'fall-1', at: at(0) })
  t.strictSame(r.decisions.map(d => [d.action, d.type, d.at]), [['raise', 'fall', at(0)], ['cancel', 'fall', at(25)]])
  t.strictSame(r.decisions[1], {
    action: 'cancel',
    type: 'fall',
    at: at(25),
    reason: 'cancelled_by_wearer',
    evidence: [{ eventId: 'ok-1', at: at(25), kind: 'device_event', values: { type: 'im_ok', secondsAfterFall: 25 } }],
  })
  t.strictSame(r.state, NO_FALL)
})

t.test("an earlier-processed I'm OK cancels only a fall it can answer", async t => {
  const before = evaluateImOk(initialFallState(), { eventId: 'ok-1', at: at(-5) }).state
  const r1 = evaluateUrgent(before, { type: 'fall', eventId: 'fall-1', at: at(0) })
  t.strictSame(r1.decisions.map(d => d.action), ['raise'], "I'm OK 5 s before the fall answers nothing")
  t.equal(r1.state.fallAt, at(0), 'the fall stays open to a later I am OK')
  t.equal(evaluateImOk(r1.state, { eventId: 'ok-2', at: at(10) }).decisions.length, 1)

  const late = evaluateImOk(initialFallState(), { eventId: 'ok-1', at: at(61) }).state
  t.strictSame(evaluateUrgent(late, { type: 'fall', eventId: 'fall-1', at: at(0) }).decisions.map(d => d.action), ['raise'], '61 s after: beyond grace')
  t.strictSame(
    evaluateUrgent(late, { type: 'fall', eventId: 'fall-1', at: at(0), graceSeconds: 90 }).decisions.map(d => d.action),
    ['raise', 'cancel'],
    'the grace passed with the fall is used',
  )
})

t.test("a remembered I'm OK is not used up by an SOS", async t => {
  const ok = evaluateImOk(initialFallState(), { eventId: 'ok-1', at: at(5) }).state
  const sos = evaluateUrgent(ok, { type: 'sos', eventId: 'sos-1', at: at(0) })
  t.strictSame(sos.decisions.map(d => [d.action, d.type]), [['raise', 'sos']])
  t.equal(sos.state, ok)
})

t.test("I'm OK never cancels an SOS", async t => {
  const sos = evaluateUrgent(initialFallState(), { type: 'sos', eventId: 'sos-1', at: at(0) })
  const r = evaluateImOk(sos.state, { eventId: 'ok-1', at: at(5) })
  t.strictSame(r.decisions, [], 'SOS then I am OK: no decision')

  // SOS and fall together: I'm OK withdraws the fall only.
  const fall = evaluateUrgent(sos.state, { type: 'fall', eventId: 'fall-1', at: at(2) })
  const both = evaluateImOk(fall.state, { eventId: 'ok-2', at: at(10) })
  t.strictSame(both.decisions.map(d => [d.action, d.type]), [['cancel', 'fall']])
})

t.test('the state survives a JSON round trip', async t => {
  const fall = afterFall()
  const revived = JSON.parse(JSON.stringify(fall)) as FallState
  t.strictSame(revived, fall)
  t.equal(evaluateImOk(revived, { eventId: 'ok-1', at: at(30) }).decisions.length, 1)
})
