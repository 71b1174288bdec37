// The resident register: search by name/address/id, filter by area and priority-ledger flag, page through.
import { useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../api/client.ts'
import { RESIDENT_FLAGS, type Page, type ResidentSummary } from '../api/types.ts'
import { FlagBadges } from '../components/common.tsx'
import { PagedTable } from '../components/PagedTable.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { useCursorPages } from '../lib/paging.ts'
import { href, navigate } from '../lib/router.ts'

export function ResidentsPage() {
  const tr = useI18n()
  const { t, tc } = tr
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [area, setArea] = useState('')
  const [flag, setFlag] = useState('')
  const pages = useCursorPages()
  const seenAreas = useRef(new Map<string, string>())

  const list = useLoad(
    () => api.get<Page<ResidentSummary>>('/api/residents', { q: query, areaId: area, flag, limit: 50, cursor: pages.cursor }),
    [query, area, flag, pages.cursor],
  )
  for (const r of list.data?.items ?? []) seenAreas.current.set(r.areaId, r.areaName)
  const areas = useMemo(() => [...seenAreas.current.entries()].sort((a, b) => a[1].localeCompare(b[1])), [list.data])

  return (
    <div>
      <div class="page-head"><h1>{t('resident.title')}</h1></div>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); pages.reset(); setQuery(q.trim()) }}>
        <label>
          {t('app.search')}
          <input type="search" value={q} placeholder={t('resident.search')} onInput={(e) => setQ(e.currentTarget.value)} data-testid="resident-search" />
        </label>
        <label>
          {t('resident.area')}
          <select value={area} onChange={(e) => { pages.reset(); setArea(e.currentTarget.value) }} data-testid="resident-filter-area">
            <option value="">{t('app.all')}</option>
            {areas.map(([id, name]) => <option key={id} value={id}>{name}</option>)}
          </select>
        </label>
        <label>
          {t('resident.flag')}
          <select value={flag} onChange={(e) => { pages.reset(); setFlag(e.currentTarget.value) }} data-testid="resident-filter-flag">
            <option value="">{t('app.all')}</option>
            {RESIDENT_FLAGS.map((f) => <option key={f} value={f}>{tc('flag', f)}</option>)}
          </select>
        </label>
        <button type="submit" class="btn btn-primary" data-testid="resident-search-submit">{t('app.search')}</button>
      </form>
      <PagedTable list={list} pages={pages} testid="resident-list"
        columns={[t('resident.name'), t('resident.age'), t('resident.gender'), t('resident.area'), t('resident.address'), t('resident.living'), t('resident.flags'), t('resident.openAlarms'), t('resident.devices')]}
        empty={t('resident.empty')}
        row={(r) => (
          <tr key={r.id} class="clickable" data-testid="resident-row" data-resident-id={r.id} tabIndex={0}
            onClick={() => navigate(href('residents', r.id))}
            onKeyDown={(e) => { if (e.key === 'Enter') navigate(href('residents', r.id)) }}>
            <td><a href={href('residents', r.id)} onClick={(e) => e.stopPropagation()}><strong>{r.fullName}</strong></a> <span class="muted small mono">{r.id}</span></td>
            <td>{r.age}</td>
            <td>{tc('gender', r.gender)}</td>
            <td>{r.areaName}</td>
            <td class="small">{r.address}</td>
            <td>{tc('living', r.livingSituation)}</td>
            <td><FlagBadges flags={r.flags} /></td>
            <td>{r.openAlarms > 0 ? <span class="badge badge-bad">{r.openAlarms}</span> : <span class="muted">0</span>}</td>
            <td>{r.devices}</td>
          </tr>
        )} />
    </div>
  )
}
