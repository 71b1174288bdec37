// Households (定人包户): each home, who lives in it and the carer who answers for it. Roles with residents.write
// register and edit households and move residents in and out.
import { useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import type { Household, Page, StaffRef } from '../api/types.ts'
import { ErrorBox, Facts, Loading, Section, Tel, errorText } from '../components/common.tsx'
import { PagedTable } from '../components/PagedTable.tsx'
import { ResidentPicker } from '../components/ResidentPicker.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { useCursorPages } from '../lib/paging.ts'
import { can } from '../lib/permissions.ts'
import { href, navigate } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'

export function HouseholdsPage() {
  const tr = useI18n()
  const { t } = tr
  const session = useSession()
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [creating, setCreating] = useState(false)
  const pages = useCursorPages()
  const list = useLoad(() => api.get<Page<Household>>('/api/households', { q: query, limit: 50, cursor: pages.cursor }), [query, pages.cursor])
  const mayEdit = can(session.user.role, 'residents.write')

  return (
    <div data-testid="households-page">
      <div class="page-head">
        <h1>{t('household.title')}</h1>
        {mayEdit && !creating && <button type="button" class="btn btn-primary" data-testid="household-new" onClick={() => setCreating(true)}>+ {t('household.new')}</button>}
      </div>
      {creating && (
        <HouseholdForm household={null} onCancel={() => setCreating(false)} onSaved={(h) => { setCreating(false); navigate(href('households', h.id)) }} />
      )}
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); pages.reset(); setQuery(q.trim()) }}>
        <label>
          {t('app.search')}
          <input type="search" value={q} placeholder={t('household.search')} onInput={(e) => setQ(e.currentTarget.value)} data-testid="household-search" />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="household-search-submit">{t('app.search')}</button>
      </form>
      <PagedTable list={list} pages={pages} testid="household-list"
        columns={[t('household.id'), t('resident.address'), t('resident.area'), t('household.members'), t('household.carer')]}
        empty={t('household.empty')}
        row={(h) => (
          <tr key={h.id} class="clickable" data-testid="household-row" data-household-id={h.id} tabIndex={0}
            onClick={() => navigate(href('households', h.id))}
            onKeyDown={(e) => { if (e.key === 'Enter') navigate(href('households', h.id)) }}>
            <td class="mono"><a href={href('households', h.id)} onClick={(e) => e.stopPropagation()}>{h.id}</a></td>
            <td class="small">{h.address}</td>
            <td>{h.areaName ?? '—'}</td>
            <td>
              {h.members.length === 0 ? <span class="muted">—</span> : h.members.map((m) => m.fullName).join('、')}
              {h.members.length === 1 && <span class="badge badge-flag">{tr.tc('flag', 'living_alone')}</span>}
            </td>
            <td>{h.assignedCarer ? h.assignedCarer.fullName : <span class="badge badge-warn">{t('ledger.noCarer')}</span>}</td>
          </tr>
        )} />
    </div>
  )
}

