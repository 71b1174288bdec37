import t from 'tap'
import { PLATFORM_ALARM_TYPES } from '@anxin/contracts'
import { alarmTypeLabel, composeMessage, type MessageFacts, type MessagePurpose, type UpdateKind } from '../../src/domain/messages.ts'

// Every type the alert service raises, and the daily-contact alarm to come (issue 7).
const ALARM_TYPES = PLATFORM_ALARM_TYPES
const HEALTH_TYPES = ALARM_TYPES.filter(type => /^(heart_rate|spo2|blood_pressure|temperature|glucose)_/.test(type))
const UPDATE_KINDS: UpdateKind[] = ['raised', 'acknowledged', 'dispatched', 'arrived', 'resolved']
const REASONS = ['escalation', 'handling_overdue', 'arrival_overdue', 'repeat', null] as const
const LINK = 'https://anxin.example/a/7Hq2kP'

/** 06:05 UTC is 14:05 in Shanghai. */
const RAISED_AT = '2026-03-02T06:05:00.000Z'

function facts(overrides: Partial<MessageFacts> = {}): MessageFacts {
  return {
    purpose: 'alarm',
    locale: 'zh-CN',
    alarmType: 'fall',
    critical: false,
    residentName: '张桂英',
    residentAddress: '静安区南京西路1266弄3号502室',
    raisedAt: RAISED_AT,
    timezone: 'Asia/Shanghai',
    reason: null,
    link: LINK,
    update: null,
    ...overrides,
  }
}

const family = (kind: UpdateKind, overrides: Partial<MessageFacts> = {}, update: Partial<NonNullable<MessageFacts['update']>> = {}) =>
  composeMessage(facts({ purpose: 'family_update', ...overrides, update: { kind, responderRole: 'carer', outcome: null, ...update } }))

const length = (s: string) => [...s].length

// ---------------------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------------------

t.test('alarmTypeLabel: a precise name for staff, in both languages', async t => {
  const zh: Record<string, string> = {
    sos: '一键呼叫(SOS)',
    fall: '跌倒',
    heart_rate_high: '心率过高',
    heart_rate_low: '心率过低',
    spo2_low: '血氧过低',
    blood_pressure_high: '血压过高',
    blood_pressure_low: '血压过低',
    temperature_high: '体温过高',
    temperature_low: '体温过低',
    glucose_high: '血糖过高',
    glucose_low: '血糖过低',
  }
  for (const [type, label] of Object.entries(zh)) t.equal(alarmTypeLabel(type, 'zh-CN', 'staff'), label, type)
  for (const type of ALARM_TYPES) {
    const zhLabel = alarmTypeLabel(type, 'zh-CN', 'staff')
    const enLabel = alarmTypeLabel(type, 'en', 'staff')
    t.notOk(zhLabel.includes(type), `${type}: zh is a word, not the id`)
    t.ok(enLabel.length > 0 && !enLabel.includes('_'), `${type}: en "${enLabel}"`)
  }
  t.equal(alarmTypeLabel('sos', 'en', 'staff'), 'SOS')
  t.equal(alarmTypeLabel('spo2_low', 'en', 'staff'), 'low blood oxygen')
  t.equal(new Set(ALARM_TYPES.map(type => alarmTypeLabel(type, 'zh-CN', 'staff'))).size, ALARM_TYPES.length, 'every type its own zh label')
  t.equal(new Set(ALARM_TYPES.map(type => alarmTypeLabel(type, 'en', 'staff'))).size, ALARM_TYPES.length, 'every type its own en label')
})

t.test('alarmTypeLabel: for the family, readings of the body are a generic health monitoring alert', async t => {
  t.equal(HEALTH_TYPES.length, 9)
  for (const type of HEALTH_TYPES) {
    t.equal(alarmTypeLabel(type, 'zh-CN', 'family'), '健康监测提醒', type)
    t.equal(alarmTypeLabel(type, 'en', 'family'), 'a health monitoring alert', type)
  }
  t.equal(alarmTypeLabel('sos', 'zh-CN', 'family'), '紧急呼叫')
  t.equal(alarmTypeLabel('fall', 'zh-CN', 'family'), '可能跌倒')
})

t.test('alarmTypeLabel: an unknown type is generic; staff see its id, the family never does', async t => {
  for (const type of ['choking', 'toString', '__proto__']) {
    t.equal(alarmTypeLabel(type, 'zh-CN', 'family'), '监护提醒', type)
    t.equal(alarmTypeLabel(type, 'en', 'family'), 'a monitoring alert', type)
    t.equal(alarmTypeLabel(type, 'zh-CN', 'staff'), `其他(${type})`, type)
    t.equal(alarmTypeLabel(type, 'en', 'staff'), `other (${type})`, type)
  }
})

