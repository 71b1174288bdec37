// A deterministic demo district: one street-level elderly-care service centre in Jing'an, Shanghai, with its
// neighbourhood committees, staff, residents on the priority ledger (台账) and their devices.
//
// Pure: no I/O, no clock, no Math.random. The same options always give a deep-equal result, so demos,
// screenshots and load tests can refer to "res-0042" and mean the same person every time. Field names are
// camelCase; the database seed maps them onto the snake_case columns of packages/db/migrations/0001_registry.sql,
// whose CHECK lists every value here stays within.

import { fullName, surname, surnameOf, type NameGender } from './chinese-names.ts'
import { createRandom, type Random } from './random.ts'

export const ROLES = ['administrator', 'supervisor', 'operator', 'carer', 'doctor', 'auditor'] as const
export const GENDERS = ['female', 'male'] as const
export const LIVING_SITUATIONS = ['alone', 'with_spouse', 'with_family', 'care_home'] as const
export const CARE_LEVELS = ['independent', 'semi_dependent', 'dependent'] as const
export const CONDITIONS = ['hypertension', 'diabetes', 'heart_disease', 'copd', 'dementia', 'stroke_history'] as const
export const DEVICE_TYPES = ['watch', 'sos_pendant', 'wall_button', 'door_sensor', 'pir_sensor', 'bed_sensor'] as const
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/

export type Role = (typeof ROLES)[number]
export type Gender = (typeof GENDERS)[number]
export type LivingSituation = (typeof LIVING_SITUATIONS)[number]
export type CareLevel = (typeof CARE_LEVELS)[number]
export type Condition = (typeof CONDITIONS)[number]
export type DeviceType = (typeof DEVICE_TYPES)[number]

export interface Organisation {
  id: string
  name: string
  timezone: string
}

export interface Area {
  id: string
  orgId: string
  name: string
}

export interface Staff {
  id: string
  orgId: string
  /** null for centre-wide staff (administrator, supervisors, operators, auditor). */
  areaId: string | null
  fullName: string
  role: Role
  phone: string
  email: string | null
}

export interface EmergencyContact {
  /** 1 is called first. */
  position: number
  fullName: string
  relation: string
  phone: string
}

export interface ResidentFlags {
  disabled: boolean
  dementia: boolean
  veryOld: boolean
  livingAlone: boolean
  emptyNest: boolean
}

export interface Resident {
  id: string
  orgId: string
  areaId: string
  fullName: string
  gender: Gender
  /** YYYY-MM-DD */
  birthDate: string
  phone: string | null
  address: string
  lat: number
  lon: number
  livingSituation: LivingSituation
  careLevel: CareLevel
  flags: ResidentFlags
  conditions: Condition[]
  medicationNotes: string | null
  assignedCarerId: string
  familyDoctorId: string
  emergencyContacts: EmergencyContact[]
}

export interface Device {
  id: string
  orgId: string
  type: DeviceType
  model: string
  firmware: string
  supervisionIntervalS: number
  residentId: string
}

export interface DemoDistrict {
  organisation: Organisation
  areas: Area[]
  staff: Staff[]
  residents: Resident[]
  devices: Device[]
}

export interface DemoDistrictOptions {
  seed?: number
  residents?: number
  now?: Date
}

export const DEFAULT_SEED = 20261122
export const DEFAULT_RESIDENTS = 300
export const DEFAULT_NOW_ISO = '2026-11-22T00:00:00+08:00'
export const DEFAULT_NOW = new Date(DEFAULT_NOW_ISO)
export const VERY_OLD_AGE = 80
export const TIMEZONE = 'Asia/Shanghai'

/** The centre of 江宁路街道, near 江宁路/武定路; every resident lives within about 1.5 km of it. */
export const DISTRICT_CENTRE = { lat: 31.2366, lon: 121.448 } as const

const ORG: Organisation = {
  id: 'org-jingan-jiangning',
  name: '静安区江宁路街道综合为老服务中心',
  timezone: TIMEZONE,
}

const ADDRESS_PREFIX = '上海市静安区江宁路街道'

interface CareHomeDef {
  readonly name: string
  readonly street: string
  readonly number: number
}

interface AreaDef {
  readonly name: string
  /** Streets the committee's lanes open onto, so addresses of one area look like neighbours. */
  readonly streets: readonly string[]
  /** Relative number of registered elders. */
  readonly weight: number
  /** Compass bearing of the committee's centre from the district centre, in degrees. */
  readonly bearing: number
  readonly careHome?: CareHomeDef
}

