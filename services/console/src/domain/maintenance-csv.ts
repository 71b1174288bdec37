import { csvCell, type CsvLocale } from './service-figures-csv.ts'

/**
 * The device maintenance list (weekly test) as CSV for Excel: byte-order mark, RFC 4180, cells through
 * `csvCell` (formula injection). Times in the reader's time zone, to the minute. Pure.
 */

export type MaintenanceRow = {
  deviceId: string; type: string; model: string | null; residentName: string | null; areaId: string | null
  lastTestAt: string | null; dueAt: string; status: 'due' | 'overdue'; alarmId: string | null; offline: boolean; battery: number | null
}

type Labels = { columns: string[]; types: Record<string, string>; status: Record<'due' | 'overdue', string>; yes: string; no: string; never: string }

const LABELS: Record<CsvLocale, Labels> = {
  'zh-CN': {
    columns: ['设备编号', '类型', '型号', '使用人', '区域', '上次测试', '应测时间', '状态', '报警编号', '离线', '电量 (%)'],
    types: { watch: '智能手表', sos_pendant: '紧急呼叫挂件', wall_button: '墙装呼叫按钮' },
    status: { due: '待测试', overdue: '逾期未测' }, yes: '是', no: '否', never: '从未测试',
  },
  en: {
    columns: ['Device', 'Type', 'Model', 'Resident', 'Area', 'Last test', 'Due', 'Status', 'Alarm', 'Offline', 'Battery (%)'],
    types: { watch: 'Watch', sos_pendant: 'SOS pendant', wall_button: 'Wall button' },
    status: { due: 'Due', overdue: 'Overdue' }, yes: 'yes', no: 'no', never: 'never',
  },
}

function localTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso)).map(p => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}

export function maintenanceCsv(rows: MaintenanceRow[], locale: CsvLocale, timeZone: string): string {
  const l = LABELS[locale] ?? LABELS['zh-CN']
  const lines = [l.columns, ...rows.map(r => [
    r.deviceId, l.types[r.type] ?? r.type, r.model, r.residentName, r.areaId, r.lastTestAt ? localTime(r.lastTestAt, timeZone) : l.never,
    localTime(r.dueAt, timeZone), l.status[r.status], r.alarmId, r.offline ? l.yes : l.no, r.battery,
  ])]
  return '\uFEFF' + lines.map(row => row.map(csvCell).join(',') + '\r\n').join('')
}
