// On-call rotations: who is on duty now for each role, the rotation editor (members in order, start date,
// handoff time, shift length, active weekdays) and temporary overrides.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import { ROTATION_ROLES, type Rotation, type StaffRef } from '../api/types.ts'
import { ErrorBox, Loading, Section, errorText } from '../components/common.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime, isoDate, isoToLocalInput, localInputToIso } from '../lib/format.ts'
import { can } from '../lib/permissions.ts'
import { useSession } from '../lib/session.tsx'

type OnDuty = { at: string; onDuty: string[] }

async function loadStaff(): Promise<StaffRef[]> {
  const out: StaffRef[] = []
  let cursor: string | null = null
  for (let i = 0; i < 10; i += 1) {
    const page: { items: StaffRef[]; nextCursor?: string | null } = await api.get('/api/staff', { limit: 200, cursor })
    out.push(...page.items)
    cursor = page.nextCursor ?? null
    if (cursor === null) break
  }
  return out
}

export function SchedulesPage() {
  const tr = useI18n()
  const { t, tc } = tr
  const session = useSession()
  const mayEdit = can(session.user.role, 'schedules.write')
  const rotations = useLoad(() => api.get<{ items: Rotation[] }>('/api/schedules'), [])
  const staff = useLoad(loadStaff, [])
  const onDuty = useLoad(
    () => Promise.all(ROTATION_ROLES.map((role) => api.get<OnDuty>('/api/on-duty', { role }).then((r) => [role, r] as const))),
    [],
  )
  const [drafts, setDrafts] = useState<Rotation[]>([])
  const names = useMemo(() => new Map((staff.data ?? []).map((s) => [s.id, s])), [staff.data])
  const nameOf = (id: string): string => names.get(id)?.fullName ?? id

  const refresh = (): void => {
    rotations.reload()
    onDuty.reload()
  }

  const newRotation = (): void => {
    setDrafts((d) => [...d, {
      id: '', role: 'operator', areaId: session.user.areaId, timezone: session.user.timezone || 'Asia/Shanghai', members: [],
      startDate: isoDate(new Date()), handoffTime: '08:00', shiftHours: 12, activeDays: null, overrides: [],
    }])
  }

  return (
    <div>
      <div class="page-head">
        <h1>{t('schedule.title')}</h1>
        {mayEdit && <button type="button" class="btn btn-primary" data-testid="rotation-new" onClick={newRotation}>+ {t('schedule.new')}</button>}
      </div>
      <Section title={t('schedule.onDuty')} testid="on-duty" actions={<button type="button" class="btn btn-small" onClick={onDuty.reload}>{t('app.reload')}</button>}>
        <ErrorBox error={onDuty.error} onRetry={onDuty.reload} />
        {onDuty.data === null ? <Loading /> : (
          <div class="onduty-grid">
            {onDuty.data.map(([role, r]) => (
              <div class="onduty" key={role} data-testid="on-duty-role" data-role={role}>
                <div class="onduty-role">{tc('role', role)}</div>
                <div class="onduty-names">{r.onDuty.length === 0 ? <span class="warn-text">{t('schedule.nobody')}</span> : r.onDuty.map(nameOf).join('、')}</div>
              </div>
            ))}
          </div>
        )}
      </Section>
      <ErrorBox error={rotations.error ?? staff.error} onRetry={refresh} />
      {rotations.data === null ? <Loading /> : (
        <div data-testid="rotation-list">
          {rotations.data.items.length === 0 && drafts.length === 0 && <div class="muted">{t('schedule.empty')}</div>}
          {rotations.data.items.map((r) => (
            <RotationEditor key={r.id} rotation={r} isNew={false} staff={staff.data ?? []} mayEdit={mayEdit} nameOf={nameOf} onChanged={refresh} />
          ))}
          {drafts.map((r, i) => (
            <RotationEditor key={`new-${i}`} rotation={r} isNew staff={staff.data ?? []} mayEdit={mayEdit} nameOf={nameOf}
              onChanged={() => { setDrafts((d) => d.filter((_, j) => j !== i)); refresh() }}
              onDiscard={() => setDrafts((d) => d.filter((_, j) => j !== i))} />
          ))}
        </div>
      )}
    </div>
  )
}

