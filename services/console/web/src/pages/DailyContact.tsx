// Daily contact (每天至少联系1次) for one day of the organisation: who needed a contact, who was reached
// (first contact: how, when, by whom), who was missed (with the alarm it raised) and who is still pending
// before the cut-off; an export, and for administrators the rules (cut-off, whether device activity counts).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, withQuery } from '../api/client.ts'
import type { CareDutySettings, DailyContactReport, DailyContactStatus } from '../api/types.ts'
import { ErrorBox, Loading, errorText } from '../components/common.tsx'
import { ListTable } from '../components/PagedTable.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateInZone, timeInZone } from '../lib/format.ts'
import { can } from '../lib/permissions.ts'
import { href } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'

const STATUS_TONE: Record<DailyContactStatus, string> = { contacted: 'badge-good', missed: 'badge-bad', pending: 'badge-warn' }

export function DailyContactPage() {
  const tr = useI18n()
  const { t, tc } = tr
  const session = useSession()
  const [date, setDate] = useState(() => dateInZone(new Date(), session.user.timezone))
  const [area, setArea] = useState('')
  const seenAreas = useRef(new Map<string, string>())
  const report = useLoad(() => api.get<DailyContactReport>('/api/reports/daily-contact', { date, areaId: area }), [date, area])
  const settings = useLoad(() => api.get<CareDutySettings>('/api/orgs/care-duty-settings'), [])
  const r = report.data
  for (const i of r?.items ?? []) if (i.areaId !== null) seenAreas.current.set(i.areaId, i.areaName ?? i.areaId)
  const areas = useMemo(() => [...seenAreas.current.entries()].sort((a, b) => a[1].localeCompare(b[1])), [r])
  const zone = r?.timeZone ?? session.user.timezone
  const exportHref = withQuery('/api/reports/daily-contact.csv', { date, areaId: area, lang: tr.lang === 'en' ? 'en' : 'zh-CN' })

  return (
    <div data-testid="daily-contact-page">
      <div class="page-head">
        <h1>{t('dc.title')}</h1>
        <span class="muted small">{t('dc.intro')}</span>
        <a class="btn" href={exportHref} download data-testid="dc-export">⤓ {t('dc.export')}</a>
      </div>
      <div class="filters">
        <label>
          {t('dc.date')}
          <input type="date" value={date} required onInput={(e) => { if (e.currentTarget.value !== '') setDate(e.currentTarget.value) }} data-testid="dc-date" />
        </label>
        <label>
          {t('dc.area')}
          <select value={area} onChange={(e) => setArea(e.currentTarget.value)} data-testid="dc-filter-area">
            <option value="">{t('app.all')}</option>
            {areas.map(([id, name]) => <option key={id} value={id}>{name}</option>)}
          </select>
        </label>
        {r !== null && <span class="muted small">{t('dc.cutoffAt', { time: timeInZone(r.cutoff, zone, tr.lang), tz: zone })}</span>}
      </div>
      <ErrorBox error={report.error} onRetry={report.reload} />
      {r === null ? (report.loading ? <Loading /> : null) : (
        <>
          <div class="tiles">
            <Tile testid="dc-tile-required" label={t('dc.required')} value={r.required} />
            <Tile testid="dc-tile-contacted" label={t('dc.contacted')} value={r.contacted} tone={r.contacted > 0 ? 'tile-good' : ''} />
            <Tile testid="dc-tile-missed" label={t('dc.missed')} value={r.missed} tone={r.missed > 0 ? 'tile-bad' : ''} />
            <Tile testid="dc-tile-pending" label={t('dc.pending')} value={r.pending} tone={r.pending > 0 ? 'tile-warn' : ''} />
          </div>
          <ListTable items={r.items} testid="dc-table"
            columns={[t('dc.resident'), t('dc.area'), t('dc.status'), t('dc.kind'), t('dc.time'), t('dc.by')]}
            empty={t('dc.empty')} emptyTestid="dc-empty"
            row={(i) => (
              <tr key={i.residentId} data-testid="dc-row" data-resident-id={i.residentId} data-status={i.status}>
                <td><a href={href('residents', i.residentId)}>{i.fullName}</a></td>
                <td>{i.areaName ?? i.areaId ?? <span class="muted">{t('dc.noArea')}</span>}</td>
                <td>
                  <span class={`badge ${STATUS_TONE[i.status]}`} data-testid="dc-status">{tc('dcStatus', i.status)}</span>
                  {i.status === 'missed' && i.alarmId !== null && <> <a href={href('alarms', i.alarmId)} data-testid="dc-alarm">{t('dc.alarm')}</a></>}
                </td>
                <td>{i.firstContact ? tc('contactKind', i.firstContact.kind) : '—'}</td>
                <td>{i.firstContact ? timeInZone(i.firstContact.at, zone, tr.lang) : '—'}</td>
                <td>{i.firstContact?.by ?? '—'}</td>
              </tr>
            )} />
        </>
      )}
      <SettingsPanel settings={settings.data} error={settings.error} mayEdit={can(session.user.role, 'policies.write')}
        onSaved={(next) => { settings.setData(next); report.reload() }} />
    </div>
  )
}