// ---------------------------------------------------------------------------------------------------------
// Staff: alarm
// ---------------------------------------------------------------------------------------------------------

t.test('staff alarm (zh): resident, address, what happened, local time, link with what to do, sign-off', async t => {
  const m = composeMessage(facts())
  t.equal(m.text, '张桂英（静安区南京西路1266弄3号502室）14:05发生跌倒告警。打开链接确认接警：https://anxin.example/a/7Hq2kP 【安心监护中心】')
  t.equal(m.subject, '跌倒告警：张桂英')
  t.notOk(m.text.includes('【紧急】'), 'not critical: no urgent prefix')
})

t.test('staff alarm: 【紧急】/[URGENT] first when critical', async t => {
  const zh = composeMessage(facts({ alarmType: 'sos', critical: true }))
  t.ok(zh.text.startsWith('【紧急】'), zh.text)
  t.ok(zh.subject.startsWith('【紧急】'), zh.subject)
  t.match(zh.text, '一键呼叫(SOS)')
  const en = composeMessage(facts({ alarmType: 'sos', critical: true, locale: 'en' }))
  t.ok(en.text.startsWith('[URGENT] '), en.text)
  t.ok(en.subject.startsWith('[URGENT] '), en.subject)
})

t.test('staff alarm: why it came again', async t => {
  const expected = { handling_overdue: '已确认但尚未处理', arrival_overdue: '人员未按时到达', repeat: '仍无人响应' }
  for (const [reason, words] of Object.entries(expected)) {
    const m = composeMessage(facts({ reason: reason as keyof typeof expected, critical: true }))
    t.ok(m.text.startsWith(`【紧急】再次提醒：${words}。`), m.text)
  }
  for (const reason of ['escalation', null] as const) {
    const m = composeMessage(facts({ reason }))
    t.notMatch(m.text, /再次提醒|已确认但尚未处理|人员未按时到达|仍无人响应/, `${String(reason)}: a first notice says no more than what happened`)
  }
  const en = composeMessage(facts({ locale: 'en', reason: 'arrival_overdue' }))
  t.match(en.text, /^Reminder: the responder has not arrived on time\. /)
  t.match(composeMessage(facts({ locale: 'en', reason: 'handling_overdue' })).text, 'acknowledged but not yet handled')
  t.match(composeMessage(facts({ locale: 'en', reason: 'repeat' })).text, 'still no one has responded')
})

t.test('staff alarm: without a link, no link instruction', async t => {
  const m = composeMessage(facts({ link: null }))
  t.equal(m.text, '张桂英（静安区南京西路1266弄3号502室）14:05发生跌倒告警。请尽快处理。【安心监护中心】')
  t.notMatch(m.text, /链接|http/)
})

t.test('staff alarm (zh) without the link fits one SMS: at most 120 characters for ordinary names and addresses', async t => {
  const residents: Array<[string, string]> = [
    ['张桂英', '静安区南京西路1266弄3号502室'],
    ['欧阳秀兰', '上海市静安区江宁路街道康定路1029弄12号1201室'],
    ['王建国', '黄浦区人民大道200号'],
    ['李梅', '徐汇区漕溪北路88号2幢3单元1602室'],
  ]
  let longest = 0
  for (const [residentName, residentAddress] of residents) {
    for (const alarmType of ALARM_TYPES) {
      for (const reason of REASONS) {
        const text = composeMessage(facts({ residentName, residentAddress, alarmType, reason, critical: true, link: null })).text
        longest = Math.max(longest, length(text))
        if (length(text) > 120) t.fail(`${length(text)} characters: ${text}`)
      }
    }
  }
  t.ok(longest <= 120, `the longest is ${longest} characters`)
})

t.test('staff alarm (en)', async t => {
  const m = composeMessage(facts({ locale: 'en', residentName: 'Zhang Guiying', residentAddress: 'Rm 502, No. 3, Lane 1266 West Nanjing Rd, Jing\'an' }))
  t.equal(m.text, 'Fall alarm for Zhang Guiying, Rm 502, No. 3, Lane 1266 West Nanjing Rd, Jing\'an, raised at 14:05. Open the link to acknowledge: https://anxin.example/a/7Hq2kP — Anxin monitoring centre')
  t.equal(m.subject, 'Fall alarm: Zhang Guiying')
  t.match(composeMessage(facts({ locale: 'en', link: null })).text, /Please handle it now\. — Anxin monitoring centre$/)
})

