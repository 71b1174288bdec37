import t from 'tap'
import { DELIVERY_CHANNELS, type DeliveryChannel } from '../../src/channels/channel.ts'
import { FALLBACK_ORDER, planDelivery, quietUntil, type PlanInput, type QuietHours } from '../../src/domain/delivery-plan.ts'

const ALL: DeliveryChannel[] = ['responder_app', 'sms', 'phone', 'email', 'webhook']
const NOON_SHANGHAI = '2025-06-02T04:00:00.000Z' // 12:00 in Asia/Shanghai, outside any night quiet hours
const NIGHT: QuietHours = { start: '22:00', end: '07:00', timezone: 'Asia/Shanghai' }

const plan = (over: Partial<PlanInput> = {}) =>
  planDelivery({
    requested: [],
    available: ALL,
    preferences: { channels: null, quietHours: null },
    critical: false,
    now: NOON_SHANGHAI,
    ...over,
  })
const orderOf = (p: { sendNow: DeliveryChannel[]; fallbacks: DeliveryChannel[] }) => [...p.sendNow, ...p.fallbacks]

t.test('FALLBACK_ORDER lists every delivery channel exactly once', async t => {
  t.same([...FALLBACK_ORDER], ['responder_app', 'sms', 'phone', 'email', 'webhook'])
  t.same([...FALLBACK_ORDER].sort(), [...DELIVERY_CHANNELS].sort())
})

t.test('order: preferred (available) first, then requested (available), then the rest in FALLBACK_ORDER', async t => {
  const p = plan({ requested: ['email', 'sms'], preferences: { channels: ['phone', 'webhook'], quietHours: null } })
  t.same(orderOf(p), ['phone', 'webhook', 'email', 'sms', 'responder_app'])

  t.same(orderOf(plan({ requested: ['webhook', 'email'] })), ['webhook', 'email', 'responder_app', 'sms', 'phone'], 'request order kept')
  t.same(orderOf(plan()), ALL, 'nothing asked: FALLBACK_ORDER')
  t.same(orderOf(plan({ available: ['webhook', 'email', 'sms'] })), ['sms', 'email', 'webhook'], 'FALLBACK_ORDER, not the order of available')
})

t.test('order: unavailable preferred or requested channels are skipped', async t => {
  const p = plan({
    requested: ['phone', 'email'],
    available: ['email', 'webhook'],
    preferences: { channels: ['sms', 'webhook'], quietHours: null },
  })
  t.same(orderOf(p), ['webhook', 'email'])
})

t.test("order: 'console' and unknown requested names are ignored", async t => {
  const p = plan({ requested: ['console', 'fax', 'SMS', '', 'email'] })
  t.same(orderOf(p), ['email', 'responder_app', 'sms', 'phone', 'webhook'])
  t.same(orderOf(plan({ requested: ['console'], available: [] })), [])
})

t.test('order: no duplicates across preferred, requested, fallbacks and repeated inputs', async t => {
  const p = plan({
    requested: ['sms', 'sms', 'phone', 'email'],
    available: ['sms', 'phone', 'sms', 'email'],
    preferences: { channels: ['phone', 'sms', 'phone'], quietHours: null },
  })
  t.same(orderOf(p), ['phone', 'sms', 'email'])
})

t.test('order: an available channel missing from every list still comes last, never dropped', async t => {
  // Simulates a channel added to channel.ts but not yet to FALLBACK_ORDER.
  const future = 'pager' as DeliveryChannel
  t.same(orderOf(plan({ available: [future, 'email'] })), ['email', future])
})

t.test('not critical: only the first channel of the order is sent now; the rest are fallbacks, in order', async t => {
  const p = plan({ requested: ['sms', 'email'], preferences: { channels: ['phone'], quietHours: null } })
  t.same(p.sendNow, ['phone'])
  t.same(p.fallbacks, ['sms', 'email', 'responder_app', 'webhook'])
  t.equal(p.unreachable, false)

  const r = plan({ requested: ['sms', 'email'] })
  t.same(r.sendNow, ['sms'], 'several requested: still one at a time')
  t.same(r.fallbacks, ['email', 'responder_app', 'phone', 'webhook'])
})

