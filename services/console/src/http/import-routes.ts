import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { withTransaction } from '@anxin/db'
import { auditIn } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import { importResident } from '../adapters/resident-importer.ts'
import { CSV_TYPE, readSheet, UnreadableFile, XLSX_TYPE } from '../adapters/spreadsheet.ts'
import { mapColumns, readRow, TEMPLATE_HEADERS, type Problem } from '../domain/resident-import.ts'
import { ApiError, notFound } from './api-error.ts'
import { decodeCursor, limitSchema, page } from './registry-kit.ts'
import { todayIn } from './resident-routes.ts'
import type { ApiRouter } from './route-kit.ts'

export const IMPORT_LIMIT_BYTES = 5 * 1024 * 1024
export const IMPORT_MAX_ROWS = 5000

const rowReport = z.object({
  row: z.number(), status: z.enum(['accepted', 'refused']), residentId: z.string().nullable(), problems: z.array(z.string()),
  /** The problems' stable codes (`birthDate.invalid_date`), in the same order, for the UI to translate. */
  codes: z.array(z.string()),
})
const importReport = z.object({
  importId: z.string(), fileName: z.string(), rowsTotal: z.number(), rowsAccepted: z.number(), rowsRefused: z.number(),
  warnings: z.array(z.string()), rows: z.array(rowReport),
})
type ImportReport = z.infer<typeof importReport>
const importSummary = z.object({
  importId: z.string(), kind: z.string(), fileName: z.string(), receivedAt: z.string(), staff: z.object({ id: z.string(), fullName: z.string() }),
  rowsTotal: z.number(), rowsAccepted: z.number(), rowsRefused: z.number(),
})
const listQuery = z.object({ limit: limitSchema, cursor: z.string().max(500).optional() }).strict()
const importParams = z.object({ importId: z.uuid() }).strict()

/** The name the browser gave the file (percent-encoded UTF-8, so Chinese names survive an HTTP header). */
function fileName(header: string | string[] | undefined): string {
  const raw = String([header ?? ''].flat()[0] ?? '').trim()
  let name = raw
  try {
    name = decodeURIComponent(raw)
  } catch { /* not encoded: taken as it is */ }
  return name.slice(0, 200) || 'upload'
}

type ImportRow = {
  id: string; kind: string; file_name: string; received_at: Date; staff_id: string; staff_name: string; rows_total: number; rows_accepted: number; rows_refused: number
}

