/** The responder page's words, Simplified Chinese by default and English on request. */
export type PageLocale = 'zh-CN' | 'en'

const TEXT = {
  title: { 'zh-CN': '安心监护中心 · 报警处理', en: 'Anxin monitoring centre · alarm' },
  open: { 'zh-CN': '打开报警', en: 'Open the alarm' },
  openHint: { 'zh-CN': '此链接只能打开一次，请在您要使用的手机上打开。', en: 'This link opens once; open it on the phone you will use.' },
  linkInvalid: { 'zh-CN': '链接无效。请使用监护中心发送的原始链接。', en: 'This link is not valid. Use the link the centre sent you.' },
  linkExpired: { 'zh-CN': '链接已过期。如需处理，请致电监护中心。', en: 'This link has expired. Call the monitoring centre if you need to act.' },
  linkUsed: { 'zh-CN': '链接已使用过。请在第一次打开它的设备上继续，或致电监护中心。', en: 'This link was already used. Continue on the device that opened it, or call the centre.' },
  sessionMissing: { 'zh-CN': '请从通知中的链接打开此页面。', en: 'Open this page from the link in your notification.' },
  resident: { 'zh-CN': '老人', en: 'Resident' },
  name: { 'zh-CN': '姓名', en: 'Name' },
  phone: { 'zh-CN': '电话', en: 'Phone' },
  contacts: { 'zh-CN': '紧急联系人', en: 'Emergency contacts' },
  map: { 'zh-CN': '在地图中打开', en: 'Open in map' },
  choose: { 'zh-CN': '请选择', en: 'Choose' },
  age: { 'zh-CN': '岁', en: 'years' },
  address: { 'zh-CN': '地址', en: 'Address' },
  living: { 'zh-CN': '居住情况', en: 'Living situation' },
  what: { 'zh-CN': '发生了什么', en: 'What happened' },
  raisedAt: { 'zh-CN': '报警时间', en: 'Raised at' },
  state: { 'zh-CN': '当前状态', en: 'Status' },
  handledBy: { 'zh-CN': '接警人', en: 'Acknowledged by' },
  others: { 'zh-CN': '已通知的人员', en: 'Who else was called' },
  task: { 'zh-CN': '上门任务', en: 'Home visit' },
  acknowledge: { 'zh-CN': '确认接警', en: 'Acknowledge' },
  decline: { 'zh-CN': '无法处理', en: 'I cannot take this' },
  acceptTask: { 'zh-CN': '接受上门任务', en: 'Accept the visit' },
  declineTask: { 'zh-CN': '拒绝上门任务', en: 'Decline the visit' },
  depart: { 'zh-CN': '我已出发', en: 'I am on my way' },
  arrive: { 'zh-CN': '我已到达', en: 'I have arrived' },
  complete: { 'zh-CN': '完成并报告结果', en: 'Complete and report the outcome' },
  outcome: { 'zh-CN': '处理结果', en: 'Outcome' },
  notes: { 'zh-CN': '备注', en: 'Notes' },
  arriveBy: { 'zh-CN': '请于此时间前到达', en: 'Arrive by' },
  push: { 'zh-CN': '在此手机上接收推送通知', en: 'Get push notifications on this phone' },
  language: { 'zh-CN': 'English', en: '中文' },
} as const

export type TextKey = keyof typeof TEXT

export const text = (key: TextKey, locale: PageLocale): string => TEXT[key][locale]

