/**
 * The words people read: alarm notices and visit offers for staff, "no need to come" for a responder on the
 * way, and updates for the family. Simplified Chinese by default, English on request.
 *
 * - Staff messages name the resident, the address, what happened and the local time it was raised, short
 *   enough for one SMS (at most 120 characters in Chinese without the link, for ordinary names and
 *   addresses). A repeat says why it came again; the link comes with what to do with it.
 * - Family messages are plain language with no medical detail: no readings, no condition names (a
 *   low-oxygen alarm is "a health monitoring alert"), no staff names or numbers, no address (they know it).
 *   They say what happened in everyday words and what is being done about it. They carry no urgent prefix:
 *   the channel's urgent flag gets the message through, the words should not alarm.
 * - A message must go out even when the facts are imperfect: an unknown timezone falls back to Shanghai's,
 *   an unreadable time is left out, an unknown alarm type gets a generic label (never its raw id for the
 *   family), an empty name becomes "the resident".
 *
 * Pure: the time of day comes from `raisedAt` and `timezone`, never from the clock.
 */

import { VITAL_ALARM_TYPES } from '@anxin/contracts'

export type MessagePurpose = 'alarm' | 'task_offer' | 'family_update' | 'stand_down'
export type Locale = 'zh-CN' | 'en'
export type UpdateKind = 'raised' | 'acknowledged' | 'dispatched' | 'arrived' | 'resolved'
export type ResponderRole = 'carer' | 'doctor' | 'operator' | 'supervisor' | 'contact'

export type MessageFacts = {
  purpose: MessagePurpose
  locale: Locale
  alarmType: string
  critical: boolean
  residentName: string
  residentAddress: string
  raisedAt: string
  timezone: string
  reason: 'escalation' | 'handling_overdue' | 'arrival_overdue' | 'repeat' | null
  link: string | null
  update: null | { kind: UpdateKind; responderRole: ResponderRole | null; outcome: string | null }
}

export type ComposedMessage = { subject: string; text: string }

export const DEFAULT_TIMEZONE = 'Asia/Shanghai'

const SIGN_OFF: Record<Locale, string> = { 'zh-CN': '【安心监护中心】', en: '— Anxin monitoring centre' }
const URGENT: Record<Locale, string> = { 'zh-CN': '【紧急】', en: '[URGENT] ' }

type Label = Record<Locale, string>

const STAFF_LABELS: Readonly<Record<string, Label>> = {
  sos: { 'zh-CN': '一键呼叫(SOS)', en: 'SOS' },
  fall: { 'zh-CN': '跌倒', en: 'fall' },
  heart_rate_high: { 'zh-CN': '心率过高', en: 'high heart rate' },
  heart_rate_low: { 'zh-CN': '心率过低', en: 'low heart rate' },
  spo2_low: { 'zh-CN': '血氧过低', en: 'low blood oxygen' },
  blood_pressure_high: { 'zh-CN': '血压过高', en: 'high blood pressure' },
  blood_pressure_low: { 'zh-CN': '血压过低', en: 'low blood pressure' },
  temperature_high: { 'zh-CN': '体温过高', en: 'high body temperature' },
  temperature_low: { 'zh-CN': '体温过低', en: 'low body temperature' },
  glucose_high: { 'zh-CN': '血糖过高', en: 'high blood glucose' },
  glucose_low: { 'zh-CN': '血糖过低', en: 'low blood glucose' },
  inactivity: { 'zh-CN': '长时间无活动', en: 'no activity' },
  geofence_exit: { 'zh-CN': '离开安全区域', en: 'left the safe area' },
  device_offline: { 'zh-CN': '设备离线', en: 'device offline' },
  low_battery: { 'zh-CN': '设备电量低', en: 'low device battery' },
  device_not_worn: { 'zh-CN': '设备未佩戴', en: 'device not worn' },
  missed_contact: { 'zh-CN': '今日未联系上', en: 'no contact today' },
  device_test_overdue: { 'zh-CN': '设备未按期测试', en: 'device test overdue' },
}
/** Staff see an unknown type's id (it helps them ask the right question); the family never does. */
const staffGeneric = (alarmType: string): Label => ({ 'zh-CN': `其他(${alarmType})`, en: `other (${alarmType})` })

