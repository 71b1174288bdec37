// Care teams: the carers, doctors and nurses who look after an area together, with a lead. Anyone with
// staff.read sees them; administrators (staff.write) create, edit and disband them.
import { useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import type { CareTeam, StaffRef } from '../api/types.ts'
import { ErrorBox, Loading, errorText } from '../components/common.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { can } from '../lib/permissions.ts'
import { useSession } from '../lib/session.tsx'

export function CareTeamsPage() {
  const tr = useI18n()
  const { t } = tr
  const session = useSession()
  const teams = useLoad(() => api.get<{ items: CareTeam[] }>('/api/care-teams'), [])
  const staff = useLoad(() => api.get<{ items: StaffRef[] }>('/api/staff', { limit: 200 }), [])
  const [creating, setCreating] = useState(false)
  const mayEdit = can(session.user.role, 'staff.write')

  return (
    <div data-testid="care-teams-page">
      <div class="page-head">
        <h1>{t('careTeam.title')}</h1>
        {mayEdit && !creating && <button type="button" class="btn btn-primary" data-testid="care-team-new" onClick={() => setCreating(true)}>+ {t('careTeam.new')}</button>}
      </div>
      <ErrorBox error={teams.error} onRetry={teams.reload} />
      {creating && (
        <CareTeamEditor team={null} staff={staff.data?.items ?? []} onDone={() => { setCreating(false); teams.reload() }} onCancel={() => setCreating(false)} />
      )}
      {teams.data === null ? (teams.loading ? <Loading /> : null) : (
        <div data-testid="care-team-list">
          {teams.data.items.length === 0 && <div class="notice">{t('careTeam.empty')}</div>}
          {teams.data.items.map((team) => (
            <CareTeamCard key={team.id} team={team} staff={staff.data?.items ?? []} mayEdit={mayEdit} onChanged={teams.reload} />
          ))}
        </div>
      )}
    </div>
  )
}

function CareTeamCard({ team, staff, mayEdit, onChanged }: { team: CareTeam; staff: StaffRef[]; mayEdit: boolean; onChanged: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [editing, setEditing] = useState(false)
  if (editing) return <CareTeamEditor team={team} staff={staff} onDone={() => { setEditing(false); onChanged() }} onCancel={() => setEditing(false)} />
  return (
    <section class="card" data-testid="care-team" data-team-id={team.id}>
      <header class="card-head">
        <h2>{team.name} <span class="muted small mono">{team.id}</span></h2>
        {mayEdit && <button type="button" class="btn btn-small" data-testid="care-team-edit" onClick={() => setEditing(true)}>{t('app.edit')}</button>}
      </header>
      <div class="card-body">
        <div class="muted small">{t('resident.area')}: {team.areaId ?? t('app.all')} · {t('careTeam.lead')}: {team.lead?.fullName ?? '—'}</div>
        <ul class="member-list" data-testid="care-team-members">
          {team.members.map((m) => (
            <li key={m.id} data-staff-id={m.id}>
              {m.fullName} <span class="muted small">{tc('role', m.role)}</span>
              {team.lead?.id === m.id && <span class="badge badge-info">{t('careTeam.lead')}</span>}
            </li>
          ))}
        </ul>
      </div>
    </section>
  )
}

function CareTeamEditor({ team, staff, onDone, onCancel }: { team: CareTeam | null; staff: StaffRef[]; onDone: () => void; onCancel: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [id, setId] = useState(team?.id ?? '')
  const [name, setName] = useState(team?.name ?? '')
  const [areaId, setAreaId] = useState(team?.areaId ?? '')
  const [members, setMembers] = useState<string[]>(team?.members.map((m) => m.id) ?? [])
  const [leadId, setLeadId] = useState(team?.lead?.id ?? '')
  const [pick, setPick] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const known = new Map<string, StaffRef>([...(team?.members ?? []), ...staff].map((s) => [s.id, s]))
  const nameOf = (staffId: string): string => known.get(staffId)?.fullName ?? staffId
  const candidates = staff.filter((s) => s.active && !members.includes(s.id) && ['carer', 'doctor', 'supervisor'].includes(s.role))

  const save = (e: Event): void => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    const body = { name: name.trim(), memberIds: members, ...(areaId.trim() !== '' ? { areaId: areaId.trim() } : {}), ...(leadId !== '' ? { leadStaffId: leadId } : {}) }
    api.put(`/api/care-teams/${enc(id.trim())}`, body).then(
      () => { setBusy(false); onDone() },
      (err: unknown) => { setBusy(false); setError(errorText(tr, err)) },
    )
  }
  const remove = (): void => {
    if (team === null || !window.confirm(t('app.confirmDelete'))) return
    api.del(`/api/care-teams/${enc(team.id)}`).then(onDone, (err: unknown) => setError(errorText(tr, err)))
  }

  return (
    <form class="card edit-form" onSubmit={save} data-testid="care-team-editor">
      <h2>{team === null ? t('careTeam.new') : team.name}</h2>
      {error !== null && <div class="notice notice-error" role="alert" data-testid="care-team-message">{error}</div>}
      <div class="form-grid">
        <label class="field"><span>{t('careTeam.id')}</span><input value={id} required disabled={team !== null} onInput={(e) => setId(e.currentTarget.value)} data-testid="care-team-id" /></label>
        <label class="field"><span>{t('careTeam.name')}</span><input value={name} required onInput={(e) => setName(e.currentTarget.value)} data-testid="care-team-name" /></label>
        <label class="field"><span>{t('household.areaId')}</span><input value={areaId} onInput={(e) => setAreaId(e.currentTarget.value)} data-testid="care-team-area" /></label>
        <label class="field">
          <span>{t('careTeam.lead')}</span>
          <select value={leadId} onChange={(e) => setLeadId(e.currentTarget.value)} data-testid="care-team-lead">
            <option value="">{t('app.none')}</option>
            {members.map((m) => <option key={m} value={m}>{nameOf(m)}</option>)}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>{t('careTeam.members')}</legend>
        <ul class="member-list" data-testid="care-team-member-list">
          {members.map((m) => (
            <li key={m} data-staff-id={m}>
              {nameOf(m)} <span class="muted small">{tc('role', known.get(m)?.role ?? '')}</span>
              <button type="button" class="btn btn-small" data-testid="care-team-member-remove" onClick={() => { setMembers(members.filter((x) => x !== m)); if (leadId === m) setLeadId('') }}>
                {t('schedule.remove')}
              </button>
            </li>
          ))}
        </ul>
        <div class="form-row">
          <select value={pick} onChange={(e) => setPick(e.currentTarget.value)} aria-label={t('careTeam.addMember')} data-testid="care-team-member-select">
            <option value="">—</option>
            {candidates.map((s) => <option key={s.id} value={s.id}>{s.fullName} ({tc('role', s.role)})</option>)}
          </select>
          <button type="button" class="btn btn-small" disabled={pick === ''} data-testid="care-team-member-add" onClick={() => { setMembers([...members, pick]); setPick('') }}>
            + {t('careTeam.addMember')}
          </button>
        </div>
      </fieldset>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="care-team-save">{t('app.save')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
        {team !== null && <button type="button" class="btn btn-danger" data-testid="care-team-delete" onClick={remove}>{t('app.delete')}</button>}
      </div>
    </form>
  )
}
