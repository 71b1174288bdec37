// A resident's contacts over the last 7 days (每天至少联系1次) and, for those who may, logging one: the desk
// logs a call or a visit, a carer or doctor only a visit (the server decides whose; its refusal is shown).
import { useState } from 'preact/hooks'
import { ApiError, api, enc } from '../api/client.ts'
import type { ContactSignal, ResidentContacts } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime, isoToLocalInput, localInputToIso } from '../lib/format.ts'
import { can } from '../lib/permissions.ts'
import { href } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { ErrorBox, Loading, Section, errorText } from './common.tsx'

type LoggableKind = 'call' | 'visit'

export function ContactLogSection({ residentId }: { residentId: string }) {
  const tr = useI18n()
  const { t, tc } = tr
  const { user } = useSession()
  const contacts = useLoad(() => api.get<ResidentContacts>(`/api/residents/${enc(residentId)}/contacts`, { days: 7 }), [residentId])
  const kinds: LoggableKind[] = can(user.role, 'alarms.act') ? ['call', 'visit'] : can(user.role, 'responder') ? ['visit'] : []
  const data = contacts.data

  return (
    <Section title={`${t('contactLog.title')} · ${t('contactLog.days')}`} testid="contact-log">
      <ErrorBox error={contacts.error} onRetry={contacts.reload} />
      {data === null ? (contacts.loading ? <Loading /> : null) : (
        <>
          {data.days.length > 0 && (
            <div class="badges" data-testid="contact-log-days">
              {data.days.map((d) => (
                <span key={d.date} class={`badge ${d.status === 'missed' ? 'badge-bad' : 'badge-good'}`} data-testid="contact-log-day" data-date={d.date} data-status={d.status}>
                  {d.date} {tc('dcStatus', d.status)}
                  {d.alarmId !== null && <> · <a href={href('alarms', d.alarmId)}>{t('dc.alarm')}</a></>}
                </span>
              ))}
            </div>
          )}
          {data.items.length === 0 ? <div class="muted" data-testid="contact-log-empty">{t('contactLog.empty')}</div> : (
            <table class="table compact">
              <thead><tr><th>{t('contactLog.kind')}</th><th>{t('contactLog.at')}</th><th>{t('contactLog.by')}</th></tr></thead>
              <tbody>
                {data.items.map((c: ContactSignal) => (
                  <tr key={c.id} data-testid="contact-log-row" data-kind={c.kind} data-signal-id={c.id}>
                    <td>{tc('contactKind', c.kind)}</td>
                    <td class="small">{dateTime(c.at, tr.lang)}</td>
                    <td class="small">{c.by ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {kinds.length > 0 && <LogForm residentId={residentId} kinds={kinds} onLogged={contacts.reload} />}
    </Section>
  )
}

function LogForm({ residentId, kinds, onLogged }: { residentId: string; kinds: LoggableKind[]; onLogged: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [kind, setKind] = useState<LoggableKind>(kinds[0] ?? 'visit')
  const [at, setAt] = useState(() => isoToLocalInput(new Date().toISOString()))
  const [notes, setNotes] = useState('')
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)

  const submit = (e: Event): void => {
    e.preventDefault()
    setBusy(true)
    setMessage(null)
    const body: Record<string, string> = { kind }
    if (at !== '') body.at = localInputToIso(at)
    if (notes.trim() !== '') body.notes = notes.trim()
    api.post<ContactSignal>(`/api/residents/${enc(residentId)}/contacts`, body).then(
      () => {
        setBusy(false)
        setNotes('')
        setAt(isoToLocalInput(new Date().toISOString()))
        setMessage({ tone: 'ok', text: t('contactLog.saved') })
        onLogged()
      },
      (err: unknown) => {
        setBusy(false)
        // A refusal (403) says why — e.g. not the assigned carer — so the server's words are shown with it.
        const base = errorText(tr, err)
        const why = err instanceof ApiError && err.status === 403 && err.message !== '' && !base.includes(err.message) ? ` ${err.message}` : ''
        setMessage({ tone: 'error', text: base + why })
      },
    )
  }

  return (
    <form class="inline-form" onSubmit={submit} data-testid="contact-log-form">
      <h3>{t('contactLog.add')}</h3>
      <div class="form-row">
        <label>
          {t('contactLog.kind')}{' '}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as LoggableKind)} data-testid="contact-log-kind">
            {kinds.map((k) => <option key={k} value={k}>{tc('contactKind', k)}</option>)}
          </select>
        </label>
        <label>
          {t('contactLog.at')}{' '}
          <input type="datetime-local" value={at} max={isoToLocalInput(new Date().toISOString())} onInput={(e) => setAt(e.currentTarget.value)} data-testid="contact-log-at" />
        </label>
      </div>
      {kinds.length === 1 && <div class="muted small">{t('contactLog.visitOnly')}</div>}
      <label class="field">
        <span>{t('contactLog.notes')}</span>
        <textarea rows={2} maxLength={2000} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} data-testid="contact-log-notes" />
      </label>
      {message !== null && (
        <div class={`notice ${message.tone === 'ok' ? 'notice-ok' : 'notice-error'}`} role={message.tone === 'ok' ? 'status' : 'alert'} data-testid="contact-log-message" data-tone={message.tone}>
          {message.text}
        </div>
      )}
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="contact-log-submit">{t('contactLog.submit')}</button>
      </div>
    </form>
  )
}
