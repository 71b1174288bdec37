// The care-registry sections of a resident's page: consent to processing their data (the current answer per
// purpose, the history, and a form to record a new one), the family-doctor contract (家庭医生签约), and the
// household they live in. Forms appear only for roles with residents.write; the server decides regardless.
import { useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import { CONSENT_GIVERS, CONSENT_PURPOSES, type Consents, type DoctorContract, type Household, type Page, type StaffRef } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime } from '../lib/format.ts'
import { href } from '../lib/router.ts'
import { ErrorBox, Loading, Section, errorText } from './common.tsx'

type Message = { ok: boolean; text: string } | null

function Notice({ message, testid }: { message: Message; testid: string }) {
  if (message === null) return null
  return <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role="status" data-testid={testid}>{message.text}</div>
}

export function ConsentSection({ residentId, mayEdit }: { residentId: string; mayEdit: boolean }) {
  const tr = useI18n()
  const { t, tc } = tr
  const consents = useLoad(() => api.get<Consents>(`/api/residents/${enc(residentId)}/consents`), [residentId])
  const [adding, setAdding] = useState(false)
  const [showHistory, setShowHistory] = useState(false)
  const [message, setMessage] = useState<Message>(null)
  const current = new Map((consents.data?.current ?? []).map((c) => [c.purpose, c]))

  return (
    <Section title={t('consent.title')} testid="consent-section"
      actions={mayEdit && !adding ? <button type="button" class="btn btn-small" data-testid="consent-new" onClick={() => { setMessage(null); setAdding(true) }}>+ {t('consent.record')}</button> : undefined}>
      <ErrorBox error={consents.error} onRetry={consents.reload} />
      <Notice message={message} testid="consent-message" />
      {adding && <ConsentForm residentId={residentId} onCancel={() => setAdding(false)} onSaved={() => { setAdding(false); setMessage({ ok: true, text: t('app.saved') }); consents.reload() }} />}
      {consents.data === null ? (consents.loading ? <Loading /> : null) : (
        <>
          <table class="table compact" data-testid="consent-current">
            <tbody>
              {CONSENT_PURPOSES.map((p) => {
                const c = current.get(p)
                const state = c === undefined ? 'none' : c.granted ? 'granted' : 'refused'
                return (
                  <tr key={p} data-testid="consent-purpose" data-purpose={p} data-state={state}>
                    <td>{tc('consentPurpose', p)}</td>
                    <td>
                      {state === 'granted' && <span class="badge badge-good">{t('consent.granted')}</span>}
                      {state === 'refused' && <span class="badge badge-bad">{t('consent.refused')}</span>}
                      {state === 'none' && <span class="badge badge-warn">{t('consent.none')}</span>}
                    </td>
                    <td class="small muted">{c ? `${tc('consentGiver', c.givenBy)} · ${dateTime(c.recordedAt, tr.lang)}` : ''}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          <button type="button" class="btn btn-small linklike" aria-expanded={showHistory} data-testid="consent-history-toggle" onClick={() => setShowHistory(!showHistory)}>
            {showHistory ? '▾' : '▸'} {t('consent.history')} ({consents.data.history.length})
          </button>
          {showHistory && (
            <table class="table compact" data-testid="consent-history">
              <thead><tr><th>{t('consent.recordedAt')}</th><th>{t('consent.purpose')}</th><th>{t('consent.answer')}</th><th>{t('consent.givenBy')}</th><th>{t('consent.recordedBy')}</th><th>{t('consent.evidence')}</th></tr></thead>
              <tbody>
                {consents.data.history.map((c, i) => (
                  <tr key={c.id ?? i} data-testid="consent-history-row" data-purpose={c.purpose}>
                    <td class="small">{dateTime(c.recordedAt, tr.lang)}</td>
                    <td>{tc('consentPurpose', c.purpose)}</td>
                    <td>{c.granted ? t('consent.granted') : t('consent.refused')}</td>
                    <td>{tc('consentGiver', c.givenBy)}{c.givenByName ? ` · ${c.givenByName}` : ''}</td>
                    <td class="small">{c.recordedBy?.fullName ?? '—'}</td>
                    <td class="small">{c.evidenceRef ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  )
}

function ConsentForm({ residentId, onCancel, onSaved }: { residentId: string; onCancel: () => void; onSaved: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [purpose, setPurpose] = useState<string>(CONSENT_PURPOSES[0])
  const [granted, setGranted] = useState(true)
  const [givenBy, setGivenBy] = useState<string>('self')
  const [givenByName, setGivenByName] = useState('')
  const [evidenceRef, setEvidenceRef] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = (e: Event): void => {
    e.preventDefault()
    const body: Record<string, unknown> = { purpose, granted, givenBy }
    if (givenByName.trim() !== '') body.givenByName = givenByName.trim()
    if (evidenceRef.trim() !== '') body.evidenceRef = evidenceRef.trim()
    setBusy(true)
    setError(null)
    api.post(`/api/residents/${enc(residentId)}/consents`, body).then(
      () => { setBusy(false); onSaved() },
      (err: unknown) => { setBusy(false); setError(errorText(tr, err)) },
    )
  }
  return (
    <form class="inline-form" onSubmit={submit} data-testid="consent-form">
      {error !== null && <div class="notice notice-error" role="alert" data-testid="consent-form-error">{error}</div>}
      <div class="form-grid">
        <label class="field">
          <span>{t('consent.purpose')}</span>
          <select value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)} data-testid="consent-purpose-select">
            {CONSENT_PURPOSES.map((p) => <option key={p} value={p}>{tc('consentPurpose', p)}</option>)}
          </select>
        </label>
        <fieldset class="checks">
          <legend>{t('consent.answer')}</legend>
          <label><input type="radio" name="consent-granted" checked={granted} onChange={() => setGranted(true)} data-testid="consent-granted" /> {t('consent.granted')}</label>
          <label><input type="radio" name="consent-granted" checked={!granted} onChange={() => setGranted(false)} data-testid="consent-refused" /> {t('consent.refused')}</label>
        </fieldset>
        <label class="field">
          <span>{t('consent.givenBy')}</span>
          <select value={givenBy} onChange={(e) => setGivenBy(e.currentTarget.value)} data-testid="consent-given-by">
            {CONSENT_GIVERS.map((g) => <option key={g} value={g}>{tc('consentGiver', g)}</option>)}
          </select>
        </label>
        <label class="field">
          <span>{t('consent.givenByName')}</span>
          <input value={givenByName} required={givenBy !== 'self'} onInput={(e) => setGivenByName(e.currentTarget.value)} data-testid="consent-given-by-name" />
        </label>
        <label class="field">
          <span>{t('consent.evidence')}</span>
          <input value={evidenceRef} placeholder={t('consent.evidenceHint')} onInput={(e) => setEvidenceRef(e.currentTarget.value)} data-testid="consent-evidence" />
        </label>
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="consent-save">{t('app.save')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}

export function DoctorContractSection({ residentId, mayEdit, onSigned }: { residentId: string; mayEdit: boolean; onSigned: () => void }) {
  const tr = useI18n()
  const { t } = tr
  const contracts = useLoad(() => api.get<{ items: DoctorContract[] }>(`/api/residents/${enc(residentId)}/doctor-contracts`), [residentId])
  const [signing, setSigning] = useState(false)
  const [message, setMessage] = useState<Message>(null)
  const items = contracts.data?.items ?? []
  const current = items.find((c) => c.endedOn === null) ?? null
  const past = items.filter((c) => c !== current)

  return (
    <Section title={t('contract.title')} testid="doctor-contracts"
      actions={mayEdit && !signing ? <button type="button" class="btn btn-small" data-testid="contract-new" onClick={() => { setMessage(null); setSigning(true) }}>+ {t('contract.sign')}</button> : undefined}>
      <ErrorBox error={contracts.error} onRetry={contracts.reload} />
      <Notice message={message} testid="contract-message" />
      {signing && (
        <ContractForm residentId={residentId} onCancel={() => setSigning(false)}
          onSaved={() => { setSigning(false); setMessage({ ok: true, text: t('app.saved') }); contracts.reload(); onSigned() }} />
      )}
      {contracts.data === null ? (contracts.loading ? <Loading /> : null) : (
        <>
          <div data-testid="contract-current" data-contract-id={current?.id ?? ''}>
            {current === null ? <span class="badge badge-warn">{t('contract.none')}</span> : (
              <span>
                <strong>{current.doctor.fullName}</strong> · {t('contract.signedOn')} {current.signedOn}
                {current.expiresOn !== null && <> · {t('contract.expiresOn')} {current.expiresOn}</>}
              </span>
            )}
          </div>
          {past.length > 0 && (
            <table class="table compact" data-testid="contract-history">
              <thead><tr><th>{t('contract.doctor')}</th><th>{t('contract.signedOn')}</th><th>{t('contract.expiresOn')}</th><th>{t('contract.endedOn')}</th></tr></thead>
              <tbody>
                {past.map((c) => (
                  <tr key={c.id} data-testid="contract-row" data-contract-id={c.id}>
                    <td>{c.doctor.fullName}</td><td>{c.signedOn}</td><td>{c.expiresOn ?? '—'}</td><td>{c.endedOn ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  )
}

function ContractForm({ residentId, onCancel, onSaved }: { residentId: string; onCancel: () => void; onSaved: () => void }) {
  const tr = useI18n()
  const { t } = tr
  const doctors = useLoad(() => api.get<{ items: StaffRef[] }>('/api/staff', { role: 'doctor', limit: 200 }), [])
  const [doctorId, setDoctorId] = useState('')
  const [signedOn, setSignedOn] = useState(() => new Date().toISOString().slice(0, 10))
  const [expiresOn, setExpiresOn] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = (e: Event): void => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    api.post(`/api/residents/${enc(residentId)}/doctor-contracts`, { doctorId, signedOn, ...(expiresOn !== '' ? { expiresOn } : {}) }).then(
      () => { setBusy(false); onSaved() },
      (err: unknown) => { setBusy(false); setError(errorText(tr, err)) },
    )
  }
  return (
    <form class="inline-form" onSubmit={submit} data-testid="contract-form">
      {error !== null && <div class="notice notice-error" role="alert" data-testid="contract-form-error">{error}</div>}
      <p class="muted small">{t('contract.replaces')}</p>
      <div class="form-grid">
        <label class="field">
          <span>{t('contract.doctor')}</span>
          <select value={doctorId} required onChange={(e) => setDoctorId(e.currentTarget.value)} data-testid="contract-doctor">
            <option value="">—</option>
            {(doctors.data?.items ?? []).filter((d) => d.role === 'doctor' && d.active).map((d) => <option key={d.id} value={d.id}>{d.fullName}</option>)}
          </select>
        </label>
        <label class="field"><span>{t('contract.signedOn')}</span><input type="date" required value={signedOn} onInput={(e) => setSignedOn(e.currentTarget.value)} data-testid="contract-signed-on" /></label>
        <label class="field"><span>{t('contract.expiresOn')}</span><input type="date" value={expiresOn} onInput={(e) => setExpiresOn(e.currentTarget.value)} data-testid="contract-expires-on" /></label>
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy || doctorId === ''} data-testid="contract-save">{t('contract.sign')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}

/** The household link; writers move the resident into a household (picked by id or address) or out of one. */
export function HouseholdSection({ residentId, residentName, householdId: given, mayEdit, onChanged }: {
  residentId: string; residentName: string; householdId: string | null | undefined; mayEdit: boolean; onChanged: () => void
}) {
  const tr = useI18n()
  const { t } = tr
  const [changing, setChanging] = useState(false)
  const [q, setQ] = useState('')
  const [results, setResults] = useState<Household[] | null>(null)
  const [message, setMessage] = useState<Message>(null)
  // A resident record that does not say which household (the contract leaves it out) is found among the
  // households listing them as a member.
  const household = useLoad(async (): Promise<Household | null> => {
    if (given === null) return null
    if (given !== undefined) return api.get<Household>(`/api/households/${enc(given)}`)
    const found = await api.get<Page<Household>>('/api/households', { q: residentName, limit: 50 })
    return found.items.find((x) => x.members.some((m) => m.id === residentId)) ?? null
  }, [given, residentId, residentName])
  const h = household.data
  const householdId = given !== undefined ? given : household.loading ? undefined : (h?.id ?? null)
  const put = (next: string | null): void => {
    setMessage(null)
    api.put(`/api/residents/${enc(residentId)}/household`, { householdId: next }).then(
      () => { setChanging(false); setResults(null); setMessage({ ok: true, text: t('app.saved') }); household.reload(); onChanged() },
      (err: unknown) => setMessage({ ok: false, text: errorText(tr, err) }),
    )
  }
  const search = (e: Event): void => {
    e.preventDefault()
    api.get<Page<Household>>('/api/households', { q: q.trim(), limit: 10 }).then((p) => setResults(p.items), (err: unknown) => setMessage({ ok: false, text: errorText(tr, err) }))
  }
  return (
    <Section title={t('household.title')} testid="resident-household"
      actions={mayEdit && !changing ? <button type="button" class="btn btn-small" data-testid="resident-household-change" onClick={() => setChanging(true)}>{t('household.change')}</button> : undefined}>
      <Notice message={message} testid="resident-household-message" />
      {householdId === undefined && <Loading />}
      {householdId === null && <div class="muted" data-testid="resident-household-none">{t('household.none')}</div>}
      {householdId && (
        <div data-testid="resident-household-link" data-household-id={householdId}>
          <a href={href('households', householdId)}>{h?.address ?? householdId}</a>
          {h && <span class="muted small"> · {t('household.members')}: {h.members.length} · {t('household.carer')}: {h.assignedCarer?.fullName ?? '—'}</span>}
        </div>
      )}
      {changing && (
        <div class="inline-form" data-testid="resident-household-form">
          <form class="form-row" onSubmit={search}>
            <input type="search" value={q} placeholder={t('household.search')} aria-label={t('household.search')} onInput={(e) => setQ(e.currentTarget.value)} data-testid="resident-household-search" />
            <button type="submit" class="btn btn-small">{t('app.search')}</button>
          </form>
          {results !== null && (
            <ul class="picker-results">
              {results.length === 0 && <li class="muted small">{t('household.empty')}</li>}
              {results.map((x) => (
                <li key={x.id} data-testid="resident-household-option" data-household-id={x.id}>
                  <span>{x.address} <span class="muted small mono">{x.id}</span></span>
                  <button type="button" class="btn btn-small btn-primary" onClick={() => put(x.id)}>{t('household.moveIn')}</button>
                </li>
              ))}
            </ul>
          )}
          <div class="form-buttons">
            {householdId !== null && <button type="button" class="btn btn-small" data-testid="resident-household-leave" onClick={() => put(null)}>{t('household.leave')}</button>}
            <button type="button" class="btn btn-small" onClick={() => setChanging(false)}>{t('app.cancel')}</button>
          </div>
        </div>
      )}
    </Section>
  )
}
