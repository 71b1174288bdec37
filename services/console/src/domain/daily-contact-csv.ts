import { csvCell } from './service-figures-csv.ts'

export type DailyContactItem = {
  residentId: string
  fullName: string
  areaId: string | null
  areaName: string | null
  status: 'contacted' | 'missed' | 'pending'
  firstContact: { kind: string; at: string; by: string | null } | null
  alarmId: string | null
}

const HEADERS = {
  'zh-CN': ['日期', '老人编号', '姓名', '片区', '状态', '首次联系方式', '首次联系时间', '联系人', '报警编号'],
  en: ['Date', 'Resident ID', 'Name', 'Area', 'Status', 'First contact', 'First contact at', 'By', 'Alarm ID'],
} as const

const STATUS = {
  'zh-CN': { contacted: '已联系', missed: '未联系', pending: '待判定' },
  en: { contacted: 'contacted', missed: 'missed', pending: 'pending' },
} as const

const KIND = {
  'zh-CN': { checkin: '报平安', call: '电话', visit: '上门探访', device_activity: '设备活动' } as Record<string, string>,
  en: { checkin: 'check-in', call: 'call', visit: 'visit', device_activity: 'device activity' } as Record<string, string>,
}

/** The daily compliance report as CSV: UTF-8 with a BOM (Excel), CRLF line ends, cells made formula-safe. */
export function dailyContactCsv(date: string, items: readonly DailyContactItem[], lang: 'zh-CN' | 'en'): string {
  const lines = [HEADERS[lang].map(csvCell).join(',')]
  for (const i of items) {
    lines.push([
      date, i.residentId, i.fullName, i.areaName ?? i.areaId, STATUS[lang][i.status],
      i.firstContact ? (KIND[lang][i.firstContact.kind] ?? i.firstContact.kind) : null, i.firstContact?.at ?? null, i.firstContact?.by ?? null, i.alarmId,
    ].map(csvCell).join(','))
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
