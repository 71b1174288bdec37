import { createHash } from 'node:crypto'

/**
 * Reading a spreadsheet of residents (bulk import): which column is which (Chinese or English headers), and
 * each row checked on its own with every problem named. Pure: the database checks (existing ids, households)
 * come after, in the importer.
 */

export type ImportedContact = { fullName: string; relation: string; phone: string }
export type ImportedResident = {
  /** Given in the file, or derived from organisation, name and birth date (a re-import finds the same person). */
  id: string
  fullName: string
  gender: 'female' | 'male'
  birthDate: string
  phone: string | null
  address: string
  areaId: string | null
  householdId: string | null
  livingSituation: 'alone' | 'with_spouse' | 'with_family' | 'care_home'
  careLevel: 'independent' | 'semi_dependent' | 'dependent'
  conditions: string[]
  flags: string[]
  contacts: ImportedContact[]
  lat: number | null
  lon: number | null
}
/** A stable code the UI can translate, and the message in Chinese naming the column as the file names it. */
export type Problem = { code: string; message: string }

type Field = 'id' | 'fullName' | 'gender' | 'birthDate' | 'idCard' | 'phone' | 'address' | 'area' | 'householdId' | 'livingSituation' | 'careLevel' |
  'conditions' | 'flags' | 'lat' | 'lon'

const HEADERS: Record<Field, string[]> = {
  id: ['id', '编号', '居民编号'],
  fullName: ['fullname', 'name', '姓名'],
  gender: ['gender', '性别'],
  birthDate: ['birthdate', '出生日期'],
  idCard: ['idcard', 'idnumber', '身份证号', '身份证', '身份证号码'],
  phone: ['phone', '电话', '联系电话', '手机'],
  address: ['address', '地址', '住址'],
  area: ['areaid', 'area', '片区', '区域'],
  householdId: ['householdid', '户号'],
  livingSituation: ['livingsituation', '居住情况'],
  careLevel: ['carelevel', '照护等级'],
  conditions: ['conditions', '慢性病'],
  flags: ['flags', '台账标记'],
  lat: ['lat', '纬度'],
  lon: ['lon', '经度'],
}
const REQUIRED: Field[] = ['fullName', 'gender', 'birthDate', 'address', 'livingSituation', 'careLevel']
export const MAX_CONTACTS = 5

/** The template's columns, in order (GET /api/imports/residents/template.csv). */
export const TEMPLATE_HEADERS = [
  '编号', '姓名', '性别', '出生日期', '电话', '地址', '片区', '户号', '居住情况', '照护等级', '慢性病', '台账标记',
  '紧急联系人1姓名', '紧急联系人1关系', '紧急联系人1电话', '紧急联系人2姓名', '紧急联系人2关系', '紧急联系人2电话', '纬度', '经度',
]

const GENDER: Record<string, ImportedResident['gender']> = { 男: 'male', 女: 'female', male: 'male', female: 'female', m: 'male', f: 'female' }
const LIVING: Record<string, ImportedResident['livingSituation']> = {
  独居: 'alone', 与配偶同住: 'with_spouse', 与子女同住: 'with_family', 与家人同住: 'with_family', 养老机构: 'care_home',
  alone: 'alone', with_spouse: 'with_spouse', with_family: 'with_family', care_home: 'care_home',
}
const CARE_LEVEL: Record<string, ImportedResident['careLevel']> = {
  自理: 'independent', 能自理: 'independent', 半自理: 'semi_dependent', 半失能: 'semi_dependent', 部分失能: 'semi_dependent', 失能: 'dependent', 完全失能: 'dependent',
  independent: 'independent', semi_dependent: 'semi_dependent', dependent: 'dependent',
}
const CONDITION: Record<string, string> = {
  高血压: 'hypertension', 糖尿病: 'diabetes', 心脏病: 'heart_disease', 冠心病: 'heart_disease', 慢阻肺: 'copd', 慢性阻塞性肺疾病: 'copd',
  痴呆: 'dementia', 失智: 'dementia', 阿尔茨海默病: 'dementia', 脑卒中: 'stroke_history', 中风: 'stroke_history', 脑卒中史: 'stroke_history',
  hypertension: 'hypertension', diabetes: 'diabetes', heart_disease: 'heart_disease', copd: 'copd', dementia: 'dementia', stroke_history: 'stroke_history',
}
const FLAG: Record<string, string> = {
  失能: 'disabled', 失智: 'dementia', 高龄: 'very_old', 独居: 'living_alone', 空巢: 'empty_nest',
  disabled: 'disabled', dementia: 'dementia', very_old: 'very_old', living_alone: 'living_alone', empty_nest: 'empty_nest',
}

