// One resident: the card, care team, contacts, devices, recent alarms, the contact log, 24 h vitals, and (for roles with
// residents.write) an edit form that PATCHes only what changed.
import { useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import { CONDITIONS, RESIDENT_FLAGS, type Contact, type ResidentDetail, type StaffRef, type Vitals } from '../api/types.ts'
import { VitalsCharts } from '../components/charts.tsx'
import { ContactLogSection } from '../components/ContactLog.tsx'
import { ErrorBox, Facts, Loading, Section, SeverityBadge, StateBadge, errorText } from '../components/common.tsx'
import { DeviceTable } from '../components/DeviceTable.tsx'
import { LocationMap } from '../components/LocationMap.tsx'
import { ResidentCard } from '../components/ResidentCard.tsx'
import { ConsentSection, DoctorContractSection, HouseholdSection } from '../components/ResidentRegistry.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime } from '../lib/format.ts'
import { can } from '../lib/permissions.ts'
import { href } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'

export function ResidentDetailPage({ id }: { id: string }) {
  const tr = useI18n()
  const { t, tc } = tr
  const session = useSession()
  const resident = useLoad(() => api.get<ResidentDetail>(`/api/residents/${enc(id)}`), [id])
  const vitals = useLoad(() => api.get<Vitals>(`/api/residents/${enc(id)}/vitals`, { hours: 24 }), [id])
  const [editing, setEditing] = useState(false)
  const [saved, setSaved] = useState(false)
  const mayEdit = can(session.user.role, 'residents.write')

  if (resident.data === null) return resident.error !== null ? <ErrorBox error={resident.error} onRetry={resident.reload} /> : <Loading />
  const r = resident.data

  return (
    <div class="detail" data-testid="resident-detail" data-resident-id={r.id}>
      <div class="page-head">
        <a href="#/residents" class="btn btn-small">‹ {t('app.back')}</a>
        <h1>{r.fullName}</h1>
        <span class="muted mono">{r.id}</span>
        {mayEdit && !editing && (
          <button type="button" class="btn btn-primary" data-testid="resident-edit" onClick={() => { setSaved(false); setEditing(true) }}>
            {t('resident.edit')}
          </button>
        )}
      </div>
      {saved && <div class="notice notice-ok" role="status" data-testid="resident-saved">{t('app.saved')}</div>}
      {editing && (
        <ResidentEditForm
          resident={r}
          onCancel={() => setEditing(false)}
          onSaved={(next) => { resident.setData(next); setEditing(false); setSaved(true); resident.reload() }}
        />
      )}
      <div class="detail-grid">
        <div class="col">
          <ResidentCard resident={r} link={false} />
          <Section title={t('resident.recentAlarms')} testid="recent-alarms">
            {r.recentAlarms.length === 0 ? <div class="muted">{t('app.noData')}</div> : (
              <table class="table compact">
                <tbody>
                  {r.recentAlarms.map((a) => (
                    <tr key={a.id} data-alarm-id={a.id}>
                      <td><SeverityBadge severity={a.severity} /></td>
                      <td><a href={href('alarms', a.id)}>{tc('alarmType', a.type)}</a></td>
                      <td class="small">{dateTime(a.raisedAt, tr.lang)}</td>
                      <td><StateBadge state={a.state} /></td>
                      <td class="small">{a.outcome ? tc('outcome', a.outcome) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <ContactLogSection residentId={r.id} />
        </div>
        <div class="col">
          <Section title={t('resident.title')}>
            <Facts rows={[
              [t('resident.birthDate'), r.birthDate],
              [t('resident.area'), r.areaName],
              [t('resident.careLevel'), tc('careLevel', r.careLevel)],
              [t('resident.openAlarms'), r.openAlarms],
            ]} />
            {r.lat !== null && r.lon !== null && <LocationMap lat={r.lat} lon={r.lon} tileUrl={session.mapTileUrl ?? null} height={200} />}
          </Section>
          <HouseholdSection residentId={r.id} residentName={r.fullName} householdId={r.householdId} mayEdit={mayEdit} onChanged={resident.reload} />
          <DoctorContractSection residentId={r.id} mayEdit={mayEdit} onSigned={resident.reload} />
          <ConsentSection residentId={r.id} mayEdit={mayEdit} />
          <Section title={t('resident.devices')} testid="resident-devices">
            <DeviceTable devices={r.devices} />
          </Section>
          <Section title={t('resident.vitals')} testid="resident-vitals">
            {vitals.error !== null ? <ErrorBox error={vitals.error} /> : <VitalsCharts vitals={vitals.data} />}
          </Section>
        </div>
      </div>
    </div>
  )
}

type Draft = {
  fullName: string
  gender: string
  birthDate: string
  phone: string
  address: string
  livingSituation: string
  careLevel: string
  flags: string[]
  conditions: string[]
  medicationNotes: string
  lat: string
  lon: string
  assignedCarerId: string
  familyDoctorId: string
  contacts: Contact[]
}

function draftOf(r: ResidentDetail): Draft {
  return {
    fullName: r.fullName,
    gender: r.gender,
    birthDate: r.birthDate,
    phone: r.phone ?? '',
    address: r.address,
    livingSituation: r.livingSituation,
    careLevel: r.careLevel,
    flags: [...r.flags],
    conditions: [...r.conditions],
    medicationNotes: r.medicationNotes ?? '',
    lat: r.lat === null ? '' : String(r.lat),
    lon: r.lon === null ? '' : String(r.lon),
    assignedCarerId: r.assignedCarer?.id ?? '',
    familyDoctorId: r.familyDoctor?.id ?? '',
    contacts: [...r.contacts].sort((a, b) => a.position - b.position).map((c) => ({ ...c })),
  }
}

function changes(before: Draft, after: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
  for (const key of ['fullName', 'gender', 'birthDate', 'address', 'livingSituation', 'careLevel'] as const) {
    if (before[key] !== after[key]) out[key] = after[key].trim()
  }
  if (before.phone !== after.phone) out.phone = after.phone.trim() === '' ? null : after.phone.trim()
  if (before.medicationNotes !== after.medicationNotes) out.medicationNotes = after.medicationNotes.trim() === '' ? null : after.medicationNotes
  if (!same([...before.flags].sort(), [...after.flags].sort())) out.flags = after.flags
  if (!same([...before.conditions].sort(), [...after.conditions].sort())) out.conditions = after.conditions
  if (before.lat !== after.lat) out.lat = after.lat.trim() === '' ? null : Number(after.lat)
  if (before.assignedCarerId !== after.assignedCarerId) out.assignedCarerId = after.assignedCarerId === '' ? null : after.assignedCarerId
  if (before.familyDoctorId !== after.familyDoctorId) out.familyDoctorId = after.familyDoctorId === '' ? null : after.familyDoctorId
  if (before.lon !== after.lon) out.lon = after.lon.trim() === '' ? null : Number(after.lon)
  const contacts = after.contacts
    .filter((c) => c.fullName.trim() !== '' || c.phone.trim() !== '')
    .map((c, i) => ({ position: i + 1, fullName: c.fullName.trim(), relation: c.relation.trim(), phone: c.phone.trim() }))
  if (!same(before.contacts.map((c, i) => ({ position: i + 1, fullName: c.fullName, relation: c.relation, phone: c.phone })), contacts)) out.contacts = contacts
  return out
}

function toggle(list: string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((x) => x !== value)
}

function ResidentEditForm({ resident, onCancel, onSaved }: { resident: ResidentDetail; onCancel: () => void; onSaved: (r: ResidentDetail) => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [initial] = useState(() => draftOf(resident))
  const [d, setD] = useState<Draft>(() => draftOf(resident))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const staff = useLoad(() => api.get<{ items: StaffRef[] }>('/api/staff', { limit: 200 }), [])
  const staffOf = (role: string): StaffRef[] => (staff.data?.items ?? []).filter((x) => x.role === role && x.active)
  const set = <K extends keyof Draft>(key: K, value: Draft[K]): void => setD((cur) => ({ ...cur, [key]: value }))
  const setContact = (i: number, patch: Partial<Contact>): void =>
    setD((cur) => ({ ...cur, contacts: cur.contacts.map((c, j) => (j === i ? { ...c, ...patch } : c)) }))

  const submit = (e: Event): void => {
    e.preventDefault()
    const body = changes(initial, d)
    if (Object.keys(body).length === 0) {
      setError(t('resident.noChanges'))
      return
    }
    setBusy(true)
    setError(null)
    api.patch<ResidentDetail>(`/api/residents/${enc(resident.id)}`, body).then(
      (next) => {
        setBusy(false)
        onSaved(next && typeof next === 'object' && 'id' in next ? next : resident)
      },
      (err: unknown) => {
        setBusy(false)
        setError(errorText(tr, err))
      },
    )
  }

  const text = (key: 'fullName' | 'phone' | 'address' | 'lat' | 'lon', label: string, inputMode: 'text' | 'tel' | 'decimal' = 'text') => (
    <label class="field">
      <span>{label}</span>
      <input type="text" inputMode={inputMode} value={d[key]} onInput={(e) => set(key, e.currentTarget.value)} data-testid={`resident-field-${key}`} />
    </label>
  )

  return (
    <form class="card edit-form" onSubmit={submit} data-testid="resident-edit-form">
      <h2>{t('resident.edit')}</h2>
      {error !== null && <div class="notice notice-error" role="alert" data-testid="resident-edit-error">{error}</div>}
      <div class="form-grid">
        {text('fullName', t('resident.name'))}
        <label class="field">
          <span>{t('resident.gender')}</span>
          <select value={d.gender} onChange={(e) => set('gender', e.currentTarget.value)} data-testid="resident-field-gender">
            {['female', 'male'].map((g) => <option key={g} value={g}>{tc('gender', g)}</option>)}
          </select>
        </label>
        <label class="field">
          <span>{t('resident.birthDate')}</span>
          <input type="date" value={d.birthDate} onInput={(e) => set('birthDate', e.currentTarget.value)} data-testid="resident-field-birthDate" />
        </label>
        {text('phone', t('resident.phone'), 'tel')}
        {text('address', t('resident.address'))}
        <label class="field">
          <span>{t('resident.living')}</span>
          <select value={d.livingSituation} onChange={(e) => set('livingSituation', e.currentTarget.value)} data-testid="resident-field-livingSituation">
            {['alone', 'with_spouse', 'with_family', 'care_home'].map((x) => <option key={x} value={x}>{tc('living', x)}</option>)}
          </select>
        </label>
        <label class="field">
          <span>{t('resident.careLevel')}</span>
          <select value={d.careLevel} onChange={(e) => set('careLevel', e.currentTarget.value)} data-testid="resident-field-careLevel">
            {['independent', 'semi_dependent', 'dependent'].map((x) => <option key={x} value={x}>{tc('careLevel', x)}</option>)}
          </select>
        </label>
        <label class="field">
          <span>{t('resident.assignedCarer')}</span>
          <select value={d.assignedCarerId} onChange={(e) => set('assignedCarerId', e.currentTarget.value)} data-testid="resident-field-assignedCarer">
            <option value="">{t('app.none')}</option>
            {resident.assignedCarer && !staffOf('carer').some((x) => x.id === resident.assignedCarer?.id) && <option value={resident.assignedCarer.id}>{resident.assignedCarer.fullName}</option>}
            {staffOf('carer').map((x) => <option key={x.id} value={x.id}>{x.fullName}</option>)}
          </select>
        </label>
        <label class="field">
          <span>{t('resident.familyDoctor')}</span>
          <select value={d.familyDoctorId} onChange={(e) => set('familyDoctorId', e.currentTarget.value)} data-testid="resident-field-familyDoctor">
            <option value="">{t('app.none')}</option>
            {resident.familyDoctor && !staffOf('doctor').some((x) => x.id === resident.familyDoctor?.id) && <option value={resident.familyDoctor.id}>{resident.familyDoctor.fullName}</option>}
            {staffOf('doctor').map((x) => <option key={x.id} value={x.id}>{x.fullName}</option>)}
          </select>
        </label>
        {text('lat', t('resident.lat'), 'decimal')}
        {text('lon', t('resident.lon'), 'decimal')}
      </div>
      <fieldset class="checks">
        <legend>{t('resident.flags')}</legend>
        {RESIDENT_FLAGS.map((f) => (
          <label key={f}><input type="checkbox" checked={d.flags.includes(f)} onChange={(e) => set('flags', toggle(d.flags, f, e.currentTarget.checked))} data-testid={`resident-flag-${f}`} /> {tc('flag', f)}</label>
        ))}
      </fieldset>
      <fieldset class="checks">
        <legend>{t('resident.conditions')}</legend>
        {CONDITIONS.map((c) => (
          <label key={c}><input type="checkbox" checked={d.conditions.includes(c)} onChange={(e) => set('conditions', toggle(d.conditions, c, e.currentTarget.checked))} /> {tc('condition', c)}</label>
        ))}
      </fieldset>
      <label class="field">
        <span>{t('resident.medication')}</span>
        <textarea rows={3} value={d.medicationNotes} onInput={(e) => set('medicationNotes', e.currentTarget.value)} data-testid="resident-field-medicationNotes" />
      </label>
      <fieldset>
        <legend>{t('resident.contacts')}</legend>
        {d.contacts.map((c, i) => (
          <div class="form-row" key={i} data-testid="contact-row">
            <span class="muted">{i + 1}.</span>
            <input aria-label={t('resident.contactName')} placeholder={t('resident.contactName')} value={c.fullName} onInput={(e) => setContact(i, { fullName: e.currentTarget.value })} />
            <input aria-label={t('resident.contactRelation')} placeholder={t('resident.contactRelation')} value={c.relation} onInput={(e) => setContact(i, { relation: e.currentTarget.value })} />
            <input aria-label={t('resident.contactPhone')} placeholder={t('resident.contactPhone')} type="tel" value={c.phone} onInput={(e) => setContact(i, { phone: e.currentTarget.value })} />
            <button type="button" class="btn btn-small" onClick={() => setD((cur) => ({ ...cur, contacts: cur.contacts.filter((_, j) => j !== i) }))}>{t('schedule.remove')}</button>
          </div>
        ))}
        <button type="button" class="btn btn-small" data-testid="contact-add" onClick={() => setD((cur) => ({ ...cur, contacts: [...cur.contacts, { position: cur.contacts.length + 1, fullName: '', relation: '', phone: '' }] }))}>
          + {t('resident.addContact')}
        </button>
      </fieldset>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="resident-save">{t('app.save')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}
