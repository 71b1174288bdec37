import t from 'tap'
import {
  DEFAULT_MAX_POSITION_AGE_MINUTES,
  SKILLS,
  distanceMeters,
  rankResponders,
  requiredSkills,
  type MatchRequest,
  type ResponderCandidate,
} from '../../src/domain/responder-matching.ts'

// Real places in Shanghai's Jing'an and Huangpu districts.
const JINGAN_TEMPLE = { lat: 31.2235, lon: 121.4453 }
const PEOPLES_SQUARE = { lat: 31.2304, lon: 121.4737 }
const JINGAN_SCULPTURE_PARK = { lat: 31.2376, lon: 121.4612 }
const THE_BUND = { lat: 31.2400, lon: 121.4900 }
const HONGQIAO_STATION = { lat: 31.1940, lon: 121.3200 }

const NOW = '2026-03-02T02:00:00.000Z'
const minutesAgo = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString()

function candidate(staffId: string, overrides: Partial<ResponderCandidate> = {}): ResponderCandidate {
  return {
    staffId,
    role: 'carer',
    areaId: 'jingan-01',
    skills: ['first_aid', 'nursing'],
    available: true,
    onDuty: true,
    openTasks: 0,
    maxOpenTasks: 2,
    position: { ...PEOPLES_SQUARE, at: minutesAgo(5) },
    ...overrides,
  }
}

function request(overrides: Partial<MatchRequest> = {}): MatchRequest {
  return { alarmType: 'sos', residentLocation: JINGAN_TEMPLE, residentAreaId: 'jingan-01', excluded: [], now: NOW, ...overrides }
}

const ids = (r: readonly { staffId: string }[]) => r.map(x => x.staffId)

const VITALS = ['heart_rate_high', 'heart_rate_low', 'spo2_low', 'blood_pressure_high', 'blood_pressure_low', 'temperature_high', 'temperature_low']
const ANYONE = ['inactivity', 'geofence_exit', 'device_offline', 'low_battery', 'device_not_worn', 'missed_contact']

t.test('distanceMeters: haversine on real Shanghai coordinates', async t => {
  const d = distanceMeters(JINGAN_TEMPLE, PEOPLES_SQUARE)
  t.ok(d > 2700 && d < 2900, `Jing'an Temple to People's Square is about 2.8 km (${Math.round(d)} m)`)
  t.equal(Math.round(d), 2807, 'checked independently (Python, same formula and radius)')
  t.equal(distanceMeters(PEOPLES_SQUARE, JINGAN_TEMPLE), d, 'symmetric')
  t.equal(distanceMeters(THE_BUND, THE_BUND), 0)
  const far = distanceMeters(JINGAN_TEMPLE, HONGQIAO_STATION)
  t.ok(far > 12_000 && far < 12_700, `to Hongqiao station about 12.4 km (${Math.round(far)} m)`)
  // One degree of latitude on the mean-radius sphere: 2 * pi * 6371008.8 / 360 = 111195.08 m.
  t.ok(Math.abs(distanceMeters({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }) - 111195.08) < 0.01, 'earth radius 6371008.8 m')
  t.ok(Math.abs(distanceMeters({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }) - Math.PI * 6371008.8) < 0.01, 'antipodes: half the circumference')
})

t.test('requiredSkills: first aid for a button or a fall, nursing for readings, nothing to look in', async t => {
  t.same(requiredSkills('sos'), ['first_aid'])
  t.same(requiredSkills('fall'), ['first_aid'])
  for (const type of [...VITALS, 'glucose_high', 'glucose_low']) t.same(requiredSkills(type), ['nursing'], type)
  for (const type of ANYONE) t.same(requiredSkills(type), [], type)
  t.ok(SKILLS.includes('first_aid') && SKILLS.includes('nursing'))
})

t.test('requiredSkills: an unknown type may be an emergency, so first aid', async t => {
  for (const type of ['choking', '', 'SOS', 'toString', '__proto__', 'constructor']) t.same(requiredSkills(type), ['first_aid'], JSON.stringify(type))
})

t.test('requiredSkills: the answer cannot be changed by a caller', async t => {
  const skills = requiredSkills('sos') as string[]
  t.throws(() => skills.push('medical'))
  t.same(requiredSkills('sos'), ['first_aid'])
})

