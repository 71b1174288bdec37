import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'

export const CSV_TYPE = 'text/csv'
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A spreadsheet as text cells: the header, and each data row with its number as the operator sees it (the header is row 1). */
export type Sheet = { header: string[]; rows: { number: number; cells: string[] }[] }

export class UnreadableFile extends Error {}

/** UTF-8 (with or without BOM) or, failing that, GBK: what Excel on a Chinese Windows writes as "CSV". */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gbk').decode(bytes)
  }
}

function readCsv(bytes: Buffer): string[][] {
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) throw new UnreadableFile('this is an Excel (.xlsx) file sent as CSV')
  try {
    return parse(decodeText(bytes), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][]
  } catch (error) {
    throw new UnreadableFile(`not readable as CSV: ${(error as Error).message}`)
  }
}

/** A cell's value as the operator sees it: dates as YYYY-MM-DD, formulas by their result, rich text as its text. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value !== 'object') return String(value)
  if ('richText' in value) return value.richText.map(r => r.text).join('')
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue)
  if ('text' in value) return cellText(value.text as ExcelJS.CellValue)
  if ('error' in value) return ''
  return ''
}

async function readXlsx(bytes: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch (error) {
    throw new UnreadableFile(`not readable as an Excel workbook: ${(error as Error).message}`)
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) throw new UnreadableFile('the workbook has no sheet')
  const out: string[][] = []
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    const cells: string[] = []
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value))
    out[number - 1] = cells
  })
  return Array.from(out, r => r ?? [])
}

/** The sheet of a CSV or .xlsx file, blank rows left out (their numbers are kept by the rows that follow). */
export async function readSheet(bytes: Buffer, type: string): Promise<Sheet> {
  const lines = type === XLSX_TYPE ? await readXlsx(bytes) : readCsv(bytes)
  const header = lines[0] ?? []
  if (header.every(h => h.trim() === '')) throw new UnreadableFile('the first row should name the columns')
  const rows = lines.slice(1).flatMap((cells, i) => (cells.some(c => c.trim() !== '') ? [{ number: i + 2, cells }] : []))
  return { header, rows }
}