t.test('the time raised is HH:mm in the given timezone', async t => {
  t.match(composeMessage(facts({ timezone: 'Europe/London' })).text, '06:05发生')
  t.match(composeMessage(facts({ raisedAt: '2026-03-02T16:00:00Z' })).text, '00:00发生', 'midnight is 00:00, not 24:00')
  t.match(composeMessage(facts({ raisedAt: '2026-03-02T01:07:00Z' })).text, '09:07发生', 'two digits')
  t.match(composeMessage(facts({ raisedAt: '2026-03-02T14:05:00+08:00' })).text, '14:05发生', 'an offset is read as an instant')
})

t.test('imperfect facts still give a message: unknown zone, unreadable time, no name, no address', async t => {
  t.match(composeMessage(facts({ timezone: 'Mars/Olympus' })).text, '14:05发生', "an unknown zone falls back to Shanghai's")
  t.equal(composeMessage(facts({ raisedAt: 'garbage', link: null })).text, '张桂英（静安区南京西路1266弄3号502室）发生跌倒告警。请尽快处理。【安心监护中心】')
  t.equal(composeMessage(facts({ residentName: ' ', residentAddress: '', link: null })).text, '老人14:05发生跌倒告警。请尽快处理。【安心监护中心】')
  t.match(composeMessage(facts({ locale: 'en', raisedAt: 'garbage', residentName: '' })).text, /^Fall alarm for The resident, 静安区/)
})

// ---------------------------------------------------------------------------------------------------------
// Staff: task offer and stand-down
// ---------------------------------------------------------------------------------------------------------

t.test('task offer: asks them to accept a home visit, with the same facts', async t => {
  const m = composeMessage(facts({ purpose: 'task_offer', alarmType: 'sos', critical: true }))
  t.equal(m.text, '【紧急】上门任务：张桂英（静安区南京西路1266弄3号502室）14:05发生一键呼叫(SOS)告警。请打开链接接受或拒绝：https://anxin.example/a/7Hq2kP 【安心监护中心】')
  t.equal(m.subject, '【紧急】上门任务：张桂英')
  const backup = composeMessage(facts({ purpose: 'task_offer', reason: 'arrival_overdue', link: null }))
  t.match(backup.text, /^再次提醒：人员未按时到达。上门任务：/)
  t.match(backup.text, '请尽快回复是否接受。')
  const en = composeMessage(facts({ purpose: 'task_offer', locale: 'en', residentName: 'Zhang Guiying', residentAddress: 'West Nanjing Rd 1266' }))
  t.match(en.text, /^Home visit needed: Fall alarm for Zhang Guiying, West Nanjing Rd 1266, raised at 14:05\. Open the link to accept or decline: /)
  t.equal(en.subject, 'Home visit: Zhang Guiying')
})

t.test('stand down: the alarm was resolved, no need to come; never urgent', async t => {
  const m = composeMessage(facts({ purpose: 'stand_down', critical: true, reason: 'repeat' }))
  t.equal(m.text, '张桂英（静安区南京西路1266弄3号502室）14:05的跌倒告警已解除，无需前往，谢谢！查看详情：https://anxin.example/a/7Hq2kP 【安心监护中心】')
  t.equal(m.subject, '无需前往：张桂英')
  t.notMatch(composeMessage(facts({ purpose: 'stand_down', link: null })).text, /查看详情/)
  const en = composeMessage(facts({ purpose: 'stand_down', locale: 'en', residentName: 'Zhang Guiying', link: null }))
  t.match(en.text, /^The fall alarm for Zhang Guiying, .* raised at 14:05 has been resolved; you need not come\. Thank you\. — Anxin monitoring centre$/)
  t.notMatch(en.text, /URGENT/)
})

// ---------------------------------------------------------------------------------------------------------
// Family
// ---------------------------------------------------------------------------------------------------------

t.test('family: what happened in everyday words', async t => {
  t.match(family('raised', { alarmType: 'sos' }).text, '14:05，张桂英按下了紧急呼叫按钮。')
  t.match(family('raised', { alarmType: 'fall' }).text, '14:05，张桂英的手表检测到可能跌倒。')
  t.match(family('raised', { alarmType: 'spo2_low' }).text, '14:05，张桂英有一条健康监测提醒。')
  t.match(family('raised', { alarmType: 'sos', locale: 'en' }).text, 'pressed the emergency call button at 14:05.')
  t.match(family('raised', { alarmType: 'glucose_low', locale: 'en' }).text, 'There is a health monitoring alert for 张桂英 at 14:05.')
})