const normalise = (header: string): string => header.replace(/^\uFEFF/, '').replace(/[\s_]/g, '').toLowerCase()
const CONTACT_ZH = /^紧急联系人(\d+)(姓名|关系|电话)$/
const CONTACT_EN = /^contact(\d+)(name|relation|phone)$/
const CONTACT_PART: Record<string, keyof ImportedContact> = { 姓名: 'fullName', 关系: 'relation', 电话: 'phone', name: 'fullName', relation: 'relation', phone: 'phone' }

export type ColumnMap = {
  fields: Partial<Record<Field, number>>
  contacts: Map<number, Partial<Record<keyof ImportedContact, number>>>
  /** Header text by column index, to name columns in messages as the file names them. */
  labels: string[]
}

/** Which column holds what; unknown and ignored columns become warnings, missing required ones a refusal of the file. */
export function mapColumns(header: string[]): { columns: ColumnMap; warnings: string[]; problems: string[] } {
  const columns: ColumnMap = { fields: {}, contacts: new Map(), labels: header.map(h => h.replace(/^\uFEFF/, '').trim()) }
  const warnings: string[] = []
  const problems: string[] = []
  header.forEach((raw, index) => {
    const key = normalise(raw)
    const label = columns.labels[index]!
    if (key === '') return
    const field = (Object.keys(HEADERS) as Field[]).find(f => HEADERS[f].includes(key))
    const contact = CONTACT_ZH.exec(key) ?? CONTACT_EN.exec(key)
    if (field) {
      if (columns.fields[field] !== undefined) problems.push(`列 ${label} 出现了两次`)
      columns.fields[field] = index
    } else if (contact) {
      const position = Number(contact[1])
      if (position < 1 || position > MAX_CONTACTS) {
        problems.push(`列 ${label}: 紧急联系人最多 ${MAX_CONTACTS} 位`)
        return
      }
      const entry = columns.contacts.get(position) ?? {}
      entry[CONTACT_PART[contact[2]!]!] = index
      columns.contacts.set(position, entry)
    } else {
      warnings.push(`未识别的列 ${label}，已忽略`)
    }
  })
  if (columns.fields.idCard !== undefined) warnings.push(`列 ${columns.labels[columns.fields.idCard]} 未导入：平台不保存身份证号`)
  const missing = REQUIRED.filter(f => columns.fields[f] === undefined)
  if (missing.length > 0) problems.push(`缺少必填列: ${missing.map(f => `${HEADERS[f].at(-1)}/${f}`).join(', ')}`)
  return { columns, warnings, problems }
}

export type RowContext = {
  orgId: string
  /** Areas of the organisation, found by id or by name; null when the row names none (the importer's own area applies). */
  area: (text: string) => string | null | undefined
  today: string
}

const ID = /^[A-Za-z0-9_-]{3,64}$/
const PHONE = /^\+?[0-9][0-9 -]{2,19}$/
const shown = (value: string): string => (value.length > 40 ? `${value.slice(0, 40)}…` : value)

/** A date as the file writes it (2024-03-05, 2024/3/5, 2024.3.5, 20240305) in ISO form, or null when it is no date. */
export function isoDate(text: string): string | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null
  return date.toISOString().slice(0, 10)
}

/** The id a row without one gets: the same person (organisation, name, birth date) always gets the same id. */
export const derivedId = (orgId: string, fullName: string, birthDate: string): string =>
  `r-${createHash('sha256').update(`${orgId}\n${fullName}\n${birthDate}`).digest('hex').slice(0, 16)}`

