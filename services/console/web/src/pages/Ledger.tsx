// The priority ledger (台账): people with a priority flag, each flag marked as found in the data (age, household,
// care level, diagnosis) or set by hand, with counts per flag and an export for the oversight body.
import { useMemo, useRef, useState } from 'preact/hooks'
import { api, withQuery } from '../api/client.ts'
import { RESIDENT_FLAGS, type LedgerItem, type LedgerPage as LedgerAnswer } from '../api/types.ts'
import { Tel } from '../components/common.tsx'
import { PagedTable } from '../components/PagedTable.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { useCursorPages } from '../lib/paging.ts'
import { href } from '../lib/router.ts'

type Source = 'derived' | 'manual' | 'both'

function sourceOf(item: LedgerItem, flag: string): Source {
  const derived = item.derived.includes(flag)
  const manual = item.manual.includes(flag)
  return derived && manual ? 'both' : derived ? 'derived' : 'manual'
}

export function LedgerPage() {
  const tr = useI18n()
  const { t, tc } = tr
  const [flag, setFlag] = useState('')
  const [area, setArea] = useState('')
  const pages = useCursorPages()
  const seenAreas = useRef(new Map<string, string>())
  const list = useLoad(
    () => api.get<LedgerAnswer>('/api/ledger', { flag, areaId: area, limit: 50, cursor: pages.cursor }),
    [flag, area, pages.cursor],
  )
  for (const r of list.data?.items ?? []) if (r.areaId !== null) seenAreas.current.set(r.areaId, r.areaName ?? r.areaId)
  const areas = useMemo(() => [...seenAreas.current.entries()].sort((a, b) => a[1].localeCompare(b[1])), [list.data])
  const counts = list.data?.counts ?? {}
  const exportHref = withQuery('/api/ledger.csv', { flag, areaId: area, lang: tr.lang === 'en' ? 'en' : undefined })
  const choose = (next: string): void => { pages.reset(); setFlag(next) }

  return (
    <div data-testid="ledger-page">
      <div class="page-head">
        <h1>{t('ledger.title')}</h1>
        <span class="muted small">{t('ledger.intro')}</span>
        <a class="btn" href={exportHref} download data-testid="ledger-export">{t('ledger.export')}</a>
      </div>
      <div class="filters">
        <div class="chips" role="group" aria-label={t('resident.flag')} data-testid="ledger-chips">
          <button type="button" class="chip-btn" aria-pressed={flag === ''} data-testid="ledger-chip" data-flag="" onClick={() => choose('')}>
            {t('app.all')}
          </button>
          {RESIDENT_FLAGS.map((f) => (
            <button key={f} type="button" class="chip-btn" aria-pressed={flag === f} data-testid="ledger-chip" data-flag={f} data-count={counts[f] ?? ''} onClick={() => choose(f)}>
              {tc('flag', f)} <span class="chip-count">{counts[f] ?? '–'}</span>
            </button>
          ))}
        </div>
        <label>
          {t('resident.area')}
          <select value={area} onChange={(e) => { pages.reset(); setArea(e.currentTarget.value) }} data-testid="ledger-filter-area">
            <option value="">{t('app.all')}</option>
            {areas.map(([id, name]) => <option key={id} value={id}>{name}</option>)}
          </select>
        </label>
      </div>
      <div class="legend small muted">
        <span class="badge badge-flag src-derived">{t('ledger.derived')}</span>
        <span class="badge badge-flag src-manual">{t('ledger.manual')}</span>
        <span class="badge badge-flag src-both">{t('ledger.both')}</span>
      </div>
      <PagedTable list={list} pages={pages} testid="ledger-table"
        columns={[t('resident.name'), t('resident.age'), t('resident.area'), t('resident.address'), t('resident.flags'), t('ledger.carer')]}
        empty={t('ledger.empty')} emptyTestid="ledger-empty"
        row={(r) => (
          <tr key={r.residentId} data-testid="ledger-row" data-resident-id={r.residentId}>
            <td><a href={href('residents', r.residentId)}><strong>{r.fullName}</strong></a> <span class="muted small mono">{r.residentId}</span></td>
            <td>{r.age}</td>
            <td>{r.areaName ?? '—'}</td>
            <td class="small">{r.address}</td>
            <td>
              <span class="badges">
                {r.flags.map((f) => {
                  const source = sourceOf(r, f)
                  return (
                    <span key={f} class={`badge badge-flag src-${source}`} data-testid="ledger-flag" data-flag={f} data-source={source}
                      title={t(`ledger.${source}`)}>
                      {tc('flag', f)}{source === 'manual' ? ' ✎' : source === 'both' ? ' ✓✎' : ''}
                    </span>
                  )
                })}
              </span>
            </td>
            <td data-testid="ledger-carer">
              {r.assignedCarer ? <>{r.assignedCarer.fullName} <Tel phone={r.assignedCarer.phone} /></> : <span class="badge badge-warn">{t('ledger.noCarer')}</span>}
            </td>
          </tr>
        )} />
    </div>
  )
}