function Tile({ testid, label, value, tone = '' }: { testid: string; label: string; value: number; tone?: string }) {
  return (
    <div class={`tile ${tone}`} data-testid={testid} data-count={value}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
    </div>
  )
}

function SettingsPanel({ settings, error, mayEdit, onSaved }: {
  settings: CareDutySettings | null; error: unknown; mayEdit: boolean; onSaved: (s: CareDutySettings) => void
}) {
  const tr = useI18n()
  const { t } = tr
  const [cutoff, setCutoff] = useState('')
  const [deviceCounts, setDeviceCounts] = useState(false)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  useEffect(() => {
    if (settings === null) return
    setCutoff(settings.contactCutoff)
    setDeviceCounts(settings.deviceActivityCounts)
  }, [settings])

  const submit = (e: Event): void => {
    e.preventDefault()
    setBusy(true)
    setMessage(null)
    api.put<CareDutySettings>('/api/orgs/care-duty-settings', { contactCutoff: cutoff, deviceActivityCounts: deviceCounts }).then(
      (next) => { setBusy(false); setMessage({ tone: 'ok', text: `${t('app.saved')}. ${t('dc.settingsHint')}` }); onSaved(next) },
      (err: unknown) => { setBusy(false); setMessage({ tone: 'error', text: errorText(tr, err) }) },
    )
  }

  return (
    <section class="card" data-testid="dc-settings">
      <header class="card-head"><h2>{t('dc.settings')}</h2></header>
      <div class="card-body">
        <ErrorBox error={error} />
        {settings !== null && (
          <p class="muted small" data-testid="dc-settings-current">
            {t('dc.settingsNow', { cutoff: settings.contactCutoff, tz: settings.timeZone, counts: t(settings.deviceActivityCounts ? 'dc.countsYes' : 'dc.countsNo') })}
          </p>
        )}
        {mayEdit && settings !== null && (
          <form class="form-row" onSubmit={submit} data-testid="dc-settings-form">
            <label>
              {t('dc.cutoff')}{' '}
              <input type="time" step={60} required value={cutoff} onInput={(e) => setCutoff(e.currentTarget.value.slice(0, 5))} data-testid="dc-settings-cutoff" />
            </label>
            <label>
              <input type="checkbox" checked={deviceCounts} onChange={(e) => setDeviceCounts(e.currentTarget.checked)} data-testid="dc-settings-device" /> {t('dc.deviceCounts')}
            </label>
            <button type="submit" class="btn btn-primary" disabled={busy || !/^\d{2}:\d{2}$/.test(cutoff)} data-testid="dc-settings-save">{t('app.save')}</button>
          </form>
        )}
        {message !== null && (
          <div class={`notice ${message.tone === 'ok' ? 'notice-ok' : 'notice-error'}`} role={message.tone === 'ok' ? 'status' : 'alert'} data-testid="dc-settings-message" data-tone={message.tone}>
            {message.text}
          </div>
        )}
      </div>
    </section>
  )
}
