import { csvCell, type CsvLocale } from './service-figures-csv.ts'

/**
 * The priority ledger (台账) as CSV for Excel: a byte-order mark, RFC 4180, one row per person, one column per
 * flag saying where it comes from (the data, a manual mark, or both) so the sheet can be filtered by flag.
 * Cells go through `csvCell`: a name or address typed as "=HYPERLINK(...)" stays text. Pure.
 */

export const LEDGER_FLAGS = ['disabled', 'dementia', 'very_old', 'living_alone', 'empty_nest'] as const
export type LedgerFlag = (typeof LEDGER_FLAGS)[number]

export type LedgerEntry = {
  residentId: string
  fullName: string
  age: number
  areaName: string | null
  address: string
  derived: LedgerFlag[]
  manual: LedgerFlag[]
  assignedCarer: { fullName: string; phone: string | null } | null
}

type Labels = {
  id: string; name: string; age: string; area: string; address: string; carer: string; carerPhone: string
  flags: Record<LedgerFlag, string>; data: string; manual: string; both: string
}

const LABELS: Record<CsvLocale, Labels> = {
  'zh-CN': {
    id: '编号', name: '姓名', age: '年龄', area: '区域', address: '地址', carer: '包户护理员', carerPhone: '护理员电话',
    flags: { disabled: '失能', dementia: '失智', very_old: '高龄', living_alone: '独居', empty_nest: '空巢' },
    data: '数据认定', manual: '人工标记', both: '数据认定+人工标记',
  },
  en: {
    id: 'ID', name: 'Name', age: 'Age', area: 'Area', address: 'Address', carer: 'Assigned carer', carerPhone: 'Carer phone',
    flags: { disabled: 'Disabled', dementia: 'Dementia', very_old: 'Very old', living_alone: 'Living alone', empty_nest: 'Empty nest' },
    data: 'from data', manual: 'manual', both: 'from data + manual',
  },
}

export function ledgerCsv(entries: LedgerEntry[], locale: CsvLocale = 'zh-CN'): string {
  const l = LABELS[locale] ?? LABELS['zh-CN']
  const source = (e: LedgerEntry, flag: LedgerFlag): string | null => {
    const derived = e.derived.includes(flag)
    const manual = e.manual.includes(flag)
    return derived && manual ? l.both : derived ? l.data : manual ? l.manual : null
  }
  const rows: Array<Array<string | number | null>> = [
    [l.id, l.name, l.age, l.area, l.address, ...LEDGER_FLAGS.map(f => l.flags[f]), l.carer, l.carerPhone],
    ...entries.map(e => [
      e.residentId, e.fullName, e.age, e.areaName, e.address, ...LEDGER_FLAGS.map(f => source(e, f)),
      e.assignedCarer?.fullName ?? null, e.assignedCarer?.phone ?? null,
    ]),
  ]
  return '\uFEFF' + rows.map(row => row.map(csvCell).join(',') + '\r\n').join('')
}