function RotationEditor({ rotation, isNew, staff, mayEdit, nameOf, onChanged, onDiscard }: {
  rotation: Rotation
  isNew: boolean
  staff: StaffRef[]
  mayEdit: boolean
  nameOf: (id: string) => string
  onChanged: () => void
  onDiscard?: () => void
}) {
  const tr = useI18n()
  const { t, tc } = tr
  const [r, setR] = useState<Rotation>(rotation)
  const [addMember, setAddMember] = useState('')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => setR(rotation), [rotation])
  const set = <K extends keyof Rotation>(key: K, value: Rotation[K]): void => setR((cur) => ({ ...cur, [key]: value }))
  const candidates = staff.filter((s) => s.active && s.role === r.role && !r.members.includes(s.id))
  const move = (i: number, by: number): void => {
    const m = [...r.members]
    const j = i + by
    if (j < 0 || j >= m.length) return
    ;[m[i], m[j]] = [m[j]!, m[i]!]
    set('members', m)
  }
  const days = r.activeDays ?? []

  const save = (e: Event): void => {
    e.preventDefault()
    const id = r.id.trim()
    if (id === '') return
    const { overrides: _overrides, ...body } = { ...r, id, areaId: r.areaId === '' ? null : r.areaId, activeDays: r.activeDays && r.activeDays.length > 0 ? [...r.activeDays].sort((a, b) => a - b) : null }
    setBusy(true)
    api.put(`/api/schedules/${enc(id)}`, body).then(
      () => { setBusy(false); setMessage({ ok: true, text: t('app.saved') }); onChanged() },
      (err: unknown) => { setBusy(false); setMessage({ ok: false, text: errorText(tr, err) }) },
    )
  }
  const remove = (): void => {
    if (isNew) { onDiscard?.(); return }
    if (!window.confirm(t('app.confirmDelete'))) return
    api.del(`/api/schedules/${enc(r.id)}`).then(onChanged, (err: unknown) => setMessage({ ok: false, text: errorText(tr, err) }))
  }

  return (
    <form class="card rotation" onSubmit={save} data-testid="rotation" data-rotation-id={rotation.id}>
      <header class="card-head">
        <h2>{isNew ? t('schedule.new') : <>{tc('role', r.role)} · <span class="mono">{r.id}</span></>}</h2>
      </header>
      <div class="card-body">
        {message && <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role="status" data-testid="rotation-message">{message.text}</div>}
        <fieldset disabled={!mayEdit} class="plain">
          <div class="form-grid">
            {isNew && (
              <label class="field"><span>{t('schedule.id')}</span><input required pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" value={r.id} onInput={(e) => set('id', e.currentTarget.value)} data-testid="rotation-id" /></label>
            )}
            <label class="field">
              <span>{t('schedule.role')}</span>
              <select value={r.role} onChange={(e) => set('role', e.currentTarget.value as Rotation['role'])} data-testid="rotation-role">
                {ROTATION_ROLES.map((x) => <option key={x} value={x}>{tc('role', x)}</option>)}
              </select>
            </label>
            <label class="field"><span>{t('schedule.area')}</span><input value={r.areaId ?? ''} placeholder={t('schedule.areaAll')} onInput={(e) => set('areaId', e.currentTarget.value)} data-testid="rotation-area" /></label>
            <label class="field"><span>{t('schedule.timezone')}</span><input value={r.timezone} onInput={(e) => set('timezone', e.currentTarget.value)} data-testid="rotation-timezone" /></label>
            <label class="field"><span>{t('schedule.startDate')}</span><input type="date" value={r.startDate} onInput={(e) => set('startDate', e.currentTarget.value)} data-testid="rotation-start" /></label>
            <label class="field"><span>{t('schedule.handoff')}</span><input type="time" value={r.handoffTime} onInput={(e) => set('handoffTime', e.currentTarget.value)} data-testid="rotation-handoff" /></label>
            <label class="field"><span>{t('schedule.shiftHours')}</span><input type="number" min={1} max={168} value={r.shiftHours} onInput={(e) => set('shiftHours', Number(e.currentTarget.value))} data-testid="rotation-shift-hours" /></label>
          </div>
          <fieldset class="checks">
            <legend>{t('schedule.activeDays')}{days.length === 0 && <span class="muted small"> ({t('schedule.everyDay')})</span>}</legend>
            {[1, 2, 3, 4, 5, 6, 7].map((d) => (
              <label key={d}>
                <input type="checkbox" checked={days.includes(d)} data-testid={`rotation-day-${d}`}
                  onChange={(e) => set('activeDays', e.currentTarget.checked ? [...days, d] : days.filter((x) => x !== d))} />
                {' '}{t(`day.${d}` as 'day.1')}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('schedule.members')}</legend>
            <ol class="members" data-testid="rotation-members">
              {r.members.map((m, i) => (
                <li key={m} data-staff-id={m}>
                  <span>{nameOf(m)}</span>
                  {mayEdit && (
                    <span class="member-buttons">
                      <button type="button" class="btn btn-small" aria-label={t('schedule.moveUp')} onClick={() => move(i, -1)} disabled={i === 0}>↑</button>
                      <button type="button" class="btn btn-small" aria-label={t('schedule.moveDown')} onClick={() => move(i, 1)} disabled={i === r.members.length - 1}>↓</button>
                      <button type="button" class="btn btn-small" onClick={() => set('members', r.members.filter((x) => x !== m))}>{t('schedule.remove')}</button>
                    </span>
                  )}
                </li>
              ))}
            </ol>
            {mayEdit && (
              <div class="form-row">
                <select value={addMember} onChange={(e) => setAddMember(e.currentTarget.value)} data-testid="rotation-member-select" aria-label={t('schedule.addMember')}>
                  <option value="">—</option>
                  {candidates.map((s) => <option key={s.id} value={s.id}>{s.fullName} ({s.id})</option>)}
                </select>
                <button type="button" class="btn btn-small" data-testid="rotation-member-add" disabled={addMember === ''} onClick={() => { set('members', [...r.members, addMember]); setAddMember('') }}>
                  + {t('schedule.addMember')}
                </button>
              </div>
            )}
          </fieldset>
        </fieldset>
        {mayEdit && (
          <div class="form-buttons">
            <button type="submit" class="btn btn-primary" disabled={busy} data-testid="rotation-save">{t('app.save')}</button>
            <button type="button" class="btn" onClick={remove} data-testid="rotation-delete">{isNew ? t('app.cancel') : t('app.delete')}</button>
          </div>
        )}
        {!isNew && <Overrides rotation={rotation} staff={staff} mayEdit={mayEdit} nameOf={nameOf} onChanged={onChanged} />}
      </div>
    </form>
  )
}

function Overrides({ rotation, staff, mayEdit, nameOf, onChanged }: { rotation: Rotation; staff: StaffRef[]; mayEdit: boolean; nameOf: (id: string) => string; onChanged: () => void }) {
  const tr = useI18n()
  const { t } = tr
  const start = new Date()
  start.setMinutes(0, 0, 0)
  const [staffId, setStaffId] = useState('')
  const [startsAt, setStartsAt] = useState(isoToLocalInput(start.toISOString()))
  const [endsAt, setEndsAt] = useState(isoToLocalInput(new Date(start.getTime() + rotation.shiftHours * 3_600_000).toISOString()))
  const [error, setError] = useState<string | null>(null)
  const candidates = staff.filter((s) => s.active && s.role === rotation.role)

  const add = (): void => {
    if (staffId === '') return
    setError(null)
    api.post(`/api/schedules/${enc(rotation.id)}/overrides`, { staffId, startsAt: localInputToIso(startsAt), endsAt: localInputToIso(endsAt) }).then(
      () => { setStaffId(''); onChanged() },
      (err: unknown) => setError(errorText(tr, err)),
    )
  }
  const remove = (overrideId: string): void => {
    api.del(`/api/schedules/${enc(rotation.id)}/overrides/${enc(overrideId)}`).then(onChanged, (err: unknown) => setError(errorText(tr, err)))
  }

  return (
    <fieldset class="overrides" data-testid="rotation-overrides">
      <legend>{t('schedule.overrides')}</legend>
      {error && <div class="notice notice-error" role="alert">{error}</div>}
      {rotation.overrides.length === 0 ? <div class="muted small">{t('schedule.noOverrides')}</div> : (
        <table class="table compact">
          <tbody>
            {rotation.overrides.map((o) => (
              <tr key={o.id} data-testid="override-row" data-override-id={o.id}>
                <td>{nameOf(o.staffId)}</td>
                <td class="small">{dateTime(o.startsAt, tr.lang)}</td>
                <td class="small">{dateTime(o.endsAt, tr.lang)}</td>
                <td>{mayEdit && <button type="button" class="btn btn-small" data-testid="override-remove" onClick={() => remove(o.id)}>{t('schedule.remove')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayEdit && (
        <div class="form-row">
          <select value={staffId} onChange={(e) => setStaffId(e.currentTarget.value)} aria-label={t('schedule.staff')} data-testid="override-staff">
            <option value="">{t('schedule.staff')}…</option>
            {candidates.map((s) => <option key={s.id} value={s.id}>{s.fullName}</option>)}
          </select>
          <label class="inline">{t('schedule.startsAt')} <input type="datetime-local" value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} data-testid="override-start" /></label>
          <label class="inline">{t('schedule.endsAt')} <input type="datetime-local" value={endsAt} onInput={(e) => setEndsAt(e.currentTarget.value)} data-testid="override-end" /></label>
          <button type="button" class="btn btn-small" disabled={staffId === ''} onClick={add} data-testid="override-add">+ {t('schedule.addOverride')}</button>
        </div>
      )}
    </fieldset>
  )
}