t.test('family: what is being done, by update kind', async t => {
  const zh: Record<UpdateKind, string> = {
    raised: '监护中心已收到，正在联系护理人员。',
    acknowledged: '监护中心已在处理。',
    dispatched: '社区护理员正在赶往老人身边。',
    arrived: '社区护理员已到达，现在正在老人身边。',
    resolved: '最新情况：已由护理人员/医生处理。',
  }
  for (const kind of UPDATE_KINDS) {
    const m = family(kind, {}, { outcome: 'carer_doctor_treatment' })
    t.equal(m.text, `14:05，张桂英的手表检测到可能跌倒。${zh[kind]}查看详情：${LINK} 【安心监护中心】`, kind)
  }
  const en: Record<UpdateKind, string> = {
    raised: 'The monitoring centre has received it and is contacting carers.',
    acknowledged: 'The monitoring centre is handling it.',
    dispatched: 'A community carer is on the way.',
    arrived: 'A community carer has arrived and is with them now.',
    resolved: 'Update: a carer or doctor has taken care of them.',
  }
  for (const kind of UPDATE_KINDS) {
    const m = family(kind, { locale: 'en', link: null }, { outcome: 'carer_doctor_treatment' })
    t.equal(m.text, `张桂英's watch detected a possible fall at 14:05. ${en[kind]} — Anxin monitoring centre`, kind)
  }
})

t.test('family: who is coming is a role, never a name or a number', async t => {
  t.match(family('dispatched', {}, { responderRole: 'doctor' }).text, '家庭医生正在赶往老人身边')
  t.match(family('arrived', {}, { responderRole: 'doctor' }).text, '家庭医生已到达')
  t.match(family('dispatched', {}, { responderRole: null }).text, '工作人员正在赶往老人身边')
  t.match(family('dispatched', {}, { responderRole: 'operator' }).text, '监护中心工作人员')
  t.match(family('dispatched', {}, { responderRole: 'contact' }).text, '紧急联系人')
  t.match(family('dispatched', { locale: 'en' }, { responderRole: 'doctor' }).text, 'A family doctor is on the way.')
})

t.test('family: the outcome in plain words', async t => {
  const zh: Record<string, string> = {
    false_alarm: '经确认为误报，老人平安',
    handled_by_phone: '监护中心已电话联系老人并处理妥当',
    visited_fine: '工作人员已上门查看，老人平安',
    carer_doctor_treatment: '已由护理人员/医生处理',
    transferred_hospital: '已送往医院，监护中心会继续与您联系',
    device_fault: '设备故障，老人平安',
    auto_cleared: '情况已恢复正常',
  }
  for (const [outcome, words] of Object.entries(zh)) {
    t.match(family('resolved', {}, { outcome }).text, `最新情况：${words}。`, outcome)
    t.notMatch(family('resolved', { locale: 'en' }, { outcome }).text, outcome, `${outcome}: en says it in words`)
  }
  t.match(family('resolved', {}, { outcome: null }).text, '最新情况：已处理完毕。', 'no outcome: dealt with')
  t.match(family('resolved', {}, { outcome: 'something_else' }).text, '最新情况：已处理完毕。')
  t.notMatch(family('resolved', {}, { outcome: 'something_else' }).text, 'something_else')
})

t.test('family: a message without an update is about a new alarm', async t => {
  t.equal(composeMessage(facts({ purpose: 'family_update', update: null })).text, family('raised').text)
})

t.test('family: link with "查看详情" when present; no address; no urgent prefix; subject plain', async t => {
  for (const kind of UPDATE_KINDS) {
    const m = family(kind, { critical: true, alarmType: 'sos', reason: 'repeat' })
    t.match(m.text, `查看详情：${LINK}`, kind)
    t.notMatch(m.text, /南京西路|【紧急】|再次提醒/, kind)
    t.notMatch(m.subject, /南京西路|【紧急】/, kind)
  }
  t.notMatch(family('raised', { link: null }).text, /查看详情|http/)
  t.match(family('raised', { locale: 'en' }).text, `Details: ${LINK}`)
  t.equal(family('dispatched', { alarmType: 'spo2_low' }).subject, '张桂英：健康监测提醒（人员已出发）')
  t.equal(family('resolved', { alarmType: 'sos', locale: 'en' }).subject, '张桂英: an emergency call (resolved)')
})