export function registerImportRoutes(api: ApiRouter, context: ConsoleContext): void {
  const { pool } = context

  api.route<undefined, undefined, Buffer>({
    method: 'POST', url: '/api/imports/residents', tag: 'imports',
    summary: 'Import residents from a CSV or Excel file: each row accepted or refused on its own, with the reasons',
    permission: 'residents.write', rawBody: { types: [CSV_TYPE, XLSX_TYPE], limitBytes: IMPORT_LIMIT_BYTES }, response: importReport,
    handler: async ({ user, body, request }) => {
      const now = context.now()
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      let sheet
      try {
        sheet = await readSheet(body, type)
      } catch (error) {
        if (error instanceof UnreadableFile) throw new ApiError(400, 'unreadable_file', error.message)
        throw error
      }
      const { columns, warnings, problems } = mapColumns(sheet.header)
      if (problems.length > 0) throw new ApiError(400, 'invalid_columns', problems.join('; '))
      if (sheet.rows.length > IMPORT_MAX_ROWS) throw new ApiError(400, 'too_many_rows', `at most ${IMPORT_MAX_ROWS} rows per file; this one has ${sheet.rows.length}`)

      const areas = await pool.query<{ id: string; name: string }>('SELECT id, name FROM areas WHERE org_id = $1', [user.orgId])
      const rowContext = {
        orgId: user.orgId, today: todayIn(user.timezone, now),
        area: (text: string) => areas.rows.find(a => a.id === text)?.id ?? areas.rows.find(a => a.name === text)?.id,
      }
      const seenIds = new Map<string, number>()
      const seenPeople = new Map<string, number>()
      const rows: ImportReport['rows'] = []
      // Row after row, each in its own transaction: a refused row leaves nothing behind and blocks no other.
      for (const { number, cells } of sheet.rows) {
        const read = readRow(cells, columns, rowContext)
        let refused: Problem[]
        let residentId: string | null = null
        if ('problems' in read) {
          refused = read.problems
        } else {
          const r = read.resident
          residentId = r.id
          const person = `${r.fullName}\n${r.birthDate}`
          const sameId = seenIds.get(r.id)
          const samePerson = seenPeople.get(person)
          if (sameId !== undefined) refused = [{ code: 'id.duplicate', message: `与第 ${sameId} 行的编号 ${r.id} 重复` }]
          else if (samePerson !== undefined) refused = [{ code: 'row.duplicate', message: `与第 ${samePerson} 行是同一人（姓名和出生日期相同）` }]
          else refused = await importResident(pool, user, r, now)
          seenIds.set(r.id, seenIds.get(r.id) ?? number)
          seenPeople.set(person, seenPeople.get(person) ?? number)
        }
        rows.push({
          row: number, status: refused.length === 0 ? 'accepted' : 'refused', residentId,
          problems: refused.map(p => p.message), codes: refused.map(p => p.code),
        })
      }

      const rowsAccepted = rows.filter(r => r.status === 'accepted').length
      const report: ImportReport = {
        importId: randomUUID(), fileName: fileName(request.headers['x-file-name']), rowsTotal: rows.length, rowsAccepted, rowsRefused: rows.length - rowsAccepted, warnings, rows,
      }
      await withTransaction(pool, async client => {
        await client.query(
          `INSERT INTO registry_imports (id, org_id, staff_id, kind, file_name, received_at, rows_total, rows_accepted, rows_refused, report)
           VALUES ($1, $2, $3, 'residents', $4, $5, $6, $7, $8, $9)`,
          [report.importId, user.orgId, user.staffId, report.fileName, now, report.rowsTotal, report.rowsAccepted, report.rowsRefused, { warnings, rows }])
        await auditIn(client, user, {
          action: 'import_residents', detail: { importId: report.importId, rowsTotal: report.rowsTotal, rowsAccepted: report.rowsAccepted, rowsRefused: report.rowsRefused },
        }, now)
      })
      return report
    },
  })

  api.route({
    method: 'GET', url: '/api/imports/residents/template.csv', tag: 'imports', summary: 'The resident import template (UTF-8 CSV with BOM, for Excel)',
    permission: 'residents.write', produces: 'text/csv',
    handler: async ({ reply }) => {
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="residents-template.csv"; filename*=UTF-8''${encodeURIComponent('居民导入模板.csv')}`)
      return reply.send(`\uFEFF${TEMPLATE_HEADERS.join(',')}\r\n`)
    },
  })

  api.route({
    method: 'GET', url: '/api/imports', tag: 'imports', summary: 'Past imports, newest first (area staff: their own)', permission: 'residents.read',
    query: listQuery, response: z.object({ items: z.array(importSummary), nextCursor: z.string().nullable() }),
    handler: async ({ user, query }) => {
      const after = decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
      const values: unknown[] = [user.orgId]
      const where = ['i.org_id = $1']
      if (user.areaId) {
        values.push(user.staffId)
        where.push(`i.staff_id = $${values.length}`)
      }
      if (after) {
        values.push(after[0], after[1])
        where.push(`(i.received_at, i.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`)
      }
      values.push(query.limit + 1)
      const { rows } = await pool.query<ImportRow>(
        `SELECT i.id, i.kind, i.file_name, i.received_at, i.staff_id, s.full_name AS staff_name, i.rows_total, i.rows_accepted, i.rows_refused
           FROM registry_imports i JOIN staff s ON s.id = i.staff_id
          WHERE ${where.join(' AND ')} ORDER BY i.received_at DESC, i.id DESC LIMIT $${values.length}`, values)
      return page(rows, query.limit, r => ({
        importId: r.id, kind: r.kind, fileName: r.file_name, receivedAt: r.received_at.toISOString(), staff: { id: r.staff_id, fullName: r.staff_name },
        rowsTotal: r.rows_total, rowsAccepted: r.rows_accepted, rowsRefused: r.rows_refused,
      }), r => [r.received_at.toISOString(), r.id])
    },
  })

  api.route({
    method: 'GET', url: '/api/imports/:importId', tag: 'imports', summary: "An import's per-row report", permission: 'residents.read',
    params: importParams, response: importReport,
    handler: async ({ user, params }) => {
      const values: unknown[] = [params.importId, user.orgId]
      // Area staff see the imports they made themselves (an import is not confined to one area).
      if (user.areaId) values.push(user.staffId)
      const { rows } = await pool.query<ImportRow & { report: Pick<ImportReport, 'warnings' | 'rows'> }>(
        `SELECT id, kind, file_name, received_at, staff_id, rows_total, rows_accepted, rows_refused, report
           FROM registry_imports WHERE id = $1 AND org_id = $2${user.areaId ? ' AND staff_id = $3' : ''}`, values)
      const r = rows[0]
      if (!r) throw notFound('import')
      return { importId: r.id, fileName: r.file_name, rowsTotal: r.rows_total, rowsAccepted: r.rows_accepted, rowsRefused: r.rows_refused, ...r.report }
    },
  })
}