const AREA_DEFS: readonly AreaDef[] = [
  { name: '淮安里居委会', streets: ['淮安路', '江宁路'], weight: 1.1, bearing: 200 },
  { name: '武定坊居委会', streets: ['武定路', '常德路'], weight: 1.0, bearing: 130, careHome: { name: '江宁路街道长者照护之家', street: '常德路', number: 855 } },
  { name: '蒋家巷居委会', streets: ['昌平路', '西康路'], weight: 0.9, bearing: 10 },
  { name: '新福康里居委会', streets: ['康定路', '新闸路'], weight: 1.0, bearing: 250 },
  { name: '三和花园居委会', streets: ['海防路', '余姚路'], weight: 0.8, bearing: 300, careHome: { name: '静安区第二福利院江宁分院', street: '余姚路', number: 301 } },
  { name: '恒德里居委会', streets: ['澳门路', '胶州路'], weight: 1.2, bearing: 60 },
]

const AREA_RING_M = 650
const LANE_SPREAD_M = 380
const HOUSE_JITTER_M = 18
const METRES_PER_DEGREE_LAT = 111_320
const METRES_PER_DEGREE_LON = METRES_PER_DEGREE_LAT * Math.cos((DISTRICT_CENTRE.lat * Math.PI) / 180)

// ---------------------------------------------------------------------------------------------------------
// Entry point

export function generateDemoDistrict(options: DemoDistrictOptions = {}): DemoDistrict {
  const seed = options.seed ?? DEFAULT_SEED
  const count = options.residents ?? DEFAULT_RESIDENTS
  // A fresh Date, so a caller mutating the exported DEFAULT_NOW cannot change the default district.
  const now = options.now ?? new Date(DEFAULT_NOW_ISO)
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`residents must be a non-negative integer, got ${count}`)
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid Date')

  const root = createRandom(seed)
  const today = shanghaiDate(now)
  const phones = createPhoneBook()
  const addresses = new Set<string>()
  const areas = AREA_DEFS.map((def, i): Area => ({ id: areaId(i), orgId: ORG.id, name: def.name }))
  const geography = buildGeography(root.fork('geography'))

  const drafts: ResidentDraft[] = []
  for (let i = 0; i < count; i++) {
    drafts.push(draftResident(root.fork(`resident-${i + 1}`), i + 1, today, geography, phones, addresses))
  }

  const staff = buildStaff(root.fork('staff'), count, residentsPerArea(drafts), phones)
  const residents = assignCareTeams(drafts, staff)
  const devices = buildDevices(root, residents, now)
  return { organisation: { ...ORG }, areas, staff, residents, devices }
}

/** Age in whole years on `now`'s calendar date in Shanghai, the way a 台账 counts it. */
export function ageOn(birthDate: string, now: Date): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number]
  const { year, month, day } = shanghaiDate(now)
  const beforeBirthday = month < bm || (month === bm && day < bd)
  return year - by - (beforeBirthday ? 1 : 0)
}

/** Great-circle distance in metres; used by the tests to check the district's radius. */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h))
}

// ---------------------------------------------------------------------------------------------------------
// Ids, dates, phones

function areaId(index: number): string {
  return `area-${String(index + 1).padStart(2, '0')}`
}

function staffId(n: number): string {
  return `staff-${String(n).padStart(4, '0')}`
}

function residentId(n: number): string {
  return `res-${String(n).padStart(4, '0')}`
}

interface CalendarDate {
  year: number
  month: number
  day: number
}

// Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and avoids Intl.
function shanghaiDate(now: Date): CalendarDate {
  const shifted = new Date(now.getTime() + 8 * 3_600_000)
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() }
}

/** This month/day in `year` as epoch ms, clamped to the month's end (29 February in a common year -> 28th). */
function sameDayIn(year: number, month: number, day: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return Date.UTC(year, month - 1, Math.min(day, lastDay))
}

/** A uniformly chosen birth date giving exactly `age` on `today`. */
function birthDateForAge(rng: Random, age: number, today: CalendarDate): string {
  const dayMs = 86_400_000
  const latest = sameDayIn(today.year - age, today.month, today.day)
  const earliest = sameDayIn(today.year - age - 1, today.month, today.day) + dayMs
  const offsetDays = rng.int(0, Math.round((latest - earliest) / dayMs))
  return new Date(earliest + offsetDays * dayMs).toISOString().slice(0, 10)
}

// Mainland mobile numbers: 13x, 15x, 18x prefixes of the three carriers, then eight digits.
const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156',
  '157', '158', '159', '180', '181', '182', '183', '185', '186', '187', '188', '189',
]
// Jing'an fixed lines start 62xx/52xx; many elders still answer the landline first.
const LANDLINE_PREFIXES = ['6253', '6258', '6217', '6227', '6247', '5228', '5213']

interface PhoneBook {
  mobile(rng: Random): string
  landline(rng: Random): string
}