/** Readings of the body: the family hears only that there is a health monitoring alert. */
const HEALTH_TYPES: ReadonlySet<string> = new Set(VITAL_ALARM_TYPES)
const HEALTH_LABEL: Label = { 'zh-CN': '健康监测提醒', en: 'a health monitoring alert' }

const FAMILY_LABELS: Readonly<Record<string, Label>> = {
  sos: { 'zh-CN': '紧急呼叫', en: 'an emergency call' },
  fall: { 'zh-CN': '可能跌倒', en: 'a possible fall' },
  inactivity: { 'zh-CN': '长时间没有活动', en: 'no activity for a long time' },
  geofence_exit: { 'zh-CN': '离开安全区域', en: 'leaving the safe area' },
  device_offline: { 'zh-CN': '手表离线', en: 'the watch going offline' },
  low_battery: { 'zh-CN': '手表电量低', en: 'a low watch battery' },
  device_not_worn: { 'zh-CN': '手表未佩戴', en: 'the watch not being worn' },
  missed_contact: { 'zh-CN': '今日未联系上', en: 'no contact today' },
  device_test_overdue: { 'zh-CN': '手表或按钮需要测试', en: 'the watch or button being due for a test' },
}
const FAMILY_GENERIC: Label = { 'zh-CN': '监护提醒', en: 'a monitoring alert' }

/** What happened, as one family sentence; `who` is the resident's name. */
const FAMILY_EVENTS: Readonly<Record<string, Record<Locale, (who: string) => string>>> = {
  sos: { 'zh-CN': who => `${who}按下了紧急呼叫按钮`, en: who => `${who} pressed the emergency call button` },
  fall: { 'zh-CN': who => `${who}的手表检测到可能跌倒`, en: who => `${who}'s watch detected a possible fall` },
  inactivity: { 'zh-CN': who => `${who}已较长时间没有活动`, en: who => `${who} has not moved for a long time` },
  geofence_exit: { 'zh-CN': who => `${who}离开了设定的安全区域`, en: who => `${who} left the agreed safe area` },
  device_offline: { 'zh-CN': who => `${who}的手表已离线`, en: who => `${who}'s watch went offline` },
  low_battery: { 'zh-CN': who => `${who}的手表电量低`, en: who => `${who}'s watch battery is low` },
  device_not_worn: { 'zh-CN': who => `${who}没有佩戴手表`, en: who => `${who} is not wearing the watch` },
  missed_contact: { 'zh-CN': who => `今天还没有联系上${who}`, en: who => `Nobody has been in touch with ${who} today` },
  device_test_overdue: { 'zh-CN': who => `${who}的报警设备已过了定期测试时间`, en: who => `${who}'s alarm device is overdue for its regular test` },
}
const FAMILY_EVENT_HEALTH: Record<Locale, (who: string) => string> = {
  'zh-CN': who => `${who}有一条健康监测提醒`,
  en: who => `There is a health monitoring alert for ${who}`,
}
const FAMILY_EVENT_GENERIC: Record<Locale, (who: string) => string> = {
  'zh-CN': who => `${who}有一条监护提醒`,
  en: who => `There is a monitoring alert for ${who}`,
}

const REASONS: Record<'handling_overdue' | 'arrival_overdue' | 'repeat', Label> = {
  handling_overdue: { 'zh-CN': '已确认但尚未处理', en: 'acknowledged but not yet handled' },
  arrival_overdue: { 'zh-CN': '人员未按时到达', en: 'the responder has not arrived on time' },
  repeat: { 'zh-CN': '仍无人响应', en: 'still no one has responded' },
}

const ROLES: Record<ResponderRole | 'staff', Label> = {
  carer: { 'zh-CN': '社区护理员', en: 'a community carer' },
  doctor: { 'zh-CN': '家庭医生', en: 'a family doctor' },
  operator: { 'zh-CN': '监护中心工作人员', en: 'a member of the monitoring centre' },
  supervisor: { 'zh-CN': '监护中心工作人员', en: 'a member of the monitoring centre' },
  contact: { 'zh-CN': '紧急联系人', en: 'an emergency contact' },
  staff: { 'zh-CN': '工作人员', en: 'a member of staff' },
}