t.test('family: no medical detail for readings of the body, in any update, in either language', async t => {
  const zhForbidden = ['血氧', '血糖', '心率', '血压', '体温', '过低', '过高', '%']
  const enForbidden = [/spo2/i, /glucose/i, /oxygen/i, /heart/i, /pressure/i, /temperature/i, /sugar/i, /%/]
  for (const alarmType of HEALTH_TYPES) {
    for (const kind of UPDATE_KINDS) {
      for (const outcome of [null, 'transferred_hospital', 'carer_doctor_treatment']) {
        const zh = family(kind, { alarmType }, { outcome })
        const en = family(kind, { alarmType, locale: 'en' }, { outcome })
        for (const m of [zh, en]) {
          const words = `${m.subject}\n${m.text}`
          for (const w of zhForbidden) if (words.includes(w)) t.fail(`${alarmType}/${kind}: "${w}" in ${words}`)
          for (const w of enForbidden) if (w.test(words)) t.fail(`${alarmType}/${kind}: ${w} in ${words}`)
          t.notOk(words.includes(alarmType), `${alarmType}/${kind}: not the raw id`)
          // The only digits are the time raised and the link.
          t.notMatch(words.replace('14:05', '').replace(LINK, ''), /\d/, `${alarmType}/${kind}/${String(outcome)}: no numbers`)
        }
      }
    }
  }
})

t.test('family: spo2_low and glucose_low spelled out, as the brief asks', async t => {
  for (const alarmType of ['spo2_low', 'glucose_low']) {
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const kind of UPDATE_KINDS) {
        const m = family(kind, { alarmType, locale, link: null })
        const all = `${m.subject} ${m.text}`
        t.notMatch(all, /血氧|血糖|%|SpO2|glucose/i, `${alarmType} ${locale} ${kind}`)
        t.notMatch(all.replace('14:05', ''), /\d/, `${alarmType} ${locale} ${kind}: no digits`)
      }
    }
  }
})

t.test('family: an unknown alarm type is a generic monitoring alert, never its id', async t => {
  for (const locale of ['zh-CN', 'en'] as const) {
    for (const kind of UPDATE_KINDS) {
      const m = family(kind, { alarmType: 'ecg_afib_detected', locale })
      t.notMatch(`${m.subject} ${m.text}`, /ecg|afib/i, `${locale} ${kind}`)
    }
  }
  t.match(family('raised', { alarmType: 'ecg_afib_detected' }).text, '张桂英有一条监护提醒')
  t.match(family('raised', { alarmType: 'ecg_afib_detected', locale: 'en' }).text, 'There is a monitoring alert for 张桂英')
})

t.test('family: the non-medical types read naturally and never show the id', async t => {
  for (const alarmType of ['inactivity', 'geofence_exit', 'device_offline', 'low_battery', 'device_not_worn', 'missed_contact']) {
    for (const locale of ['zh-CN', 'en'] as const) {
      const m = family('raised', { alarmType, locale })
      t.notOk(`${m.subject} ${m.text}`.includes(alarmType), `${alarmType} ${locale}`)
    }
  }
  t.match(family('raised', { alarmType: 'inactivity' }).text, '张桂英已较长时间没有活动')
})

// ---------------------------------------------------------------------------------------------------------
// Every message
// ---------------------------------------------------------------------------------------------------------

t.test('every message signs off as the monitoring centre and has a subject', async t => {
  const purposes: MessagePurpose[] = ['alarm', 'task_offer', 'family_update', 'stand_down']
  for (const purpose of purposes) {
    for (const alarmType of [...ALARM_TYPES, 'unknown_type']) {
      for (const link of [LINK, null]) {
        const zh = composeMessage(facts({ purpose, alarmType, link, update: { kind: 'dispatched', responderRole: 'carer', outcome: null } }))
        const en = composeMessage(facts({ purpose, alarmType, link, locale: 'en', update: { kind: 'dispatched', responderRole: 'carer', outcome: null } }))
        t.ok(zh.text.endsWith('【安心监护中心】'), `${purpose} ${alarmType} zh`)
        t.ok(en.text.endsWith('Anxin monitoring centre'), `${purpose} ${alarmType} en`)
        t.ok(zh.subject.length > 0 && en.subject.length > 0)
        t.notMatch(`${zh.text}${en.text}`, /undefined|null|NaN/, `${purpose} ${alarmType}: no leaked placeholders`)
      }
    }
  }
})