t.test('suitable: available, on duty, below the task limit, not excluded, every required skill', async t => {
  const all = [
    candidate('ok'),
    candidate('busy', { available: false }),
    candidate('off-duty', { onDuty: false }),
    candidate('full', { openTasks: 2, maxOpenTasks: 2 }),
    candidate('over-full', { openTasks: 3, maxOpenTasks: 2 }),
    candidate('no-capacity', { openTasks: 0, maxOpenTasks: 0 }),
    candidate('declined'),
    candidate('no-first-aid', { skills: ['nursing', 'dementia_care'] }),
    candidate('one-below-limit', { openTasks: 1, maxOpenTasks: 2 }),
  ]
  t.same(ids(rankResponders(request({ excluded: ['declined'] }), all)).sort(), ['ok', 'one-below-limit'])
})

t.test('suitable: the skills depend on the alarm type', async t => {
  const all = [candidate('first-aider', { skills: ['first_aid'] }), candidate('nurse', { skills: ['nursing'] }), candidate('doctor', { role: 'doctor', skills: ['first_aid', 'nursing', 'medical'] }), candidate('no-skills', { skills: [] })]
  t.same(ids(rankResponders(request({ alarmType: 'fall' }), all)).sort(), ['doctor', 'first-aider'])
  t.same(ids(rankResponders(request({ alarmType: 'spo2_low' }), all)).sort(), ['doctor', 'nurse'])
  t.same(ids(rankResponders(request({ alarmType: 'glucose_low' }), all)).sort(), ['doctor', 'nurse'])
  t.same(ids(rankResponders(request({ alarmType: 'inactivity' }), all)).sort(), ['doctor', 'first-aider', 'no-skills', 'nurse'])
  t.same(ids(rankResponders(request({ alarmType: 'geofence_exit' }), all)).sort(), ['doctor', 'first-aider', 'no-skills', 'nurse'])
  t.same(ids(rankResponders(request({ alarmType: 'something_new' }), all)).sort(), ['doctor', 'first-aider'])
})

t.test('nobody suitable: an empty list', async t => {
  t.same(rankResponders(request(), []), [])
  t.same(rankResponders(request(), [candidate('a', { onDuty: false })]), [])
})

t.test('ranking: nearer first, distance in whole metres', async t => {
  const ranked = rankResponders(request(), [
    candidate('at-the-bund', { position: { ...THE_BUND, at: minutesAgo(1) } }),
    candidate('at-peoples-square', { position: { ...PEOPLES_SQUARE, at: minutesAgo(1) } }),
    candidate('at-sculpture-park', { position: { ...JINGAN_SCULPTURE_PARK, at: minutesAgo(1) } }),
  ])
  t.same(ids(ranked), ['at-sculpture-park', 'at-peoples-square', 'at-the-bund'])
  t.equal(ranked[1]?.distanceMeters, 2807)
  for (const r of ranked) t.ok(Number.isInteger(r.distanceMeters), `${r.staffId}: ${r.distanceMeters}`)
})

t.test('ranking: a known distance before an unknown one, however far', async t => {
  const ranked = rankResponders(request(), [
    candidate('no-position', { position: null, openTasks: 0 }),
    candidate('far-but-known', { position: { ...HONGQIAO_STATION, at: minutesAgo(1) }, areaId: 'other', openTasks: 1 }),
    candidate('stale', { position: { ...JINGAN_TEMPLE, at: minutesAgo(31) } }),
  ])
  t.same(ids(ranked), ['far-but-known', 'no-position', 'stale'])
  t.same(ranked.map(r => r.distanceMeters === null), [false, true, true])
})

t.test('ranking: a position counts up to maxPositionAgeMinutes old (default 30)', async t => {
  t.equal(DEFAULT_MAX_POSITION_AGE_MINUTES, 30)
  const at30 = candidate('a', { position: { ...PEOPLES_SQUARE, at: minutesAgo(30) } })
  const at31 = candidate('b', { position: { ...PEOPLES_SQUARE, at: minutesAgo(30.1) } })
  t.same(rankResponders(request(), [at30, at31]).map(r => r.distanceMeters), [2807, null])
  t.same(rankResponders(request(), [at30, at31], { maxPositionAgeMinutes: 60 }).map(r => r.distanceMeters), [2807, 2807])
  t.same(rankResponders(request(), [at30, at31], { maxPositionAgeMinutes: 10 }).map(r => r.distanceMeters), [null, null])
  const ahead = candidate('phone-clock-ahead', { position: { ...PEOPLES_SQUARE, at: minutesAgo(-2) } })
  t.equal(rankResponders(request(), [ahead])[0]?.distanceMeters, 2807, 'a position stamped slightly in the future is fresh')
})