/** The resolution in plain words, by escalation's outcome ids. */
const OUTCOME_WORDS: Readonly<Record<string, Label>> = {
  false_alarm: { 'zh-CN': '经确认为误报，老人平安', en: 'it was a false alarm and they are safe' },
  handled_by_phone: { 'zh-CN': '监护中心已电话联系老人并处理妥当', en: 'the centre spoke to them by phone and sorted it out' },
  visited_fine: { 'zh-CN': '工作人员已上门查看，老人平安', en: 'someone visited and they are fine' },
  carer_doctor_treatment: { 'zh-CN': '已由护理人员/医生处理', en: 'a carer or doctor has taken care of them' },
  transferred_hospital: { 'zh-CN': '已送往医院，监护中心会继续与您联系', en: 'they have been taken to hospital; the centre will stay in touch with you' },
  device_fault: { 'zh-CN': '设备故障，老人平安', en: 'it was a device fault and they are safe' },
  auto_cleared: { 'zh-CN': '情况已恢复正常', en: 'things are back to normal' },
}
const OUTCOME_GENERIC: Label = { 'zh-CN': '已处理完毕', en: 'it has been dealt with' }

const FAMILY_STATUS_SHORT: Record<UpdateKind, Label> = {
  raised: { 'zh-CN': '已收到', en: 'received' },
  acknowledged: { 'zh-CN': '处理中', en: 'being handled' },
  dispatched: { 'zh-CN': '人员已出发', en: 'help on the way' },
  arrived: { 'zh-CN': '人员已到达', en: 'help has arrived' },
  resolved: { 'zh-CN': '已处理', en: 'resolved' },
}

/** The name of an alarm type for staff (precise) or the family (plain, no medical detail). */
export function alarmTypeLabel(alarmType: string, locale: Locale, audience: 'staff' | 'family'): string {
  if (audience === 'staff') return (own(STAFF_LABELS, alarmType) ?? staffGeneric(alarmType))[locale]
  if (HEALTH_TYPES.has(alarmType)) return HEALTH_LABEL[locale]
  return (own(FAMILY_LABELS, alarmType) ?? FAMILY_GENERIC)[locale]
}

export function composeMessage(facts: MessageFacts): ComposedMessage {
  switch (facts.purpose) {
    case 'alarm':
    case 'task_offer':
      return staffNotice(facts)
    case 'stand_down':
      return standDown(facts)
    case 'family_update':
      return familyUpdate(facts)
  }
}

function staffNotice(f: MessageFacts): ComposedMessage {
  const zh = f.locale === 'zh-CN'
  const label = alarmTypeLabel(f.alarmType, f.locale, 'staff')
  const name = residentName(f)
  const address = f.residentAddress.trim()
  const time = localTime(f.raisedAt, f.timezone)
  const urgent = f.critical ? URGENT[f.locale] : ''
  const offer = f.purpose === 'task_offer'
  const again = f.reason !== null && f.reason !== 'escalation' ? REASONS[f.reason][f.locale] : null

  if (zh) {
    const where = address ? `${name}（${address}）` : name
    const what = `${where}${time ?? ''}发生${label}告警。`
    const lead = offer ? '上门任务：' : ''
    const remind = again ? `再次提醒：${again}。` : ''
    const act = offer
      ? f.link ? `请打开链接接受或拒绝：${f.link} ` : '请尽快回复是否接受。'
      : f.link ? `打开链接确认接警：${f.link} ` : '请尽快处理。'
    return {
      subject: `${urgent}${offer ? '上门任务' : `${label}告警`}：${name}`,
      text: `${urgent}${remind}${lead}${what}${act}${SIGN_OFF['zh-CN']}`,
    }
  }
  const where = address ? `${name}, ${address}` : name
  const what = `${capitalise(label)} alarm for ${where}${time ? `, raised at ${time}` : ''}.`
  const lead = offer ? 'Home visit needed: ' : ''
  const remind = again ? `Reminder: ${again}. ` : ''
  const act = offer
    ? f.link ? ` Open the link to accept or decline: ${f.link}` : ' Please reply whether you accept.'
    : f.link ? ` Open the link to acknowledge: ${f.link}` : ' Please handle it now.'
  return {
    subject: `${urgent}${offer ? 'Home visit' : `${capitalise(label)} alarm`}: ${name}`,
    text: `${urgent}${remind}${lead}${what}${act} ${SIGN_OFF.en}`,
  }
}