t.test('critical: every requested or preferred channel (available) is sent now, in order', async t => {
  const p = plan({ critical: true, requested: ['sms', 'email'], preferences: { channels: ['phone'], quietHours: null } })
  t.same(p.sendNow, ['phone', 'sms', 'email'])
  t.same(p.fallbacks, ['responder_app', 'webhook'])

  const q = plan({ critical: true, requested: ['email', 'phone'], available: ['email', 'sms', 'responder_app'] })
  t.same(q.sendNow, ['email'], 'unavailable requested channels are not sent')
  t.same(q.fallbacks, ['responder_app', 'sms'])

  const onlyPreferred = plan({ critical: true, preferences: { channels: ['webhook', 'sms'], quietHours: null } })
  t.same(onlyPreferred.sendNow, ['webhook', 'sms'], 'preferred counts as asked')
  t.same(onlyPreferred.fallbacks, ['responder_app', 'phone', 'email'])
})

t.test('critical: with nothing requested or preferred available, the first channel of the order', async t => {
  const p = plan({ critical: true, requested: ['console', 'phone'], available: ['email', 'sms'] })
  t.same(p.sendNow, ['sms'])
  t.same(p.fallbacks, ['email'])
  const none = plan({ critical: true })
  t.same(none.sendNow, ['responder_app'])
  t.same(none.fallbacks, ['sms', 'phone', 'email', 'webhook'])
})

t.test('critical: everything asked for and available means no fallbacks', async t => {
  const p = plan({ critical: true, requested: ['sms', 'phone'], available: ['phone', 'sms'] })
  t.same(p.sendNow, ['sms', 'phone'])
  t.same(p.fallbacks, [])
  t.equal(p.unreachable, false)
})

t.test('unreachable when no channel is available', async t => {
  for (const critical of [true, false]) {
    const p = plan({
      critical,
      requested: ['sms', 'console'],
      available: [],
      preferences: { channels: ['phone'], quietHours: NIGHT },
      now: '2025-06-01T15:00:00.000Z', // 23:00 in Shanghai: inside quiet hours
    })
    t.same(p, { sendNow: [], fallbacks: [], notBefore: null, unreachable: true }, `critical=${critical}; nothing to wait for`)
  }
})

t.test('quiet hours delay a non-critical alarm until they end', async t => {
  const p = plan({ requested: ['sms'], preferences: { channels: null, quietHours: NIGHT }, now: '2025-06-01T15:00:00.000Z' })
  t.equal(p.notBefore, '2025-06-01T23:00:00.000Z', '07:00 Shanghai')
  t.same(p.sendNow, ['sms'], 'the plan itself is unchanged; it waits')
  t.same(p.fallbacks, ['responder_app', 'phone', 'email', 'webhook'])
})

t.test('quiet hours never apply to a critical alarm', async t => {
  const p = plan({ critical: true, requested: ['sms'], preferences: { channels: null, quietHours: NIGHT }, now: '2025-06-01T15:00:00.000Z' })
  t.equal(p.notBefore, null)
  t.same(p.sendNow, ['sms'])
})

t.test('outside quiet hours, or without any, notBefore is null', async t => {
  t.equal(plan({ preferences: { channels: null, quietHours: NIGHT } }).notBefore, null)
  t.equal(plan({ now: '2025-06-01T15:00:00.000Z' }).notBefore, null, 'no quiet hours set')
  t.equal(plan({ preferences: { channels: null, quietHours: { ...NIGHT, end: '22:00' } }, now: '2025-06-01T15:00:00.000Z' }).notBefore, null, 'start == end')
})

t.test('malformed quiet hours do not stop a delivery: read as none', async t => {
  const at = '2025-06-01T15:00:00.000Z'
  t.equal(plan({ preferences: { channels: null, quietHours: { ...NIGHT, start: '10pm' } }, now: at }).notBefore, null)
  t.equal(plan({ preferences: { channels: null, quietHours: { ...NIGHT, timezone: 'Mars/Olympus' } }, now: at }).notBefore, null)
  t.same(plan({ preferences: { channels: null, quietHours: { ...NIGHT, timezone: '' } }, now: at }).sendNow, ['responder_app'])
})

t.test('a bad `now` is a programming error and throws', async t => {
  t.throws(() => plan({ preferences: { channels: null, quietHours: NIGHT }, now: 'yesterday' }), RangeError)
  t.throws(() => plan({ preferences: { channels: null, quietHours: NIGHT }, now: '2025-06-01T15:00:00' }), RangeError, 'no offset')
  t.throws(() => plan({ critical: true, now: 'yesterday' }), RangeError, 'critical, without quiet hours')
})