export function HouseholdDetailPage({ id }: { id: string }) {
  const tr = useI18n()
  const { t } = tr
  const session = useSession()
  const household = useLoad(() => api.get<Household>(`/api/households/${enc(id)}`), [id])
  const [editing, setEditing] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const mayEdit = can(session.user.role, 'residents.write')
  if (household.data === null) return household.error !== null ? <ErrorBox error={household.error} onRetry={household.reload} /> : <Loading />
  const h = household.data

  const removeMember = (residentId: string): void => {
    setMessage(null)
    api.put(`/api/residents/${enc(residentId)}/household`, { householdId: null }).then(
      () => { setMessage({ ok: true, text: t('app.saved') }); household.reload() },
      (err: unknown) => setMessage({ ok: false, text: errorText(tr, err) }),
    )
  }

  return (
    <div class="detail" data-testid="household-detail" data-household-id={h.id}>
      <div class="page-head">
        <a href="#/households" class="btn btn-small">‹ {t('app.back')}</a>
        <h1>{h.address}</h1>
        <span class="muted mono">{h.id}</span>
        {mayEdit && !editing && <button type="button" class="btn btn-primary" data-testid="household-edit" onClick={() => setEditing(true)}>{t('app.edit')}</button>}
      </div>
      {editing && <HouseholdForm household={h} onCancel={() => setEditing(false)} onSaved={(next) => { household.setData(next); setEditing(false); household.reload() }} />}
      {message && <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role="status" data-testid="household-message">{message.text}</div>}
      <div class="detail-grid">
        <div class="col">
          <Section title={t('household.title')}>
            <Facts rows={[
              [t('resident.address'), h.address],
              [t('resident.area'), h.areaName ?? '—'],
              [t('resident.lat'), h.lat ?? '—'],
              [t('resident.lon'), h.lon ?? '—'],
            ]} />
          </Section>
          <Section title={t('household.carer')} testid="household-carer">
            {h.assignedCarer ? (
              <Facts rows={[[t('resident.name'), h.assignedCarer.fullName], [t('resident.phone'), <Tel phone={h.assignedCarer.phone} />]]} />
            ) : <span class="badge badge-warn">{t('ledger.noCarer')}</span>}
            <p class="muted small">{t('household.carerHint')}</p>
          </Section>
        </div>
        <div class="col">
          <Section title={t('household.members')} testid="household-members">
            {h.members.length === 0 ? <div class="muted">{t('household.noMembers')}</div> : (
              <table class="table compact">
                <tbody>
                  {h.members.map((m) => (
                    <tr key={m.id} data-testid="household-member" data-resident-id={m.id}>
                      <td><a href={href('residents', m.id)}>{m.fullName}</a> <span class="muted small mono">{m.id}</span></td>
                      <td>{t('resident.ageYears', { n: m.age })}</td>
                      <td>
                        {mayEdit && <button type="button" class="btn btn-small" data-testid="household-member-remove" onClick={() => removeMember(m.id)}>{t('household.removeMember')}</button>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {h.members.length === 1 && <p class="muted small">{t('household.aloneHint')}</p>}
            {mayEdit && <AddMember householdId={h.id} onAdded={() => { setMessage({ ok: true, text: t('app.saved') }); household.reload() }} />}
          </Section>
        </div>
      </div>
    </div>
  )
}

/** Picks a resident by name (GET /api/residents?q=) and moves them into this household. */
function AddMember({ householdId, onAdded }: { householdId: string; onAdded: () => void }) {
  const tr = useI18n()
  const { t } = tr
  const [error, setError] = useState<string | null>(null)
  return (
    <div class="inline-form" data-testid="household-add-member">
      <ResidentPicker
        testid="household-member-picker"
        onPick={(r) => {
          setError(null)
          api.put(`/api/residents/${enc(r.id)}/household`, { householdId }).then(onAdded, (err: unknown) => setError(errorText(tr, err)))
        }}
        actionLabel={t('household.addMember')}
      />
      {error !== null && <div class="notice notice-error" role="alert">{error}</div>}
    </div>
  )
}

function HouseholdForm({ household, onCancel, onSaved }: { household: Household | null; onCancel: () => void; onSaved: (h: Household) => void }) {
  const tr = useI18n()
  const { t } = tr
  const session = useSession()
  const [id, setId] = useState(household?.id ?? '')
  const [address, setAddress] = useState(household?.address ?? '')
  const [areaId, setAreaId] = useState(household?.areaId ?? session.user.areaId ?? '')
  const [lat, setLat] = useState(household?.lat === null || household?.lat === undefined ? '' : String(household.lat))
  const [lon, setLon] = useState(household?.lon === null || household?.lon === undefined ? '' : String(household.lon))
  const [carerId, setCarerId] = useState(household?.assignedCarer?.id ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const staff = useLoad(() => api.get<{ items: StaffRef[] }>('/api/staff', { role: 'carer', limit: 200 }), [])
  const carers = (staff.data?.items ?? []).filter((s) => s.role === 'carer' && s.active)
  const num = (v: string): number | null => (v.trim() === '' ? null : Number(v))

  const submit = (e: Event): void => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    if (household === null) {
      body.id = id.trim()
      body.address = address.trim()
      if (areaId.trim() !== '') body.areaId = areaId.trim()
      if (lat.trim() !== '') body.lat = num(lat)
      if (lon.trim() !== '') body.lon = num(lon)
      if (carerId !== '') body.assignedCarerId = carerId
    } else {
      if (address.trim() !== household.address) body.address = address.trim()
      if ((areaId.trim() || null) !== household.areaId) body.areaId = areaId.trim() || null
      if (num(lat) !== household.lat) body.lat = num(lat)
      if (num(lon) !== household.lon) body.lon = num(lon)
      if ((carerId || null) !== (household.assignedCarer?.id ?? null)) body.assignedCarerId = carerId || null
      if (Object.keys(body).length === 0) {
        setError(t('resident.noChanges'))
        return
      }
    }
    setBusy(true)
    setError(null)
    const request = household === null ? api.post<Household>('/api/households', body) : api.patch<Household>(`/api/households/${enc(household.id)}`, body)
    request.then(
      (saved) => { setBusy(false); onSaved(saved && typeof saved === 'object' && 'id' in saved ? saved : { ...(household as Household), id: id.trim() }) },
      (err: unknown) => { setBusy(false); setError(errorText(tr, err)) },
    )
  }

  return (
    <form class="card edit-form" onSubmit={submit} data-testid="household-form">
      <h2>{household === null ? t('household.new') : t('app.edit')}</h2>
      {error !== null && <div class="notice notice-error" role="alert" data-testid="household-form-error">{error}</div>}
      <div class="form-grid">
        {household === null && (
          <label class="field"><span>{t('household.id')}</span><input value={id} required onInput={(e) => setId(e.currentTarget.value)} data-testid="household-field-id" /></label>
        )}
        <label class="field"><span>{t('resident.address')}</span><input value={address} required onInput={(e) => setAddress(e.currentTarget.value)} data-testid="household-field-address" /></label>
        <label class="field"><span>{t('household.areaId')}</span><input value={areaId} disabled={session.user.areaId !== null} onInput={(e) => setAreaId(e.currentTarget.value)} data-testid="household-field-area" /></label>
        <label class="field"><span>{t('resident.lat')}</span><input inputMode="decimal" value={lat} onInput={(e) => setLat(e.currentTarget.value)} data-testid="household-field-lat" /></label>
        <label class="field"><span>{t('resident.lon')}</span><input inputMode="decimal" value={lon} onInput={(e) => setLon(e.currentTarget.value)} data-testid="household-field-lon" /></label>
        <label class="field">
          <span>{t('household.carer')}</span>
          <select value={carerId} onChange={(e) => setCarerId(e.currentTarget.value)} data-testid="household-field-carer">
            <option value="">{t('app.none')}</option>
            {household?.assignedCarer && !carers.some((c) => c.id === household.assignedCarer?.id) && <option value={household.assignedCarer.id}>{household.assignedCarer.fullName}</option>}
            {carers.map((c) => <option key={c.id} value={c.id}>{c.fullName}</option>)}
          </select>
        </label>
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="household-save">{t('app.save')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}