function standDown(f: MessageFacts): ComposedMessage {
  const label = alarmTypeLabel(f.alarmType, f.locale, 'staff')
  const name = residentName(f)
  const address = f.residentAddress.trim()
  const time = localTime(f.raisedAt, f.timezone)
  if (f.locale === 'zh-CN') {
    const where = address ? `${name}（${address}）` : name
    const details = f.link ? `查看详情：${f.link} ` : ''
    return {
      subject: `无需前往：${name}`,
      text: `${where}${time ?? ''}的${label}告警已解除，无需前往，谢谢！${details}${SIGN_OFF['zh-CN']}`,
    }
  }
  const where = address ? `${name}, ${address}` : name
  const details = f.link ? ` Details: ${f.link}` : ''
  return {
    subject: `No need to come: ${name}`,
    text: `The ${label} alarm for ${where}${time ? ` raised at ${time}` : ''} has been resolved; you need not come. Thank you.${details} ${SIGN_OFF.en}`,
  }
}

function familyUpdate(f: MessageFacts): ComposedMessage {
  // A family message without an update is about a new alarm: say it was received.
  const update = f.update ?? { kind: 'raised' as const, responderRole: null, outcome: null }
  const name = residentName(f)
  const time = localTime(f.raisedAt, f.timezone)
  const label = alarmTypeLabel(f.alarmType, f.locale, 'family')
  const event = (HEALTH_TYPES.has(f.alarmType) ? FAMILY_EVENT_HEALTH : (own(FAMILY_EVENTS, f.alarmType) ?? FAMILY_EVENT_GENERIC))[f.locale](name)
  const role = ROLES[update.responderRole ?? 'staff'][f.locale]
  const outcome = ((update.outcome !== null ? own(OUTCOME_WORDS, update.outcome) : undefined) ?? OUTCOME_GENERIC)[f.locale]
  const status = FAMILY_STATUS_SHORT[update.kind][f.locale]

  if (f.locale === 'zh-CN') {
    const doing: Record<UpdateKind, string> = {
      raised: '监护中心已收到，正在联系护理人员。',
      acknowledged: '监护中心已在处理。',
      dispatched: `${role}正在赶往老人身边。`,
      arrived: `${role}已到达，现在正在老人身边。`,
      resolved: `最新情况：${outcome}。`,
    }
    const details = f.link ? `查看详情：${f.link} ` : ''
    return {
      subject: `${name}：${label}（${status}）`,
      text: `${time ? `${time}，` : ''}${event}。${doing[update.kind]}${details}${SIGN_OFF['zh-CN']}`,
    }
  }
  const doing: Record<UpdateKind, string> = {
    raised: 'The monitoring centre has received it and is contacting carers.',
    acknowledged: 'The monitoring centre is handling it.',
    dispatched: `${capitalise(role)} is on the way.`,
    arrived: `${capitalise(role)} has arrived and is with them now.`,
    resolved: `Update: ${outcome}.`,
  }
  const details = f.link ? ` Details: ${f.link}` : ''
  return {
    subject: `${name}: ${label} (${status})`,
    text: `${event}${time ? ` at ${time}` : ''}. ${doing[update.kind]}${details} ${SIGN_OFF.en}`,
  }
}

function residentName(f: MessageFacts): string {
  return f.residentName.trim() || (f.locale === 'zh-CN' ? '老人' : 'The resident')
}

/** HH:mm in `timezone` (Shanghai's when the zone is unknown); null when `iso` is not a time. */
function localTime(iso: string, timezone: string): string | null {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return null
  const parts = formatterFor(timezone).formatToParts(ms)
  const hour = parts.find(p => p.type === 'hour')?.value ?? '00'
  const minute = parts.find(p => p.type === 'minute')?.value ?? '00'
  return `${hour}:${minute}`
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timezone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timezone)
  if (cached) return cached
  let f: Intl.DateTimeFormat
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  } catch {
    // Not cached under the bad name, so junk zones cannot grow the cache.
    return formatterFor(DEFAULT_TIMEZONE)
  }
  formatters.set(timezone, f)
  return f
}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