t.test('ranking: an unknown resident location or an unusable position means no distance', async t => {
  t.same(rankResponders(request({ residentLocation: null }), [candidate('a')]).map(r => r.distanceMeters), [null])
  t.same(rankResponders(request({ residentLocation: { lat: Number.NaN, lon: 121.4 } }), [candidate('a')]).map(r => r.distanceMeters), [null])
  const odd = [
    candidate('bad-time', { position: { ...PEOPLES_SQUARE, at: 'unknown' } }),
    candidate('bad-lat', { position: { lat: 95, lon: 121.47, at: minutesAgo(1) } }),
    candidate('nan', { position: { lat: Number.NaN, lon: 121.47, at: minutesAgo(1) } }),
  ]
  t.same(rankResponders(request(), odd).map(r => r.distanceMeters), [null, null, null])
})

t.test('ranking: at the same distance, or both unknown, the resident\'s own area first', async t => {
  const same = { position: { ...PEOPLES_SQUARE, at: minutesAgo(1) } }
  t.same(ids(rankResponders(request(), [candidate('a', { ...same, areaId: 'huangpu-03' }), candidate('b', { ...same, areaId: 'jingan-01' })])), ['b', 'a'])
  t.same(ids(rankResponders(request(), [candidate('a', { position: null, areaId: null }), candidate('b', { position: null })])), ['b', 'a'])
  // Distance outranks the area: the nearer outsider goes first.
  const ranked = rankResponders(request(), [candidate('local-far', { position: { ...THE_BUND, at: minutesAgo(1) } }), candidate('outsider-near', { areaId: 'x', position: { ...JINGAN_SCULPTURE_PARK, at: minutesAgo(1) } })])
  t.same(ids(ranked), ['outsider-near', 'local-far'])
  t.same(ranked.map(r => r.sameArea), [false, true])
})

t.test('ranking: sameArea needs the resident\'s area to be known', async t => {
  const ranked = rankResponders(request({ residentAreaId: null }), [candidate('a', { areaId: null }), candidate('b')])
  t.same(ranked.map(r => r.sameArea), [false, false], 'two unknown areas are not the same area')
})

t.test('ranking: then fewer open tasks, then staffId in code-unit order', async t => {
  const at = { position: null }
  t.same(ids(rankResponders(request(), [candidate('a', { ...at, openTasks: 1 }), candidate('b', { ...at, openTasks: 0 })])), ['b', 'a'])
  // Code-unit order, not locale order: upper case before lower case.
  t.same(ids(rankResponders(request(), [candidate('carer-b', at), candidate('Carer-z', at), candidate('carer-a', at), candidate('carer-10', at), candidate('carer-2', at)])), [
    'Carer-z',
    'carer-10',
    'carer-2',
    'carer-a',
    'carer-b',
  ])
})

t.test('ranking: deterministic whatever the input order', async t => {
  const pool = [
    candidate('c1', { position: { ...PEOPLES_SQUARE, at: minutesAgo(1) } }),
    candidate('c2', { position: { ...PEOPLES_SQUARE, at: minutesAgo(1) }, openTasks: 1 }),
    candidate('c3', { position: { ...PEOPLES_SQUARE, at: minutesAgo(1) }, areaId: 'other' }),
    candidate('c4', { position: null }),
    candidate('c5', { position: null, openTasks: 1 }),
    candidate('c6', { position: { ...JINGAN_SCULPTURE_PARK, at: minutesAgo(1) } }),
    candidate('c7', { position: { ...PEOPLES_SQUARE, at: minutesAgo(1) } }),
  ]
  const expected = ['c6', 'c1', 'c7', 'c2', 'c3', 'c4', 'c5']
  t.same(ids(rankResponders(request(), pool)), expected)
  t.same(ids(rankResponders(request(), [...pool].reverse())), expected)
  t.same(ids(rankResponders(request(), [pool[3], pool[0], pool[6], pool[2], pool[5], pool[1], pool[4]] as ResponderCandidate[])), expected)
})

t.test('ranking: reports distance, open tasks and area for each', async t => {
  t.same(rankResponders(request(), [candidate('a', { openTasks: 1 })]), [{ staffId: 'a', distanceMeters: 2807, openTasks: 1, sameArea: true }])
})

t.test('a bad clock or option is the caller\'s bug and throws', async t => {
  t.throws(() => rankResponders(request({ now: 'now' }), [candidate('a')]), RangeError)
  t.throws(() => rankResponders(request(), [candidate('a')], { maxPositionAgeMinutes: -1 }), RangeError)
  t.throws(() => rankResponders(request(), [candidate('a')], { maxPositionAgeMinutes: Number.NaN }), RangeError)
})

t.test('the input is left alone', async t => {
  const pool = Object.freeze([candidate('b'), candidate('a')].map(c => Object.freeze(c)))
  t.same(ids(rankResponders(request(), pool)), ['a', 'b'])
  t.same(ids(pool), ['b', 'a'])
})