t.test('the input is not modified', async t => {
  const input: PlanInput = {
    requested: ['sms', 'console'],
    available: ['email', 'sms'],
    preferences: { channels: ['email'], quietHours: NIGHT },
    critical: true,
    now: NOON_SHANGHAI,
  }
  const copy = structuredClone(input)
  planDelivery(input)
  t.same(input, copy)
})

t.test('quietUntil: Asia/Shanghai window wrapping midnight', async t => {
  t.equal(quietUntil(NIGHT, '2025-06-01T14:00:00.000Z'), '2025-06-01T23:00:00.000Z', '22:00 exactly: start is inside')
  t.equal(quietUntil(NIGHT, '2025-06-01T15:30:00.000Z'), '2025-06-01T23:00:00.000Z', '23:30: ends 07:00 tomorrow')
  t.equal(quietUntil(NIGHT, '2025-06-01T16:00:00.000Z'), '2025-06-01T23:00:00.000Z', 'midnight')
  t.equal(quietUntil(NIGHT, '2025-06-01T20:00:00.000Z'), '2025-06-01T23:00:00.000Z', '04:00: ends 07:00 today')
  t.equal(quietUntil(NIGHT, '2025-06-01T22:59:59.999Z'), '2025-06-01T23:00:00.000Z', 'a moment before the end')
  t.equal(quietUntil(NIGHT, '2025-06-01T23:00:00.000Z'), null, '07:00 exactly: end is outside')
  t.equal(quietUntil(NIGHT, '2025-06-01T13:59:59.999Z'), null, 'just before 22:00')
  t.equal(quietUntil(NIGHT, NOON_SHANGHAI), null, 'noon')
  t.equal(quietUntil(NIGHT, '2025-06-02T00:00:00+08:00'), '2025-06-01T23:00:00.000Z', 'now with an offset')
})

t.test('quietUntil: window within one day', async t => {
  const nap: QuietHours = { start: '13:00', end: '15:30', timezone: 'Asia/Shanghai' }
  t.equal(quietUntil(nap, '2025-06-02T05:00:00.000Z'), '2025-06-02T07:30:00.000Z', '13:00')
  t.equal(quietUntil(nap, '2025-06-02T07:29:00.000Z'), '2025-06-02T07:30:00.000Z', '15:29')
  t.equal(quietUntil(nap, '2025-06-02T07:30:00.000Z'), null, '15:30')
  t.equal(quietUntil(nap, '2025-06-02T04:59:00.000Z'), null, '12:59')
  t.equal(quietUntil(nap, '2025-06-01T20:00:00.000Z'), null, '04:00')
})

t.test('quietUntil: start == end means no quiet hours', async t => {
  for (const at of ['2025-06-01T14:00:00.000Z', '2025-06-01T20:00:00.000Z', NOON_SHANGHAI]) {
    t.equal(quietUntil({ start: '22:00', end: '22:00', timezone: 'Asia/Shanghai' }, at), null, at)
  }
  t.equal(quietUntil({ start: '00:00', end: '00:00', timezone: 'Europe/London' }, '2025-01-01T00:00:00.000Z'), null)
})

t.test('quietUntil: midnight boundaries', async t => {
  const toMidnight: QuietHours = { start: '21:00', end: '00:00', timezone: 'Asia/Shanghai' }
  t.equal(quietUntil(toMidnight, '2025-06-01T14:30:00.000Z'), '2025-06-01T16:00:00.000Z', '22:30 → midnight')
  t.equal(quietUntil(toMidnight, '2025-06-01T16:00:00.000Z'), null, 'midnight itself is outside')
  const fromMidnight: QuietHours = { start: '00:00', end: '06:00', timezone: 'Asia/Shanghai' }
  t.equal(quietUntil(fromMidnight, '2025-06-01T16:00:00.000Z'), '2025-06-01T22:00:00.000Z', 'midnight is inside')
  t.equal(quietUntil(fromMidnight, '2025-06-01T15:59:00.000Z'), null, '23:59')
})

const LONDON: QuietHours = { start: '22:00', end: '07:00', timezone: 'Europe/London' }

