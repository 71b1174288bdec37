// Bulk import of residents from CSV or Excel: the file goes up as it is, the server answers row by row what it
// accepted and why it refused the rest; past imports are listed below. Roles with residents.write only.
import { useState } from 'preact/hooks'
import { api } from '../api/client.ts'
import type { ImportReport, ImportSummary } from '../api/types.ts'
import { ErrorBox, Loading, errorText } from '../components/common.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime } from '../lib/format.ts'
import { href } from '../lib/router.ts'

const TYPES: Record<string, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
}

/** The content type by extension (browsers often leave File.type empty for .csv on Windows). */
export function contentTypeOf(fileName: string): string | null {
  const ext = fileName.toLowerCase().split('.').pop() ?? ''
  return TYPES[ext] ?? null
}

export function ImportPage() {
  const tr = useI18n()
  const { t } = tr
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [report, setReport] = useState<ImportReport | null>(null)
  const [onlyRefused, setOnlyRefused] = useState(false)
  const past = useLoad(() => api.get<{ items: ImportSummary[] }>('/api/imports'), [])

  const submit = (e: Event): void => {
    e.preventDefault()
    if (file === null) return
    const type = contentTypeOf(file.name)
    if (type === null) {
      setError(t('import.wrongType'))
      return
    }
    setBusy(true)
    setError(null)
    setReport(null)
    api.upload<ImportReport>('/api/imports/residents', file, type, file.name).then(
      (answer) => { setBusy(false); setReport(answer); past.reload() },
      (err: unknown) => { setBusy(false); setError(errorText(tr, err)) },
    )
  }
  const rows = report === null ? [] : onlyRefused ? report.rows.filter((r) => r.status === 'refused') : report.rows

  return (
    <div data-testid="import-page">
      <div class="page-head">
        <h1>{t('import.title')}</h1>
        <a class="btn" href="/api/imports/residents/template.csv" download data-testid="import-template">{t('import.template')}</a>
      </div>
      <form class="card edit-form" onSubmit={submit} data-testid="import-form">
        <p class="muted small">{t('import.intro')}</p>
        <div class="form-row">
          <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-label={t('import.file')}
            onChange={(e) => { setFile(e.currentTarget.files?.[0] ?? null); setError(null) }} data-testid="import-file" />
          <button type="submit" class="btn btn-primary" disabled={file === null || busy} data-testid="import-submit">{busy ? t('import.uploading') : t('import.upload')}</button>
        </div>
        {error !== null && <div class="notice notice-error" role="alert" data-testid="import-error">{error}</div>}
      </form>

      {report !== null && (
        <section class="card" data-testid="import-report" data-import-id={report.importId}>
          <header class="card-head">
            <h2>{t('import.report')}</h2>
            <span data-testid="import-summary">
              {t('import.summary', { total: report.rowsTotal, accepted: report.rowsAccepted, refused: report.rowsRefused })}
            </span>
            <label class="inline"><input type="checkbox" checked={onlyRefused} onChange={(e) => setOnlyRefused(e.currentTarget.checked)} data-testid="import-only-refused" /> {t('import.onlyRefused')}</label>
          </header>
          <div class="card-body">
            <table class="table compact" data-testid="import-rows">
              <thead><tr><th>{t('import.row')}</th><th>{t('import.status')}</th><th>{t('import.resident')}</th><th>{t('import.problems')}</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.row} data-testid="import-row" data-row={r.row} data-status={r.status} class={r.status === 'refused' ? 'row-refused' : ''}>
                    <td class="mono">{r.row}</td>
                    <td>{r.status === 'accepted' ? <span class="badge badge-good">{t('import.accepted')}</span> : <span class="badge badge-bad">{t('import.refused')}</span>}</td>
                    <td>{r.residentId ? <a href={href('residents', r.residentId)}>{r.residentId}</a> : '—'}</td>
                    <td class="small">{r.problems.length === 0 ? '' : <ul class="problems">{r.problems.map((p, i) => <li key={i}>{p}</li>)}</ul>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section class="card" data-testid="import-history">
        <header class="card-head"><h2>{t('import.history')}</h2></header>
        <div class="card-body">
          <ErrorBox error={past.error} onRetry={past.reload} />
          {past.data === null ? (past.loading ? <Loading /> : null) : past.data.items.length === 0 ? <div class="muted">{t('app.noData')}</div> : (
            <table class="table compact">
              <thead><tr><th>{t('import.receivedAt')}</th><th>{t('import.file')}</th><th>{t('import.by')}</th><th>{t('import.counts')}</th></tr></thead>
              <tbody>
                {past.data.items.map((p, i) => (
                  <tr key={p.importId ?? p.id ?? i} data-testid="import-history-row" data-import-id={p.importId ?? p.id ?? ''}>
                    <td class="small">{p.receivedAt ? dateTime(p.receivedAt, tr.lang) : '—'}</td>
                    <td>{p.fileName ?? '—'}</td>
                    <td>{p.staff?.fullName ?? p.staffName ?? '—'}</td>
                    <td>{t('import.summary', { total: p.rowsTotal ?? '—', accepted: p.rowsAccepted ?? '—', refused: p.rowsRefused ?? '—' })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </section>
    </div>
  )
}