/** One row: the resident it describes, or every problem with it. */
export function readRow(cells: string[], columns: ColumnMap, context: RowContext): { resident: ImportedResident } | { problems: Problem[] } {
  const problems: Problem[] = []
  const cell = (field: Field): string => {
    const index = columns.fields[field]
    return index === undefined ? '' : (cells[index] ?? '').trim()
  }
  const label = (field: Field): string => columns.labels[columns.fields[field] ?? -1] ?? HEADERS[field].at(-1)!
  const problem = (field: string, code: string, message: string) => problems.push({ code: `${field}.${code}`, message })
  const required = (field: Field): string => {
    const value = cell(field)
    if (value === '') problem(field, 'missing', `${label(field)}: 必填`)
    return value
  }
  const oneOf = <T>(field: Field, table: Record<string, T>, what: string): T | undefined => {
    const value = required(field)
    if (value === '') return undefined
    const found = table[value] ?? table[value.toLowerCase()]
    if (found === undefined) problem(field, 'unknown', `${label(field)}: ${shown(value)} 不是有效的${what}（可填: ${Object.keys(table).filter(k => /\p{Script=Han}/u.test(k)).join('、')}）`)
    return found
  }
  const list = (field: Field, table: Record<string, string>, what: string): string[] => {
    const items = cell(field).split(/[,，、;；\s]+/).filter(Boolean)
    const unknown = items.filter(i => table[i] === undefined && table[i.toLowerCase()] === undefined)
    if (unknown.length > 0) problem(field, 'unknown', `${label(field)}: ${unknown.map(shown).join('、')} 不是可识别的${what}`)
    return [...new Set(items.flatMap(i => table[i] ?? table[i.toLowerCase()] ?? []))]
  }
  const coordinate = (field: 'lat' | 'lon', limit: number): number | null => {
    const value = cell(field)
    if (value === '') return null
    const n = Number(value)
    if (!Number.isFinite(n) || Math.abs(n) > limit) {
      problem(field, 'invalid', `${label(field)}: ${shown(value)} 不是有效的${field === 'lat' ? '纬度' : '经度'}`)
      return null
    }
    return n
  }

  const fullName = required('fullName')
  if (fullName.length > 100) problem('fullName', 'too_long', `${label('fullName')}: 超过 100 个字符`)
  const gender = oneOf('gender', GENDER, '性别')
  const birthText = required('birthDate')
  const birthDate = birthText === '' ? null : isoDate(birthText)
  if (birthText !== '' && birthDate === null) problem('birthDate', 'invalid_date', `${label('birthDate')}: ${shown(birthText)} 不是有效日期（如 1941-05-20）`)
  if (birthDate !== null && birthDate > context.today) problem('birthDate', 'future', `${label('birthDate')}: ${birthDate} 晚于今天`)
  const phone = cell('phone')
  if (phone !== '' && !PHONE.test(phone)) problem('phone', 'invalid', `${label('phone')}: ${shown(phone)} 不是有效的电话号码`)
  const address = required('address')
  if (address.length > 300) problem('address', 'too_long', `${label('address')}: 超过 300 个字符`)
  const areaText = cell('area')
  const areaId = areaText === '' ? null : context.area(areaText)
  if (areaId === undefined) problem('area', 'unknown', `${label('area')}: 本机构没有片区 ${shown(areaText)}`)
  const householdId = cell('householdId')
  if (householdId !== '' && !ID.test(householdId)) problem('householdId', 'invalid', `${label('householdId')}: ${shown(householdId)} 只能含字母、数字、_ 和 -，3 到 64 个字符`)
  const livingSituation = oneOf('livingSituation', LIVING, '居住情况')
  const careLevel = oneOf('careLevel', CARE_LEVEL, '照护等级')
  const conditions = list('conditions', CONDITION, '慢性病')
  const flags = list('flags', FLAG, '台账标记')
  const lat = coordinate('lat', 90)
  const lon = coordinate('lon', 180)

  const contacts: ImportedContact[] = []
  for (const position of [...columns.contacts.keys()].sort((a, b) => a - b)) {
    const where = columns.contacts.get(position)!
    const part = (p: keyof ImportedContact) => (where[p] === undefined ? '' : (cells[where[p]] ?? '').trim())
    const contact = { fullName: part('fullName'), relation: part('relation'), phone: part('phone') }
    if (!contact.fullName && !contact.relation && !contact.phone) continue
    const field = `contacts.${position}`
    if (!contact.fullName || !contact.relation || !contact.phone) problem(field, 'incomplete', `紧急联系人${position}: 姓名、关系和电话都要填写`)
    else if (!PHONE.test(contact.phone)) problem(field, 'invalid_phone', `紧急联系人${position}电话: ${shown(contact.phone)} 不是有效的电话号码`)
    else if (contact.fullName.length > 100 || contact.relation.length > 50) problem(field, 'too_long', `紧急联系人${position}: 姓名或关系过长`)
    else contacts.push(contact)
  }

  const idText = cell('id')
  if (idText !== '' && !ID.test(idText)) problem('id', 'invalid', `${label('id')}: ${shown(idText)} 只能含字母、数字、_ 和 -，3 到 64 个字符`)
  if (problems.length > 0 || !gender || !birthDate || !livingSituation || !careLevel) return { problems }
  return {
    resident: {
      id: idText || derivedId(context.orgId, fullName, birthDate), fullName, gender, birthDate, phone: phone || null, address, areaId: areaId ?? null,
      householdId: householdId || null, livingSituation, careLevel, conditions, flags, contacts, lat, lon,
    },
  }
}