t.test('quietUntil: Europe/London in summer (BST, UTC+1) and winter (GMT)', async t => {
  t.equal(quietUntil(LONDON, '2025-07-01T21:30:00.000Z'), '2025-07-02T06:00:00.000Z', 'summer: 22:30 BST → 07:00 BST')
  t.equal(quietUntil(LONDON, '2025-07-01T20:30:00.000Z'), null, 'summer: 21:30 BST is outside')
  t.equal(quietUntil(LONDON, '2025-07-02T05:59:00.000Z'), '2025-07-02T06:00:00.000Z', 'summer: 06:59 BST')
  t.equal(quietUntil(LONDON, '2025-07-02T06:30:00.000Z'), null, 'summer: 07:30 BST')
  t.equal(quietUntil(LONDON, '2025-01-15T22:30:00.000Z'), '2025-01-16T07:00:00.000Z', 'winter: 22:30 GMT → 07:00 GMT')
  t.equal(quietUntil(LONDON, '2025-01-15T21:30:00.000Z'), null, 'winter: 21:30 GMT')
  t.equal(quietUntil(LONDON, '2025-01-16T06:30:00.000Z'), '2025-01-16T07:00:00.000Z', 'winter: 06:30 GMT')
})

t.test('quietUntil: Europe/London across the clock changes', async t => {
  // 30 March 2025: 01:00 GMT → 02:00 BST (at 01:00Z). 26 October 2025: 02:00 BST → 01:00 GMT (at 01:00Z).
  t.equal(quietUntil(LONDON, '2025-03-29T22:30:00.000Z'), '2025-03-30T06:00:00.000Z', 'spring night: starts in GMT, ends 07:00 BST')
  t.equal(quietUntil(LONDON, '2025-03-30T00:30:00.000Z'), '2025-03-30T06:00:00.000Z', 'spring night: 00:30 GMT')
  t.equal(quietUntil(LONDON, '2025-03-30T02:00:00.000Z'), '2025-03-30T06:00:00.000Z', 'spring night: 03:00 BST')
  t.equal(quietUntil(LONDON, '2025-10-25T21:30:00.000Z'), '2025-10-26T07:00:00.000Z', 'autumn night: starts in BST, ends 07:00 GMT')
  t.equal(quietUntil(LONDON, '2025-10-26T01:30:00.000Z'), '2025-10-26T07:00:00.000Z', 'autumn night: 01:30 GMT (second pass)')
})

t.test('quietUntil: an end time skipped in spring ends at the jump', async t => {
  const q: QuietHours = { start: '22:00', end: '01:30', timezone: 'Europe/London' }
  t.equal(quietUntil(q, '2025-03-29T23:00:00.000Z'), '2025-03-30T01:00:00.000Z', '23:00 GMT → the jump to 02:00 BST')
  t.equal(quietUntil(q, '2025-03-30T00:59:00.000Z'), '2025-03-30T01:00:00.000Z', '00:59 GMT')
  t.equal(quietUntil(q, '2025-03-30T01:00:00.000Z'), null, '02:00 BST: past the end')
})

t.test('quietUntil: an end time repeated in autumn ends at the occurrence after now', async t => {
  const q: QuietHours = { start: '00:00', end: '01:30', timezone: 'Europe/London' }
  t.equal(quietUntil(q, '2025-10-26T00:15:00.000Z'), '2025-10-26T00:30:00.000Z', '01:15 BST (first pass) → 01:30 BST')
  t.equal(quietUntil(q, '2025-10-26T00:45:00.000Z'), null, '01:45 BST: outside')
  t.equal(quietUntil(q, '2025-10-26T01:15:00.000Z'), '2025-10-26T01:30:00.000Z', '01:15 GMT (second pass) → 01:30 GMT')
})

t.test('quietUntil: malformed quiet hours or now throw RangeError', async t => {
  const at = '2025-06-01T15:00:00.000Z'
  for (const bad of ['7:00', '24:00', '12:60', '2200', '', ' 22:00', '22:00:00']) {
    t.throws(() => quietUntil({ ...NIGHT, start: bad }, at), RangeError, `start ${JSON.stringify(bad)}`)
    t.throws(() => quietUntil({ ...NIGHT, end: bad }, at), RangeError, `end ${JSON.stringify(bad)}`)
  }
  t.throws(() => quietUntil({ ...NIGHT, timezone: 'Mars/Olympus' }, at), RangeError)
  t.throws(() => quietUntil({ ...NIGHT, timezone: '' }, at), RangeError)
  t.throws(() => quietUntil(NIGHT, 'not a time'), RangeError)
  t.throws(() => quietUntil(NIGHT, '2025-06-01 15:00'), RangeError)
})