const LABELS: Record<string, Record<string, Record<PageLocale, string>>> = {
  state: {
    raised: { 'zh-CN': '待处理', en: 'raised' },
    notified: { 'zh-CN': '已通知，待接警', en: 'notified, waiting for someone' },
    acknowledged: { 'zh-CN': '已接警', en: 'acknowledged' },
    dispatched: { 'zh-CN': '人员已派出', en: 'responder on the way' },
    on_scene: { 'zh-CN': '人员已到达', en: 'responder on scene' },
    resolved: { 'zh-CN': '已处理', en: 'resolved' },
    closed: { 'zh-CN': '已关闭', en: 'closed' },
  },
  task: {
    unassigned: { 'zh-CN': '待派单', en: 'waiting for a responder' },
    offered: { 'zh-CN': '待接单', en: 'offered' },
    accepted: { 'zh-CN': '已接单', en: 'accepted' },
    en_route: { 'zh-CN': '前往中', en: 'on the way' },
    arrived: { 'zh-CN': '已到达', en: 'arrived' },
    completed: { 'zh-CN': '已完成', en: 'completed' },
    cancelled: { 'zh-CN': '已取消', en: 'cancelled' },
  },
  outcome: {
    false_alarm: { 'zh-CN': '误报，老人平安', en: 'false alarm, resident fine' },
    handled_by_phone: { 'zh-CN': '电话处理', en: 'handled by phone' },
    visited_fine: { 'zh-CN': '上门查看，老人平安', en: 'visited, resident fine' },
    carer_doctor_treatment: { 'zh-CN': '护理员/医生现场处理', en: 'treated on site' },
    transferred_hospital: { 'zh-CN': '已送医院', en: 'taken to hospital' },
    device_fault: { 'zh-CN': '设备故障', en: 'device fault' },
  },
  living: {
    alone: { 'zh-CN': '独居', en: 'lives alone' },
    with_spouse: { 'zh-CN': '与配偶同住', en: 'with spouse' },
    with_family: { 'zh-CN': '与家人同住', en: 'with family' },
    care_home: { 'zh-CN': '养老机构', en: 'care home' },
  },
  role: {
    operator: { 'zh-CN': '值班员', en: 'operator' },
    carer: { 'zh-CN': '护理员', en: 'carer' },
    doctor: { 'zh-CN': '医生', en: 'doctor' },
    supervisor: { 'zh-CN': '主管', en: 'supervisor' },
  },
  delivery: {
    open: { 'zh-CN': '已发送', en: 'sent' },
    confirmed: { 'zh-CN': '已送达', en: 'delivered' },
    seen: { 'zh-CN': '已查看', en: 'seen' },
    closed: { 'zh-CN': '已停止通知', en: 'no longer needed' },
    unreachable: { 'zh-CN': '无法联系', en: 'unreachable' },
    exhausted: { 'zh-CN': '发送失败', en: 'could not be reached' },
  },
}

const FLASH: Record<string, Record<PageLocale, string>> = {
  done: { 'zh-CN': '已提交', en: 'Done' },
  pending: { 'zh-CN': '已记录，正在提交给监护中心', en: 'Recorded; being passed to the centre' },
  already_acknowledged: { 'zh-CN': '已有其他人员接警', en: 'Someone else has already acknowledged' },
  already_resolved: { 'zh-CN': '报警已处理完毕', en: 'The alarm is already resolved' },
  already_closed: { 'zh-CN': '报警已关闭', en: 'The alarm is closed' },
  offer_expired: { 'zh-CN': '任务邀请已过期，已转派他人', en: 'The offer has expired and went to someone else' },
  not_your_task: { 'zh-CN': '此任务不属于您', en: 'This task is not yours' },
  task_closed: { 'zh-CN': '任务已结束', en: 'The task is over' },
  invalid_state: { 'zh-CN': '当前状态下不能执行此操作', en: 'This cannot be done in the current state' },
  outcome_required: { 'zh-CN': '请选择处理结果', en: 'Choose an outcome' },
  invalid_request: { 'zh-CN': '请求无效', en: 'Invalid request' },
}

export const flashText = (code: string, locale: PageLocale): string => FLASH[code]?.[locale] ?? FLASH.invalid_state![locale]

export const label = (group: keyof typeof LABELS, value: string, locale: PageLocale): string => LABELS[group]?.[value]?.[locale] ?? value

export const OUTCOME_CHOICES = Object.keys(LABELS.outcome!)

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

export function pickLocale(query: string | undefined, acceptLanguage: string | undefined): PageLocale {
  if (query === 'en' || query === 'zh-CN') return query
  if (!query && acceptLanguage && /^en\b/i.test(acceptLanguage.trim())) return 'en'
  return 'zh-CN'
}