/** Hands out numbers never used before in this district, so a call always reaches the intended person. */
function createPhoneBook(): PhoneBook {
  const used = new Set<string>()
  const unique = (make: () => string): string => {
    for (;;) {
      const number = make()
      if (!used.has(number)) {
        used.add(number)
        return number
      }
    }
  }
  return {
    mobile: (rng) => unique(() => rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0')),
    landline: (rng) => unique(() => `021-${rng.pick(LANDLINE_PREFIXES)}${String(rng.int(0, 9999)).padStart(4, '0')}`),
  }
}

// ---------------------------------------------------------------------------------------------------------
// Geography: lanes (弄) grouped around each committee's centre

type LaneKind = 'shikumen' | 'xincun' | 'highrise'

interface Lane {
  street: string
  number: number
  kind: LaneKind
  buildings: number
  floors: number
  lat: number
  lon: number
}

interface CareHome extends CareHomeDef {
  lat: number
  lon: number
}

interface AreaGeography {
  index: number
  lanes: Lane[]
  careHome: CareHome | null
}

function offset(lat: number, lon: number, northM: number, eastM: number): { lat: number; lon: number } {
  return { lat: lat + northM / METRES_PER_DEGREE_LAT, lon: lon + eastM / METRES_PER_DEGREE_LON }
}

/** A point uniformly distributed in a disc (sqrt keeps the density even rather than piled at the centre). */
function pointInDisc(rng: Random, centre: { lat: number; lon: number }, radiusM: number): { lat: number; lon: number } {
  const r = radiusM * Math.sqrt(rng.next())
  const theta = 2 * Math.PI * rng.next()
  return offset(centre.lat, centre.lon, r * Math.cos(theta), r * Math.sin(theta))
}

function buildGeography(rng: Random): AreaGeography[] {
  const usedLaneNumbers = new Set<string>()
  return AREA_DEFS.map((def, index) => {
    const bearing = (def.bearing * Math.PI) / 180
    const centre = offset(DISTRICT_CENTRE.lat, DISTRICT_CENTRE.lon, AREA_RING_M * Math.cos(bearing), AREA_RING_M * Math.sin(bearing))
    const lanes: Lane[] = []
    for (let i = 0; i < 10; i++) lanes.push(buildLane(rng, def, centre, usedLaneNumbers))
    const careHome = def.careHome ? { ...def.careHome, ...pointInDisc(rng, centre, LANE_SPREAD_M / 2) } : null
    return { index, lanes, careHome }
  })
}

function buildLane(rng: Random, def: AreaDef, centre: { lat: number; lon: number }, used: Set<string>): Lane {
  const street = rng.pick(def.streets)
  let number = 0
  do number = rng.int(1, 120) * 10 + rng.pick([0, 1, 3, 5, 8])
  while (used.has(`${street}${number}`))
  used.add(`${street}${number}`)
  // Old-town Jing'an is mostly shikumen lanes and 1950s-80s walk-up estates (新村), with a few towers.
  const kind = rng.weightedPick<LaneKind>([['shikumen', 5], ['xincun', 3.5], ['highrise', 1.5]])
  const buildings = kind === 'shikumen' ? rng.int(12, 80) : kind === 'xincun' ? rng.int(4, 30) : rng.int(2, 8)
  const floors = kind === 'shikumen' ? 3 : kind === 'xincun' ? 6 : rng.int(12, 28)
  return { street, number, kind, buildings, floors, ...pointInDisc(rng, centre, LANE_SPREAD_M) }
}

interface Home {
  address: string
  lat: number
  lon: number
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

function homeInLane(rng: Random, lane: Lane): Home {
  const building = rng.int(1, lane.buildings)
  // Elders on upper floors of a walk-up are the classic fall risk; they still live there, so keep them.
  const floor = rng.int(1, lane.floors)
  const roomsPerFloor = lane.kind === 'shikumen' ? 2 : lane.kind === 'xincun' ? 4 : 8
  const room = floor * 100 + rng.int(1, roomsPerFloor)
  const spot = offset(lane.lat, lane.lon, rng.normal(0, HOUSE_JITTER_M), rng.normal(0, HOUSE_JITTER_M))
  return {
    address: `${ADDRESS_PREFIX} ${lane.street} ${lane.number}弄 ${building}号 ${room}室`,
    lat: round6(spot.lat),
    lon: round6(spot.lon),
  }
}

function homeInCareHome(rng: Random, home: CareHome): Home {
  const floor = rng.int(2, 5)
  const room = floor * 100 + rng.int(1, 12)
  return {
    address: `${ADDRESS_PREFIX} ${home.street} ${home.number}号 ${home.name} ${room}室 ${rng.int(1, 3)}床`,
    lat: round6(home.lat),
    lon: round6(home.lon),
  }
}

/** A home address nobody else in the district has (retries on the rare clash). */
function pickHome(rng: Random, area: AreaGeography, livingSituation: LivingSituation, used: Set<string>): Home {
  for (;;) {
    const home = livingSituation === 'care_home' && area.careHome
      ? homeInCareHome(rng, area.careHome)
      : homeInLane(rng, rng.pick(area.lanes))
    if (!used.has(home.address)) {
      used.add(home.address)
      return home
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Residents: health and living situation

// Enrolment in remote monitoring skews old: the 75-90 band is the bulk of any street's 台账.
const AGE_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [
  [[60, 64], 9], [[65, 69], 13], [[70, 74], 15], [[75, 79], 19],
  [[80, 84], 21], [[85, 89], 15], [[90, 94], 6], [[95, 99], 2],
]

function drawAge(rng: Random): number {
  const [min, max] = rng.weightedPick(AGE_BANDS)
  return rng.int(min, max)
}

/** Women outlive men, so the share of women grows with age (about 58% overall). */
function drawGender(rng: Random, age: number): Gender {
  const female = age < 70 ? 0.52 : age < 80 ? 0.56 : age < 90 ? 0.62 : 0.7
  return rng.chance(female) ? 'female' : 'male'
}

/** Prevalences among urban Chinese elders, rising with age; returned in the migration's canonical order. */
function drawConditions(rng: Random, age: number, gender: Gender): Condition[] {
  const hypertension = rng.chance(age < 70 ? 0.45 : age < 80 ? 0.56 : 0.62)
  const has: Record<Condition, boolean> = {
    hypertension,
    diabetes: rng.chance(age < 70 ? 0.18 : 0.21),
    heart_disease: rng.chance(age < 75 ? 0.1 : 0.19),
    copd: rng.chance(gender === 'male' ? 0.12 : 0.05),
    dementia: rng.chance(age < 75 ? 0.02 : age < 85 ? 0.06 : 0.15),
    // Hypertension is the main risk factor for stroke.
    stroke_history: rng.chance(hypertension ? 0.09 : 0.045),
  }
  return CONDITIONS.filter((c) => has[c])
}

function drawCareLevel(rng: Random, age: number, conditions: readonly Condition[]): CareLevel {
  let weights: [number, number, number] = age < 75 ? [80, 16, 4] : age < 85 ? [62, 28, 10] : [38, 38, 24]
  if (conditions.includes('stroke_history')) weights = [weights[0] * 0.5, weights[1] * 1.3, weights[2] * 1.6]
  // Nobody with diagnosed dementia is on the ledger as fully independent.
  if (conditions.includes('dementia')) weights = [0, weights[1], weights[2] * 1.5]
  return rng.weightedPick([['independent', weights[0]], ['semi_dependent', weights[1]], ['dependent', weights[2]]])
}

/** About 30% alone, 40% with a spouse, 25% with family, 5% in a care home; frailty and age shift the odds. */
function drawLivingSituation(rng: Random, age: number, careLevel: CareLevel): LivingSituation {
  const widowhood = age >= 85 ? 0.6 : age >= 75 ? 1 : 1.2
  const base: Record<LivingSituation, number> = careLevel === 'dependent'
    ? { alone: 10, with_spouse: 32, with_family: 38, care_home: 20 }
    : { alone: 31, with_spouse: 43, with_family: 23, care_home: 3 }
  return rng.weightedPick([
    ['alone', base.alone * (age >= 85 ? 1.15 : 1)],
    ['with_spouse', base.with_spouse * widowhood],
    ['with_family', base.with_family * (age >= 85 ? 1.2 : 1)],
    ['care_home', base.care_home * (age >= 85 ? 1.4 : 1)],
  ])
}

function drawDisabled(rng: Random, careLevel: CareLevel, conditions: readonly Condition[]): boolean {
  const base = careLevel === 'independent' ? 0.02 : careLevel === 'semi_dependent' ? 0.09 : 0.26
  return rng.chance(conditions.includes('stroke_history') ? base + 0.12 : base)
}

// One line per condition, in the wording a family doctor writes on the 签约 record.
const MEDICATION: Record<Condition, readonly string[]> = {
  hypertension: ['氨氯地平 5mg 每日一次', '硝苯地平控释片 30mg 每日一次', '缬沙坦 80mg 每日一次', '厄贝沙坦 150mg 每日一次', '美托洛尔缓释片 47.5mg 每日一次'],
  diabetes: ['二甲双胍 0.5g 每日三次 随餐', '阿卡波糖 50mg 每日三次 随第一口饭嚼服', '格列美脲 2mg 每日一次 早餐前', '甘精胰岛素 12单位 睡前皮下注射', '饮食控制 暂未用药 每月测空腹血糖'],
  heart_disease: ['阿司匹林肠溶片 100mg 每日一次', '单硝酸异山梨酯 20mg 每日两次', '硝酸甘油 0.5mg 胸痛时舌下含服（随身携带）', '阿托伐他汀 20mg 每晚一次'],
  copd: ['噻托溴铵吸入剂 18μg 每日一次', '沙美特罗替卡松吸入剂 每日两次'],
  dementia: ['多奈哌齐 5mg 每晚一次', '美金刚 10mg 每日两次'],
  stroke_history: ['氯吡格雷 75mg 每日一次', '阿托伐他汀 20mg 每晚一次'],
}

const ALLERGIES = ['青霉素过敏', '磺胺类药物过敏', '头孢类过敏']

function medicationNotes(rng: Random, conditions: readonly Condition[], careLevel: CareLevel): string | null {
  if (conditions.length === 0) return null
  const lines = new Set<string>()
  for (const condition of conditions) lines.add(rng.pick(MEDICATION[condition]))
  if (conditions.includes('copd') && careLevel === 'dependent') lines.add('家庭氧疗 每日15小时以上')
  if (conditions.includes('dementia')) lines.add('由家属或护理员分药 防止漏服重服')
  if (rng.chance(0.06)) lines.add(rng.pick(ALLERGIES))
  return [...lines].join('；')
}

function drawResidentPhone(rng: Random, phones: PhoneBook, livingSituation: LivingSituation, careLevel: CareLevel, dementia: boolean): string | null {
  const kind = livingSituation === 'care_home'
    ? rng.weightedPick<'mobile' | 'landline' | 'none'>([['mobile', 3], ['none', 7]])
    : dementia || careLevel === 'dependent'
      ? rng.weightedPick<'mobile' | 'landline' | 'none'>([['mobile', 3], ['landline', 4], ['none', 3]])
      : rng.weightedPick<'mobile' | 'landline' | 'none'>([['mobile', 6], ['landline', 2.5], ['none', 1.5]])
  return kind === 'mobile' ? phones.mobile(rng) : kind === 'landline' ? phones.landline(rng) : null
}

// ---------------------------------------------------------------------------------------------------------
// Residents: family and emergency contacts

interface Relative {
  gender: NameGender
  birthYear: number
  surname: string
}

interface Family {
  /** Surname the children carry (the father's). */
  childSurname: string
  spouse: Relative | null
  children: Array<Relative & { relation: '儿子' | '女儿' }>
}

function opposite(gender: Gender): Gender {
  return gender === 'female' ? 'male' : 'female'
}

/** Shanghai families shrank fast: three or four children before 1945, mostly one after the 1970s policy. */
function drawChildCount(rng: Random, birthYear: number): number {
  if (birthYear < 1945) return rng.weightedPick([[1, 10], [2, 30], [3, 35], [4, 25]])
  if (birthYear < 1955) return rng.weightedPick([[1, 30], [2, 45], [3, 25]])
  return rng.weightedPick([[1, 75], [2, 25]])
}

function drawFamily(rng: Random, gender: Gender, birthYear: number, ownSurname: string, livingSituation: LivingSituation, hasChildren: boolean): Family {
  // Husbands are usually a few years older than their wives.
  const spouseBirthYear = gender === 'female' ? birthYear - rng.int(0, 5) : birthYear + rng.int(0, 5)
  const spouseSurname = surname(rng)
  const spouse = livingSituation === 'with_spouse' ? { gender: opposite(gender), birthYear: spouseBirthYear, surname: spouseSurname } : null
  const childSurname = gender === 'male' ? ownSurname : spouseSurname
  const children: Family['children'] = []
  if (hasChildren) {
    const count = drawChildCount(rng, birthYear)
    let year = birthYear + rng.int(22, 28)
    for (let i = 0; i < count; i++) {
      const childGender: NameGender = rng.chance(0.5) ? 'male' : 'female'
      children.push({ gender: childGender, birthYear: year, surname: childSurname, relation: childGender === 'male' ? '儿子' : '女儿' })
      year += rng.int(2, 4)
    }
  }
  return { childSurname, spouse, children }
}

interface ContactCandidate {
  relation: string
  person: Relative
}

function inLaw(rng: Random, child: Family['children'][number]): ContactCandidate {
  const gender: NameGender = child.gender === 'male' ? 'female' : 'male'
  return {
    relation: child.relation === '儿子' ? '儿媳' : '女婿',
    person: { gender, birthYear: child.birthYear + rng.int(-3, 3), surname: surname(rng) },
  }
}

function grandchild(rng: Random, child: Family['children'][number]): ContactCandidate | null {
  const birthYear = child.birthYear + rng.int(24, 32)
  if (birthYear > 2004) return null
  const gender: NameGender = rng.chance(0.5) ? 'male' : 'female'
  // A son's children carry the family surname; a daughter's carry their father's.
  const viaSon = child.relation === '儿子'
  const relation = viaSon ? (gender === 'male' ? '孙子' : '孙女') : gender === 'male' ? '外孙' : '外孙女'
  return { relation, person: { gender, birthYear, surname: viaSon ? child.surname : surname(rng) } }
}

function niblings(rng: Random, birthYear: number, ownSurname: string): ContactCandidate[] {
  const year = (): number => birthYear + rng.int(24, 38)
  const brothersChild: NameGender = rng.chance(0.6) ? 'male' : 'female'
  const sistersChild: NameGender = rng.chance(0.5) ? 'male' : 'female'
  return rng.shuffle([
    // A brother's child carries the resident's own surname (women keep theirs); a sister's child another.
    { relation: brothersChild === 'male' ? '侄子' : '侄女', person: { gender: brothersChild, birthYear: year(), surname: ownSurname } },
    { relation: sistersChild === 'male' ? '外甥' : '外甥女', person: { gender: sistersChild, birthYear: year(), surname: surname(rng) } },
  ])
}

function neighbour(rng: Random): ContactCandidate {
  return { relation: '邻居', person: { gender: rng.chance(0.6) ? 'female' : 'male', birthYear: rng.int(1950, 1985), surname: surname(rng) } }
}

/** Who would really be called, in the order the 居委会 would call them. */
function contactCandidates(rng: Random, family: Family, age: number, birthYear: number, ownSurname: string, livingSituation: LivingSituation): ContactCandidate[] {
  const pool: ContactCandidate[] = []
  if (family.spouse) pool.push({ relation: '老伴', person: family.spouse })
  const children = rng.shuffle(family.children)
  for (const child of children) pool.push({ relation: child.relation, person: child })
  const eldest = children[0]
  const afterSpouse = family.spouse ? 1 : 0
  // An in-law comes after the children; for the very old a grown grandchild is often the one who answers.
  if (eldest && rng.chance(0.5)) pool.splice(afterSpouse + Math.min(children.length, 2), 0, inLaw(rng, eldest))
  if (eldest && age >= 85 && rng.chance(0.6)) {
    const grand = grandchild(rng, eldest)
    if (grand) pool.splice(afterSpouse + 1, 0, grand)
  }
  if (children.length === 0) pool.push(...niblings(rng, birthYear, ownSurname))
  // For someone living alone the neighbour (often the 楼组长) is the one who can knock on the door first.
  if (livingSituation === 'alone' && rng.chance(0.45)) pool.splice(Math.min(pool.length, rng.int(1, 2)), 0, neighbour(rng))
  else pool.push(neighbour(rng))
  return pool
}

function buildContacts(rng: Random, phones: PhoneBook, candidates: readonly ContactCandidate[]): EmergencyContact[] {
  const wanted = rng.weightedPick([[1, 20], [2, 45], [3, 35]])
  return candidates.slice(0, wanted).map((c, i) => ({
    position: i + 1,
    fullName: fullName(rng, c.person.gender, c.person.birthYear, c.person.surname),
    relation: c.relation,
    phone: phones.mobile(rng),
  }))
}

// ---------------------------------------------------------------------------------------------------------
// Residents: assembling one record

type ResidentDraft = Omit<Resident, 'assignedCarerId' | 'familyDoctorId'>

function drawArea(rng: Random, geography: readonly AreaGeography[], livingSituation: LivingSituation): AreaGeography {
  const candidates = livingSituation === 'care_home' ? geography.filter((g) => g.careHome) : geography
  return rng.weightedPick(candidates.map((g) => [g, AREA_DEFS[g.index]!.weight] as const))
}

function draftResident(rng: Random, n: number, today: CalendarDate, geography: readonly AreaGeography[], phones: PhoneBook, addresses: Set<string>): ResidentDraft {
  const age = drawAge(rng)
  const gender = drawGender(rng, age)
  const birthDate = birthDateForAge(rng, age, today)
  const birthYear = Number(birthDate.slice(0, 4))
  const conditions = drawConditions(rng, age, gender)
  const dementia = conditions.includes('dementia')
  const careLevel = drawCareLevel(rng, age, conditions)
  const livingSituation = drawLivingSituation(rng, age, careLevel)
  // Those living with family live with their children; a minority of the rest never had children.
  const hasChildren = livingSituation === 'with_family' || rng.chance(livingSituation === 'care_home' ? 0.85 : 0.9)
  const area = drawArea(rng, geography, livingSituation)
  const home = pickHome(rng, area, livingSituation, addresses)
  const name = fullName(rng, gender, birthYear)
  const ownSurname = surnameOf(name)
  const phone = drawResidentPhone(rng, phones, livingSituation, careLevel, dementia)
  const notes = medicationNotes(rng, conditions, careLevel)
  const family = drawFamily(rng, gender, birthYear, ownSurname, livingSituation, hasChildren)
  const contacts = buildContacts(rng, phones, contactCandidates(rng, family, age, birthYear, ownSurname, livingSituation))
  const alone = livingSituation === 'alone'
  return {
    id: residentId(n),
    orgId: ORG.id,
    areaId: areaId(area.index),
    fullName: name,
    gender,
    birthDate,
    phone,
    address: home.address,
    lat: home.lat,
    lon: home.lon,
    livingSituation,
    careLevel,
    flags: {
      disabled: drawDisabled(rng, careLevel, conditions),
      dementia,
      veryOld: age >= VERY_OLD_AGE,
      livingAlone: alone,
      // 空巢: nobody at home but (at most) the spouse, while there are children living elsewhere.
      emptyNest: (alone || livingSituation === 'with_spouse') && hasChildren,
    },
    conditions,
    medicationNotes: notes,
    emergencyContacts: contacts,
  }
}

function residentsPerArea(drafts: readonly ResidentDraft[]): number[] {
  const counts = AREA_DEFS.map(() => 0)
  for (const d of drafts) counts[Number(d.areaId.slice(5)) - 1]! += 1
  return counts
}

// ---------------------------------------------------------------------------------------------------------
// Staff

/**
 * Splits `total` over areas in proportion to `weights` (largest remainder), giving every area at least one
 * when there are enough to go round, so each 居委会 has its own carer and family doctor.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const quotas = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length))
  const floor = total >= weights.length ? 1 : 0
  const shares = quotas.map((q) => Math.max(floor, Math.floor(q)))
  let assigned = shares.reduce((a, b) => a + b, 0)
  while (assigned < total) {
    const i = argBest(quotas.map((q, k) => q - shares[k]!), () => true)
    shares[i]! += 1
    assigned += 1
  }
  while (assigned > total) {
    const i = argBest(quotas.map((q, k) => shares[k]! - q), (k) => shares[k]! > floor)
    shares[i]! -= 1
    assigned -= 1
  }
  return shares
}

/** Index of the largest value among the allowed ones; ties go to the lowest index. */
function argBest(values: readonly number[], allowed: (index: number) => boolean): number {
  let best = -1
  for (let i = 0; i < values.length; i++) {
    if (allowed(i) && (best < 0 || values[i]! > values[best]!)) best = i
  }
  return best
}

interface StaffSpec {
  role: Role
  areaIndex: number | null
}

function staffSpecs(residentCount: number, perArea: readonly number[]): StaffSpec[] {
  const centre = (role: Role, n: number): StaffSpec[] => Array.from({ length: n }, () => ({ role, areaIndex: null }))
  const inAreas = (role: Role, shares: readonly number[]): StaffSpec[] =>
    shares.flatMap((n, areaIndex) => Array.from({ length: n }, () => ({ role, areaIndex })))
  // About one carer per 12 residents and one family doctor per 40 (the 家庭医生 team of the health centre).
  const carers = Math.max(1, Math.round(residentCount / 12))
  const doctors = Math.max(1, Math.round(residentCount / 40))
  return [
    ...centre('administrator', 1),
    ...centre('supervisor', 2),
    ...centre('operator', 6),
    ...inAreas('carer', apportion(carers, perArea)),
    ...inAreas('doctor', apportion(doctors, perArea)),
    ...centre('auditor', 1),
  ]
}

// Birth-year range and share of women per role: operators are young shift workers, carers mostly
// middle-aged women (the "4050" re-employment workforce).
const STAFF_PROFILE: Record<Role, { from: number; to: number; female: number }> = {
  administrator: { from: 1972, to: 1985, female: 0.5 },
  supervisor: { from: 1970, to: 1988, female: 0.6 },
  operator: { from: 1985, to: 2000, female: 0.6 },
  carer: { from: 1965, to: 1985, female: 0.85 },
  doctor: { from: 1968, to: 1992, female: 0.55 },
  auditor: { from: 1975, to: 1990, female: 0.5 },
}

const STAFF_EMAIL_DOMAIN = 'jiangning-care.example'
const DOCTOR_EMAIL_DOMAIN = 'jiangning-chc.example'

function staffEmail(rng: Random, role: Role, n: number): string | null {
  // Carers coordinate over the phone; only a few have a work mailbox.
  if (role === 'carer' && !rng.chance(0.3)) return null
  const local = `${role}${String(n).padStart(2, '0')}`
  return `${local}@${role === 'doctor' ? DOCTOR_EMAIL_DOMAIN : STAFF_EMAIL_DOMAIN}`
}

function buildStaff(rng: Random, residentCount: number, perArea: readonly number[], phones: PhoneBook): Staff[] {
  const perRole = new Map<Role, number>()
  return staffSpecs(residentCount, perArea).map((spec, i) => {
    const profile = STAFF_PROFILE[spec.role]
    const gender: NameGender = rng.chance(profile.female) ? 'female' : 'male'
    const roleNumber = (perRole.get(spec.role) ?? 0) + 1
    perRole.set(spec.role, roleNumber)
    return {
      id: staffId(i + 1),
      orgId: ORG.id,
      areaId: spec.areaIndex === null ? null : areaId(spec.areaIndex),
      fullName: fullName(rng, gender, rng.int(profile.from, profile.to)),
      role: spec.role,
      phone: phones.mobile(rng),
      email: staffEmail(rng, spec.role, roleNumber),
    }
  })
}

/**
 * Gives every resident the least-loaded carer and doctor of their own area, falling back to the whole
 * centre only when the area has none (possible with very small demo districts).
 */
function assignCareTeams(drafts: readonly ResidentDraft[], staff: readonly Staff[]): Resident[] {
  const load = new Map<string, number>()
  const choose = (role: Role, area: string): string => {
    const ofRole = staff.filter((s) => s.role === role)
    const local = ofRole.filter((s) => s.areaId === area)
    const pool = local.length > 0 ? local : ofRole
    let best = pool[0]!
    for (const s of pool) if ((load.get(s.id) ?? 0) < (load.get(best.id) ?? 0)) best = s
    load.set(best.id, (load.get(best.id) ?? 0) + 1)
    return best.id
  }
  return drafts.map((d) => {
    const { emergencyContacts, ...rest } = d
    // Keep the contacts last so printed records read top-down like a ledger card.
    return { ...rest, assignedCarerId: choose('carer', d.areaId), familyDoctorId: choose('doctor', d.areaId), emergencyContacts }
  })
}

// ---------------------------------------------------------------------------------------------------------
// Devices

interface DeviceKind {
  prefix: string
  supervisionIntervalS: number
  models: ReadonlyArray<readonly [{ model: string; firmware: ReadonlyArray<readonly [string, number]> }, number]>
}

// A wearable reports every 10 minutes; a wall button only needs a daily heartbeat; sensors hourly.
const DEVICE_KINDS: Record<DeviceType, DeviceKind> = {
  watch: {
    prefix: 'W',
    supervisionIntervalS: 600,
    models: [
      [{ model: 'AX-W3', firmware: [['2.4.1', 7], ['2.3.8', 2]] }, 6],
      [{ model: 'AX-W2', firmware: [['1.9.7', 3], ['1.9.5', 1]] }, 3],
    ],
  },
  sos_pendant: {
    prefix: 'P',
    supervisionIntervalS: 3600,
    models: [
      [{ model: 'AX-P1', firmware: [['1.3.0', 4], ['1.2.6', 1]] }, 3],
      [{ model: 'AX-P2', firmware: [['2.0.3', 1]] }, 2],
    ],
  },
  wall_button: { prefix: 'B', supervisionIntervalS: 86_400, models: [[{ model: 'AX-B2', firmware: [['1.1.4', 1]] }, 1]] },
  door_sensor: { prefix: 'D', supervisionIntervalS: 3600, models: [[{ model: 'AX-D1', firmware: [['3.0.2', 3], ['3.0.0', 1]] }, 1]] },
  pir_sensor: { prefix: 'M', supervisionIntervalS: 3600, models: [[{ model: 'AX-M1', firmware: [['3.0.2', 3], ['3.0.0', 1]] }, 1]] },
  bed_sensor: { prefix: 'S', supervisionIntervalS: 3600, models: [[{ model: 'AX-S2', firmware: [['1.6.0', 1]] }, 1]] },
}

function deviceTypesFor(rng: Random, resident: Resident, age: number): DeviceType[] {
  // A GPS watch is what families want for a dementia patient who may wander; the very old prefer a pendant.
  const watchShare = resident.flags.dementia ? 0.9 : age < 80 ? 0.78 : 0.6
  const types: DeviceType[] = [rng.chance(watchShare) ? 'watch' : 'sos_pendant']
  if (resident.livingSituation === 'alone') {
    types.push('wall_button')
    if (rng.chance(0.2)) types.push('door_sensor', 'pir_sensor')
  }
  if (resident.flags.dementia) types.push('bed_sensor')
  return types
}

function buildDevices(root: Random, residents: readonly Resident[], now: Date): Device[] {
  const serial = new Map<DeviceType, number>()
  const devices: Device[] = []
  for (const resident of residents) {
    const rng = root.fork(`devices-${resident.id}`)
    for (const type of deviceTypesFor(rng, resident, ageOn(resident.birthDate, now))) {
      const kind = DEVICE_KINDS[type]
      const n = (serial.get(type) ?? 0) + 1
      serial.set(type, n)
      const { model, firmware } = rng.weightedPick(kind.models)
      devices.push({
        id: kind.prefix + String(n).padStart(8, '0'),
        orgId: ORG.id,
        type,
        model,
        firmware: rng.weightedPick(firmware),
        supervisionIntervalS: kind.supervisionIntervalS,
        residentId: resident.id,
      })
    }
  }
  return devices
}
