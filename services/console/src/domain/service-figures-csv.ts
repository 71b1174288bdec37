import type { ServiceFigures } from './service-figures.ts'

/**
 * The service-level report as CSV for Excel and oversight bodies: a byte-order mark (without one Excel reads
 * UTF-8 as the local code page and garbles Chinese), RFC 4180 (CRLF line ends; a field with a comma, quote or
 * line break is quoted and its quotes doubled), then the window, the figures, the counts by alarm type and by
 * local hour. Pure.
 *
 * - Shares are percentages with two decimals, rounded DOWN: 97.496 % must not print as 97.50 % and seem to
 *   meet a 97.5 % standard it missed.
 * - A figure with no data (no alarm to measure) is an empty cell, never 0.
 * - Formula injection: a cell starting with = + - @ (or a tab or carriage return, which Excel also strips
 *   before reading a formula) gets a leading apostrophe, so text from the database (an alarm type) can never
 *   run as a formula in the reader's spreadsheet.
 */

export type CsvLocale = 'zh-CN' | 'en'

type Labels = {
  title: string; report: string; from: string; to: string; asAt: string; timeZone: string
  figure: string; value: string; alarms: string; within60: string; within180: string
  ackMedian: string; ackP90: string; arrivalMedian: string; arrivalP90: string; openTasks: string; offlineDevices: string
  type: string; hour: string; count: string; types: Record<string, string>
}

const LABELS: Record<CsvLocale, Labels> = {
  'zh-CN': {
    title: '报告', report: '服务水平报告', from: '开始时间', to: '结束时间', asAt: '统计时间', timeZone: '时区',
    figure: '指标', value: '数值', alarms: '报警总数', within60: '60秒内确认率 (%)', within180: '180秒内确认率 (%)',
    ackMedian: '确认用时中位数 (秒)', ackP90: '确认用时第90百分位 (秒)', arrivalMedian: '到场用时中位数 (秒)',
    arrivalP90: '到场用时第90百分位 (秒)', openTasks: '未完成上门任务', offlineDevices: '离线设备',
    type: '报警类型', hour: '时段 (当地时间)', count: '数量',
    types: {
      sos: '一键报警', fall: '跌倒', heart_rate_high: '心率过高', heart_rate_low: '心率过低', spo2_low: '血氧过低',
      blood_pressure_high: '血压过高', blood_pressure_low: '血压过低', temperature_high: '体温过高', temperature_low: '体温过低',
      glucose_high: '血糖过高', glucose_low: '血糖过低', device_offline: '设备离线', device_not_worn: '设备未佩戴',
      low_battery: '电量低', geofence_exit: '离开安全区域', inactivity: '长时间无活动', missed_contact: '今日未联系上', device_test_overdue: '设备未按期测试',
    },
  },
  en: {
    title: 'Report', report: 'Service levels', from: 'From', to: 'To', asAt: 'As at', timeZone: 'Time zone',
    figure: 'Figure', value: 'Value', alarms: 'Alarms', within60: 'Acknowledged within 60 s (%)', within180: 'Acknowledged within 180 s (%)',
    ackMedian: 'Time to acknowledge, median (s)', ackP90: 'Time to acknowledge, 90th percentile (s)',
    arrivalMedian: 'Time to arrival, median (s)', arrivalP90: 'Time to arrival, 90th percentile (s)',
    openTasks: 'Open visit tasks', offlineDevices: 'Offline devices',
    type: 'Alarm type', hour: 'Hour (local time)', count: 'Count',
    types: {
      sos: 'SOS', fall: 'Fall', heart_rate_high: 'Heart rate high', heart_rate_low: 'Heart rate low', spo2_low: 'SpO2 low',
      blood_pressure_high: 'Blood pressure high', blood_pressure_low: 'Blood pressure low', temperature_high: 'Temperature high',
      temperature_low: 'Temperature low', glucose_high: 'Glucose high', glucose_low: 'Glucose low', device_offline: 'Device offline',
      device_not_worn: 'Device not worn', low_battery: 'Low battery', geofence_exit: 'Left safe zone', inactivity: 'Inactivity',
      missed_contact: 'No contact today', device_test_overdue: 'Device test overdue',
    },
  },
}

type Cell = string | number | null

export function serviceFiguresCsv(figures: ServiceFigures, locale: CsvLocale = 'zh-CN'): string {
  const l = LABELS[locale] ?? LABELS['zh-CN']
  const rows: Cell[][] = [
    [l.title, l.report],
    [l.from, figures.from],
    [l.to, figures.to],
    [l.asAt, figures.now],
    [l.timeZone, figures.timeZone],
    [],
    [l.figure, l.value],
    [l.alarms, figures.alarms],
    [l.within60, percent(figures.acknowledgedWithin60s)],
    [l.within180, percent(figures.acknowledgedWithin180s)],
    [l.ackMedian, figures.ackSeconds.median],
    [l.ackP90, figures.ackSeconds.p90],
    [l.arrivalMedian, figures.arrivalSeconds.median],
    [l.arrivalP90, figures.arrivalSeconds.p90],
    [l.openTasks, figures.openTasks],
    [l.offlineDevices, figures.offlineDevices],
    [],
    [l.type, l.count],
    ...figures.byType.map(t => [Object.hasOwn(l.types, t.type) ? l.types[t.type]! : t.type, t.count]),
    [],
    [`${l.hour} ${figures.timeZone}`, l.count],
    ...figures.byHour.map(h => [hourLabel(h.hour), h.count]),
  ]
  return '\uFEFF' + rows.map(row => row.map(csvCell).join(',') + '\r\n').join('')
}

/** One RFC 4180 field, guarded against formula injection. */
export function csvCell(value: Cell): string {
  if (value === null) return ''
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** A share (0..1) as a percentage with two decimals, rounded down; the epsilon absorbs float noise (0.975 -> 97.50). */
function percent(share: number | null): string | null {
  if (share === null) return null
  return (Math.floor(share * 10_000 + 1e-6) / 100).toFixed(2)
}

function hourLabel(hour: number): string {
  const hh = String(hour).padStart(2, '0')
  return `${hh}:00–${hh}:59`
}
