// Finds a resident by name, address or id (GET /api/residents?q=) and hands the chosen one back: used to add
// someone to a household and to bind a device.
import { useState } from 'preact/hooks'
import { api } from '../api/client.ts'
import type { Page, ResidentSummary } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { ErrorBox } from './common.tsx'

/** Search residents by name, address or id and pick one; used by households and device binding. */
export function ResidentPicker({ onPick, actionLabel, testid }: { onPick: (r: ResidentSummary) => void; actionLabel: string; testid: string }) {
  const tr = useI18n()
  const { t } = tr
  const [q, setQ] = useState('')
  const [results, setResults] = useState<ResidentSummary[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const search = (e: Event): void => {
    e.preventDefault()
    if (q.trim() === '') return
    api.get<Page<ResidentSummary>>('/api/residents', { q: q.trim(), limit: 10 }).then((p) => { setResults(p.items); setError(null) }, setError)
  }
  return (
    <div class="picker" data-testid={testid}>
      <form class="form-row" onSubmit={search}>
        <input type="search" value={q} placeholder={t('resident.search')} aria-label={t('resident.search')} onInput={(e) => setQ(e.currentTarget.value)} data-testid="picker-search" />
        <button type="submit" class="btn btn-small" data-testid="picker-search-submit">{t('app.search')}</button>
      </form>
      <ErrorBox error={error} />
      {results !== null && (results.length === 0 ? <div class="muted small">{t('resident.empty')}</div> : (
        <ul class="picker-results">
          {results.map((r) => (
            <li key={r.id} data-testid="picker-option" data-resident-id={r.id}>
              <span><strong>{r.fullName}</strong> <span class="muted small">{r.areaName} · {r.address}</span></span>
              <button type="button" class="btn btn-small btn-primary" data-testid="picker-choose" onClick={() => onPick(r)}>{actionLabel}</button>
            </li>
          ))}
        </ul>
      ))}
    </div>
  )
}
