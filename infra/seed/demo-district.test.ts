import { readFileSync } from 'node:fs'
import t from 'tap'
import {
  DEFAULT_NOW,
  DISTRICT_CENTRE,
  VERY_OLD_AGE,
  ageOn,
  apportion,
  distanceM,
  generateDemoDistrict,
  type DemoDistrict,
  type DeviceType,
  type Resident,
} from './demo-district.ts'
import { createRandom } from './random.ts'

// The allowed values come from the migration itself, so the seed cannot drift from the schema unnoticed.
const migration = readFileSync(new URL('../../packages/db/migrations/0001_registry.sql', import.meta.url), 'utf8')

function checkList(column: string): string[] {
  const match = new RegExp(`CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(migration)
  if (!match) throw new Error(`no CHECK list for ${column} in the migration`)
  return [...match[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!)
}

const allowed = {
  role: checkList('role'),
  gender: checkList('gender'),
  livingSituation: checkList('living_situation'),
  careLevel: checkList('care_level'),
  deviceType: checkList('type'),
  conditions: [...(/conditions <@ ARRAY\[([^\]]*)\]/.exec(migration)?.[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!),
}
const deviceIdPattern = new RegExp(/id ~ '([^']+)'/.exec(migration)![1]!)

const HAN_NAME = /^\p{Script=Han}{2,4}$/u
const MOBILE = /^1[358]\d{9}$/
const LANDLINE = /^021-[2-9]\d{7}$/
const RELATIONS = new Set(['老伴', '儿子', '女儿', '儿媳', '女婿', '孙子', '孙女', '外孙', '外孙女', '侄子', '侄女', '外甥', '外甥女', '邻居'])
const DEVICE_PREFIX: Record<DeviceType, string> = { watch: 'W', sos_pendant: 'P', wall_button: 'B', door_sensor: 'D', pir_sensor: 'M', bed_sensor: 'S' }
const SUPERVISION: Record<DeviceType, number> = { watch: 600, sos_pendant: 3600, wall_button: 86_400, door_sensor: 3600, pir_sensor: 3600, bed_sensor: 3600 }

/** Ids (or descriptions) of the records breaking a rule; an empty list reads well in a failing diff. */
function offenders<T extends { id: string }>(items: readonly T[], ok: (item: T) => boolean): string[] {
  return items.filter((item) => !ok(item)).map((item) => item.id)
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>()
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)))
}

function share<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  return items.length === 0 ? 0 : items.filter(predicate).length / items.length
}

/** The subtest object tap passes to a `t.test` callback. */
type TestContext = Parameters<Parameters<typeof t.test>[0]>[0]

function inRange(t: TestContext, label: string, value: number, min: number, max: number): void {
  t.ok(value >= min && value <= max, `${label}: ${value.toFixed(3)} within [${min}, ${max}]`)
}


function devicesOf(district: DemoDistrict, resident: Resident): DeviceType[] {
  return district.devices.filter((d) => d.residentId === resident.id).map((d) => d.type)
}

/** Every structural rule of the generator; run on several seeds, sizes and dates. */
function checkInvariants(t: TestContext, district: DemoDistrict, now: Date): void {
  const { organisation: org, areas, staff, residents, devices } = district
  const areaIds = new Set(areas.map((a) => a.id))
  const staffById = new Map(staff.map((s) => [s.id, s]))
  const residentIds = new Set(residents.map((r) => r.id))

  t.match(org, { id: 'org-jingan-jiangning', timezone: 'Asia/Shanghai' }, 'organisation')
  t.ok(areas.length >= 5 && areas.length <= 6, '5-6 areas')

  t.same(duplicates([...areas.map((a) => a.id), ...staff.map((s) => s.id), ...residents.map((r) => r.id), ...devices.map((d) => d.id)]), [], 'ids unique')
  t.same(offenders(areas, (a) => /^area-\d{2}$/.test(a.id) && a.orgId === org.id && a.name.endsWith('居委会')), [], 'area ids, org, names')
  t.same(offenders(staff, (s) => /^staff-\d{4}$/.test(s.id) && s.orgId === org.id), [], 'staff ids and org')
  t.same(offenders(residents, (r) => /^res-\d{4}$/.test(r.id) && r.orgId === org.id), [], 'resident ids and org')
  t.same(offenders(devices, (d) => deviceIdPattern.test(d.id) && new RegExp(`^${DEVICE_PREFIX[d.type]}\\d{8}$`).test(d.id) && d.orgId === org.id), [], 'device ids match the migration regex and the type prefix')

  t.same(offenders(staff, (s) => allowed.role.includes(s.role)), [], 'staff roles in CHECK list')
  t.same(offenders(staff, (s) => (s.areaId === null ? !['carer', 'doctor'].includes(s.role) : areaIds.has(s.areaId))), [], 'staff areas: carers and doctors local, others centre-wide')
  t.same(offenders(staff, (s) => HAN_NAME.test(s.fullName) && MOBILE.test(s.phone) && (s.email === null || /^[a-z0-9]+@[a-z0-9.-]+\.example$/.test(s.email))), [], 'staff names, phones, emails')

  t.same(offenders(residents, (r) => allowed.gender.includes(r.gender) && allowed.livingSituation.includes(r.livingSituation) && allowed.careLevel.includes(r.careLevel)), [], 'resident enums in CHECK lists')
  t.same(offenders(residents, (r) => r.conditions.every((c) => allowed.conditions.includes(c))), [], 'conditions within the CHECK array')
  t.same(offenders(residents, (r) => r.conditions.join() === allowed.conditions.filter((c) => (r.conditions as string[]).includes(c)).join()), [], 'conditions unique and in canonical order')
  t.same(offenders(residents, (r) => areaIds.has(r.areaId)), [], 'resident areas exist')
  t.same(offenders(residents, (r) => staffById.get(r.assignedCarerId)?.role === 'carer'), [], 'assigned carer is a carer')
  t.same(offenders(residents, (r) => staffById.get(r.familyDoctorId)?.role === 'doctor'), [], 'family doctor is a doctor')
  const localCare = (role: string, r: Resident, id: string): boolean =>
    !staff.some((s) => s.role === role && s.areaId === r.areaId) || staffById.get(id)?.areaId === r.areaId
  t.same(offenders(residents, (r) => localCare('carer', r, r.assignedCarerId) && localCare('doctor', r, r.familyDoctorId)), [], 'carer and doctor from the resident\'s own area when it has one')

  t.same(offenders(residents, (r) => /^\d{4}-\d{2}-\d{2}$/.test(r.birthDate) && new Date(`${r.birthDate}T00:00:00Z`).toISOString().startsWith(r.birthDate)), [], 'birth dates are real YYYY-MM-DD dates')
  t.same(offenders(residents, (r) => ageOn(r.birthDate, now) >= 60 && ageOn(r.birthDate, now) <= 99), [], 'ages 60-99')
  t.same(offenders(residents, (r) => r.flags.veryOld === ageOn(r.birthDate, now) >= VERY_OLD_AGE), [], 'veryOld iff age >= 80')
  t.same(offenders(residents, (r) => r.flags.livingAlone === (r.livingSituation === 'alone')), [], 'livingAlone iff alone')
  t.same(offenders(residents, (r) => r.flags.dementia === r.conditions.includes('dementia')), [], 'dementia flag iff condition')
  t.same(offenders(residents, (r) => !r.flags.emptyNest || r.livingSituation === 'alone' || r.livingSituation === 'with_spouse'), [], 'empty nest only when alone or with spouse')
  // Alone or with a spouse but not empty-nest means childless: no son or daughter may appear as contact.
  t.same(offenders(residents, (r) => r.flags.emptyNest || !['alone', 'with_spouse'].includes(r.livingSituation) || !r.emergencyContacts.some((c) => ['儿子', '女儿', '儿媳', '女婿'].includes(c.relation))), [], 'childless residents have no children as contacts')
  t.same(offenders(residents, (r) => !r.conditions.includes('dementia') || r.careLevel !== 'independent'), [], 'dementia is never independent')
  t.same(offenders(residents, (r) => (r.medicationNotes === null) === (r.conditions.length === 0)), [], 'medication notes null iff no conditions')
  t.same(offenders(residents, (r) => r.medicationNotes === null || (/\p{Script=Han}/u.test(r.medicationNotes) && !/[A-Za-z]{4,}/.test(r.medicationNotes.replace(/mg|μg/g, '')))), [], 'medication notes are Chinese plain text')

  t.same(offenders(residents, (r) => HAN_NAME.test(r.fullName)), [], 'resident names are Han characters only')
  t.same(offenders(residents, (r) => r.phone === null || MOBILE.test(r.phone) || LANDLINE.test(r.phone)), [], 'resident phones: mobile, Shanghai landline or none')
  t.same(offenders(residents, (r) => r.address.startsWith('上海市静安区江宁路街道 ') && /\d+号 .*\d+室/.test(r.address)), [], 'addresses look like Jing\'an addresses')
  t.same(duplicates(residents.map((r) => r.address)), [], 'addresses unique')
  t.same(offenders(residents, (r) => distanceM(r, DISTRICT_CENTRE) <= 1500), [], 'everyone within 1.5 km of the centre')

  t.same(offenders(residents, (r) => r.emergencyContacts.length >= 1 && r.emergencyContacts.length <= 3), [], '1-3 emergency contacts')
  t.same(offenders(residents, (r) => r.emergencyContacts.every((c, i) => c.position === i + 1)), [], 'contact positions 1..n')
  t.same(offenders(residents, (r) => r.emergencyContacts.every((c) => RELATIONS.has(c.relation) && HAN_NAME.test(c.fullName) && MOBILE.test(c.phone))), [], 'contact relations, names, phones')
  t.same(offenders(residents, (r) => r.emergencyContacts.filter((c) => c.relation === '老伴').length === (r.livingSituation === 'with_spouse' ? r.emergencyContacts.filter((c) => c.relation === '老伴').length : 0)), [], '老伴 only when living with spouse')
  t.same(offenders(residents, (r) => r.emergencyContacts.filter((c) => c.relation === '老伴').length <= 1), [], 'at most one 老伴')
  const phones = [...staff.map((s) => s.phone), ...residents.flatMap((r) => [...(r.phone ? [r.phone] : []), ...r.emergencyContacts.map((c) => c.phone)])]
  t.same(duplicates(phones), [], 'phone numbers unique across the district')

  t.same(offenders(devices, (d) => allowed.deviceType.includes(d.type) && residentIds.has(d.residentId)), [], 'device types in CHECK list, residents exist')
  t.same(offenders(devices, (d) => d.supervisionIntervalS === SUPERVISION[d.type] && d.model.length > 0 && /^\d+\.\d+\.\d+$/.test(d.firmware)), [], 'device supervision, model, firmware')
  t.same(offenders(residents, (r) => {
    const types = devicesOf(district, r)
    const wearables = types.filter((x) => x === 'watch' || x === 'sos_pendant').length
    const alone = r.livingSituation === 'alone'
    return wearables === 1 &&
      types.includes('wall_button') === alone &&
      types.includes('door_sensor') === types.includes('pir_sensor') &&
      (!types.includes('door_sensor') || alone) &&
      types.includes('bed_sensor') === r.flags.dementia &&
      new Set(types).size === types.length
  }), [], 'device kit matches each resident (one wearable, button if alone, sensors pairwise, bed sensor iff dementia)')
}

t.test('deterministic', async (t) => {
  const a = generateDemoDistrict()
  t.strictSame(generateDemoDistrict(), a, 'same defaults, same district')
  t.strictSame(generateDemoDistrict({ seed: 20261122, residents: 300, now: DEFAULT_NOW }), a, 'defaults are seed 20261122, 300 residents, 2026-11-22')
  // t.notSame on the whole district spends seconds rendering a diff; comparing the serialised forms is enough.
  const other = generateDemoDistrict({ seed: 7 })
  t.not(JSON.stringify(other), JSON.stringify(a), 'another seed, another district')
  t.ok(other.residents.filter((r, i) => r.fullName !== a.residents[i]?.fullName).length > 250, 'another seed, other people')
  t.strictSame(JSON.parse(JSON.stringify(a)), a, 'plain JSON data')

  // A record depends on its own stream only, so growing the district keeps the existing residents.
  const bigger = generateDemoDistrict({ residents: 320 })
  t.strictSame(bigger.residents[41]?.fullName, a.residents[41]?.fullName, 'res-0042 keeps its name when more residents are added')
})

t.test('never touches Math.random or the clock', async (t) => {
  const realRandom = Math.random
  const realNow = Date.now
  Math.random = () => { throw new Error('Math.random called') }
  Date.now = () => { throw new Error('Date.now called') }
  try {
    t.doesNotThrow(() => generateDemoDistrict({ residents: 50 }))
  } finally {
    Math.random = realRandom
    Date.now = realNow
  }
})

t.test('default district: invariants', async (t) => {
  checkInvariants(t, generateDemoDistrict(), DEFAULT_NOW)
})

t.test('other seeds, sizes and dates: invariants', async (t) => {
  const cases: Array<{ seed: number; residents: number; now: Date }> = [
    { seed: 1, residents: 0, now: DEFAULT_NOW },
    { seed: 2, residents: 1, now: DEFAULT_NOW },
    { seed: 3, residents: 7, now: DEFAULT_NOW },
    { seed: 4, residents: 50, now: DEFAULT_NOW },
    { seed: 5, residents: 500, now: DEFAULT_NOW },
    // A leap day in Shanghai (still 28 February in UTC) exercises the birthday arithmetic.
    { seed: 6, residents: 300, now: new Date('2028-02-29T03:00:00+08:00') },
    { seed: 7, residents: 300, now: new Date('2027-01-01T00:30:00+08:00') },
  ]
  for (const c of cases) {
    await t.test(`seed ${c.seed}, ${c.residents} residents, ${c.now.toISOString()}`, async (t) => {
      const district = generateDemoDistrict(c)
      t.equal(district.residents.length, c.residents)
      checkInvariants(t, district, c.now)
    })
  }
})

t.test('default district: counts and proportions', async (t) => {
  const { areas, staff, residents, devices } = generateDemoDistrict()
  const roles = (role: string): number => staff.filter((s) => s.role === role).length
  t.equal(residents.length, 300)
  t.equal(roles('administrator'), 1)
  t.equal(roles('supervisor'), 2)
  t.equal(roles('operator'), 6)
  t.equal(roles('auditor'), 1)
  inRange(t, 'carers (about 1 per 12 residents)', roles('carer'), 22, 28)
  inRange(t, 'doctors (about 1 per 40 residents)', roles('doctor'), 6, 9)
  t.ok(areas.every((a) => staff.some((s) => s.role === 'carer' && s.areaId === a.id)), 'every area has a carer')
  t.ok(areas.every((a) => staff.some((s) => s.role === 'doctor' && s.areaId === a.id)), 'every area has a doctor')
  t.ok(areas.every((a) => residents.filter((r) => r.areaId === a.id).length >= 25), 'every area has a fair share of residents')

  const age = (r: Resident): number => ageOn(r.birthDate, DEFAULT_NOW)
  inRange(t, 'women', share(residents, (r) => r.gender === 'female'), 0.52, 0.65)
  inRange(t, 'aged 75-89', share(residents, (r) => age(r) >= 75 && age(r) <= 89), 0.45, 0.65)
  inRange(t, 'very old (80+)', share(residents, (r) => r.flags.veryOld), 0.35, 0.55)
  inRange(t, 'alone', share(residents, (r) => r.livingSituation === 'alone'), 0.24, 0.36)
  inRange(t, 'with spouse', share(residents, (r) => r.livingSituation === 'with_spouse'), 0.33, 0.47)
  inRange(t, 'with family', share(residents, (r) => r.livingSituation === 'with_family'), 0.19, 0.31)
  inRange(t, 'care home', share(residents, (r) => r.livingSituation === 'care_home'), 0.02, 0.09)
  inRange(t, 'hypertension', share(residents, (r) => r.conditions.includes('hypertension')), 0.47, 0.63)
  inRange(t, 'diabetes', share(residents, (r) => r.conditions.includes('diabetes')), 0.14, 0.26)
  inRange(t, 'heart disease', share(residents, (r) => r.conditions.includes('heart_disease')), 0.09, 0.21)
  inRange(t, 'COPD', share(residents, (r) => r.conditions.includes('copd')), 0.04, 0.14)
  inRange(t, 'stroke history', share(residents, (r) => r.conditions.includes('stroke_history')), 0.03, 0.11)
  inRange(t, 'dementia', share(residents, (r) => r.flags.dementia), 0.03, 0.1)
  inRange(t, 'disabled', share(residents, (r) => r.flags.disabled), 0.04, 0.12)
  inRange(t, 'empty nest among alone or with spouse', share(residents.filter((r) => ['alone', 'with_spouse'].includes(r.livingSituation)), (r) => r.flags.emptyNest), 0.8, 0.97)
  inRange(t, 'wearing a watch', share(residents, (r) => devices.some((d) => d.residentId === r.id && d.type === 'watch')), 0.62, 0.8)
  inRange(t, 'door + PIR among those alone', share(residents.filter((r) => r.flags.livingAlone), (r) => devices.some((d) => d.residentId === r.id && d.type === 'door_sensor')), 0.1, 0.3)
  t.ok(residents.filter((r) => r.emergencyContacts.length === 3).length > 30, 'many residents have three contacts')
})

t.test('pooled over ten seeds: proportions close to the targets', async (t) => {
  const residents = Array.from({ length: 10 }, (_, i) => generateDemoDistrict({ seed: 1000 + i }).residents).flat()
  const has = (c: string) => (r: Resident): boolean => (r.conditions as string[]).includes(c)
  inRange(t, 'women', share(residents, (r) => r.gender === 'female'), 0.55, 0.61)
  inRange(t, 'alone', share(residents, (r) => r.livingSituation === 'alone'), 0.27, 0.33)
  inRange(t, 'with spouse', share(residents, (r) => r.livingSituation === 'with_spouse'), 0.37, 0.43)
  inRange(t, 'with family', share(residents, (r) => r.livingSituation === 'with_family'), 0.22, 0.28)
  inRange(t, 'care home', share(residents, (r) => r.livingSituation === 'care_home'), 0.035, 0.075)
  inRange(t, 'hypertension', share(residents, has('hypertension')), 0.52, 0.59)
  inRange(t, 'diabetes', share(residents, has('diabetes')), 0.17, 0.23)
  inRange(t, 'heart disease', share(residents, has('heart_disease')), 0.12, 0.18)
  inRange(t, 'COPD', share(residents, has('copd')), 0.06, 0.1)
  inRange(t, 'stroke history', share(residents, has('stroke_history')), 0.05, 0.09)
  inRange(t, 'dementia', share(residents, has('dementia')), 0.045, 0.075)
  inRange(t, 'disabled', share(residents, (r) => r.flags.disabled), 0.06, 0.1)
  const disabledWhen = (level: string): number => share(residents.filter((r) => r.careLevel === level), (r) => r.flags.disabled)
  t.ok(disabledWhen('dependent') > 2 * disabledWhen('semi_dependent') && disabledWhen('semi_dependent') > disabledWhen('independent'), 'disability more likely the more dependent')
})

t.test('residents are grouped by area', async (t) => {
  const { areas, residents } = generateDemoDistrict()
  const centroid = (areaId: string): { lat: number; lon: number } => {
    const mine = residents.filter((r) => r.areaId === areaId)
    return { lat: mine.reduce((s, r) => s + r.lat, 0) / mine.length, lon: mine.reduce((s, r) => s + r.lon, 0) / mine.length }
  }
  const centres = new Map(areas.map((a) => [a.id, centroid(a.id)]))
  t.same(offenders(residents, (r) => distanceM(r, centres.get(r.areaId)!) <= 700), [], 'within 700 m of the own area\'s centroid')
  const closestIsOwn = share(residents, (r) => areas.every((a) => distanceM(r, centres.get(r.areaId)!) <= distanceM(r, centres.get(a.id)!)))
  inRange(t, 'closest area centroid is the own one', closestIsOwn, 0.85, 1)
})

t.test('options are validated', async (t) => {
  t.throws(() => generateDemoDistrict({ residents: -1 }), RangeError)
  t.throws(() => generateDemoDistrict({ residents: 2.5 }), RangeError)
  t.throws(() => generateDemoDistrict({ now: new Date('not a date') }), RangeError)
})

t.test('ageOn counts birthdays on the Shanghai calendar date', async (t) => {
  // 2026-11-21T16:30Z is already 22 November in Shanghai.
  t.equal(ageOn('1946-11-22', new Date('2026-11-21T16:30:00Z')), 80)
  t.equal(ageOn('1946-11-22', new Date('2026-11-21T15:30:00Z')), 79)
  t.equal(ageOn('1948-02-29', new Date('2028-02-29T12:00:00+08:00')), 80)
  t.equal(ageOn('1948-02-29', new Date('2027-02-28T12:00:00+08:00')), 78)
})

t.test('apportion', async (t) => {
  t.same(apportion(25, [40, 60, 34, 53, 53, 60]).reduce((a, b) => a + b, 0), 25, 'sums to the total')
  t.same(apportion(8, [40, 60, 34, 53, 53, 60]), [1, 2, 1, 1, 1, 2], 'largest remainder, everyone at least one')
  t.same(apportion(3, [1, 1, 1, 1, 1, 1]).reduce((a, b) => a + b, 0), 3, 'fewer than areas')
  t.same(apportion(1, [0, 0, 0]).reduce((a, b) => a + b, 0), 1, 'all-zero weights')
})

t.test('random helpers', async (t) => {
  const rng = createRandom(42)
  const ints = Array.from({ length: 2000 }, () => rng.int(3, 7))
  t.ok(ints.every((x) => Number.isInteger(x) && x >= 3 && x <= 7), 'int within bounds')
  t.same([...new Set(ints)].sort(), [3, 4, 5, 6, 7], 'int reaches both ends')
  t.ok(Array.from({ length: 2000 }, () => rng.weightedPick([['a', 1], ['never', 0], ['b', 3]])).every((x) => x !== 'never'), 'zero weight is never picked')
  const normals = Array.from({ length: 5000 }, () => rng.normal(10, 2))
  const mean = normals.reduce((a, b) => a + b, 0) / normals.length
  const sd = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length)
  t.ok(Math.abs(mean - 10) < 0.15 && Math.abs(sd - 2) < 0.15, `normal(10, 2): mean ${mean.toFixed(2)}, sd ${sd.toFixed(2)}`)
  t.equal(share(Array.from({ length: 5000 }, () => rng.chance(0.3)), (x) => x) > 0.27, true, 'chance(0.3)')
  t.same(createRandom(42).shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5], 'shuffle is a permutation')
  t.equal(createRandom(9).fork('x').next(), createRandom(9).fork('x').next(), 'forks are reproducible')
  t.not(createRandom(9).fork('x').next(), createRandom(9).fork('y').next(), 'different labels, different streams')
  t.throws(() => rng.pick([]), RangeError)
  t.throws(() => rng.weightedPick([['a', 0]]), RangeError)
})
