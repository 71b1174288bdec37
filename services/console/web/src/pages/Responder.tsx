// The responder's phone view: my open tasks, big buttons for the next step of each, one tap to call the
// resident or a contact, and the phone's position sent with every step when the browser allows it.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api, enc } from '../api/client.ts'
import { OUTCOMES, type MyTask } from '../api/types.ts'
import { Badge, ErrorBox, Loading, SeverityBadge, StateBadge, Tel, errorText } from '../components/common.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useNow } from '../lib/feed.ts'
import { dateTime, duration, mapLink, ms, timeOfDay } from '../lib/format.ts'

const POLL_MS = 5000
const CLOSED = new Set(['completed', 'cancelled'])

/** The latest position the browser gave us; asking never delays an action. */
function usePosition(): { current: { lat: number; lon: number } | null } {
  const position = useRef<{ lat: number; lon: number } | null>(null)
  useEffect(() => {
    if (!('geolocation' in navigator)) return
    let id: number | null = null
    try {
      id = navigator.geolocation.watchPosition(
        (p) => { position.current = { lat: p.coords.latitude, lon: p.coords.longitude } },
        () => undefined,
        { enableHighAccuracy: true, maximumAge: 60_000, timeout: 20_000 },
      )
    } catch {
      id = null
    }
    return () => { if (id !== null) navigator.geolocation.clearWatch(id) }
  }, [])
  return position
}

export function ResponderPage() {
  const tr = useI18n()
  const { t } = tr
  const [tasks, setTasks] = useState<MyTask[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const position = usePosition()

  const load = useCallback(() => {
    api.get<{ items: MyTask[] }>('/api/me/tasks').then(
      (r) => { setTasks(r.items); setError(null) },
      (err: unknown) => setError(err),
    )
  }, [])

  useEffect(() => {
    load()
    const id = setInterval(() => { if (document.visibilityState !== 'hidden') load() }, POLL_MS)
    const onFocus = (): void => load()
    const onVisible = (): void => { if (document.visibilityState === 'visible') load() }
    window.addEventListener('focus', onFocus)
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      clearInterval(id)
      window.removeEventListener('focus', onFocus)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [load])

  const open = (tasks ?? []).filter((x) => !CLOSED.has(x.task.state))
  const closed = (tasks ?? []).filter((x) => CLOSED.has(x.task.state))

  return (
    <div class="responder">
      <div class="page-head">
        <h1>{t('resp.title')}</h1>
        <button type="button" class="btn btn-small" onClick={load} data-testid="tasks-reload">{t('app.reload')}</button>
      </div>
      <ErrorBox error={error} onRetry={load} />
      {tasks === null ? (error === null ? <Loading /> : null) : (
        <div class="task-list" data-testid="task-list">
          {open.length === 0 && <div class="notice" data-testid="tasks-empty">{t('resp.empty')}</div>}
          {open.map((x) => <TaskCard key={x.task.taskId} item={x} position={position} onDone={load} />)}
          {closed.length > 0 && (
            <details class="closed-tasks">
              <summary>{t('resp.closedTasks')} ({closed.length})</summary>
              {closed.map((x) => <TaskCard key={x.task.taskId} item={x} position={position} onDone={load} />)}
            </details>
          )}
        </div>
      )}
    </div>
  )
}

function TaskCard({ item, position, onDone }: { item: MyTask; position: { current: { lat: number; lon: number } | null }; onDone: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const { task, alarm, resident } = item
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [outcome, setOutcome] = useState('')
  const [notes, setNotes] = useState('')
  const now = useNow(1000)

  const send = (action: 'accept' | 'decline' | 'depart' | 'arrive' | 'complete', extra: Record<string, unknown> = {}): void => {
    setBusy(true)
    setMessage(null)
    const where = position.current
    api.post(`/api/tasks/${enc(task.taskId)}/actions`, { action, ...extra, ...(where ? { lat: where.lat, lon: where.lon } : {}) }).then(
      () => { setBusy(false); setMessage({ ok: true, text: t('resp.updated') }); onDone() },
      (err: unknown) => { setBusy(false); setMessage({ ok: false, text: errorText(tr, err) }); onDone() },
    )
  }
  const acknowledge = (): void => {
    setBusy(true)
    setMessage(null)
    api.post(`/api/alarms/${enc(alarm.id)}/acknowledge`, { expectedVersion: alarm.version }).then(
      () => { setBusy(false); setMessage({ ok: true, text: t('resp.updated') }); onDone() },
      (err: unknown) => { setBusy(false); setMessage({ ok: false, text: errorText(tr, err) }); onDone() },
    )
  }

  const s = task.state
  const raised = ms(alarm.raisedAt)
  const mapHref = resident.lat !== null && resident.lon !== null
    ? mapLink(resident.lat, resident.lon)
    : `https://www.openstreetmap.org/search?query=${encodeURIComponent(resident.address)}`
  const contacts = [...resident.contacts].sort((a, b) => a.position - b.position)

  return (
    <article class={`task-card sevrow-${alarm.severity}`} data-testid="task-card" data-task-id={task.taskId} data-state={s} data-alarm-id={alarm.id}>
      <header class="task-head">
        <SeverityBadge severity={alarm.severity} />
        <strong class="task-type">{tc('alarmType', alarm.type)}</strong>
        <Badge tone={s === 'offered' ? 'warn' : CLOSED.has(s) ? 'neutral' : 'info'}><span data-testid="task-state">{tc('taskState', s)}</span></Badge>
      </header>
      <div class="task-resident">
        <div class="task-name">{resident.fullName} <span class="muted">{t('resident.ageYears', { n: resident.age })}</span></div>
        <div class="task-when muted">
          {timeOfDay(alarm.raisedAt, tr.lang)}
          {raised !== null && <> · {t('resp.raised', { t: duration((now - raised) / 1000, tr.lang) })}</>}
          {' · '}<StateBadge state={alarm.state} />
        </div>
        <a class="task-address" href={mapHref} target="_blank" rel="noopener noreferrer" data-testid="task-map">➤ {resident.address} <span class="muted">({t('resp.navigate')})</span></a>
        {s === 'offered' && task.offerExpiresAt && <OfferDeadline at={task.offerExpiresAt} now={now} />}
        {(s === 'accepted' || s === 'en_route') && task.arrivalDueAt && <div class="muted">{t('resp.arrivalDue', { t: timeOfDay(task.arrivalDueAt, tr.lang) })}</div>}
      </div>
      <div class="task-calls">
        {resident.phone && <a class="btn btn-call" href={`tel:${resident.phone.replace(/[^\d+]/g, '')}`} data-testid="task-call-resident">☎ {t('resp.callResident')}</a>}
        {contacts.map((c) => (
          <span key={`${c.position}-${c.phone}`} class="task-contact">
            {c.fullName} <span class="muted">({c.relation})</span> <Tel phone={c.phone} />
          </span>
        ))}
      </div>
      {message && <div class={`notice ${message.ok ? 'notice-ok' : 'notice-error'}`} role={message.ok ? 'status' : 'alert'} data-testid="task-message">{message.text}</div>}
      {!CLOSED.has(s) && (
        <div class="task-actions">
          {(alarm.state === 'raised' || alarm.state === 'notified') && (
            <button type="button" class="btn btn-big btn-primary" disabled={busy} onClick={acknowledge} data-testid="alarm-acknowledge">✓ {t('resp.acknowledge')}</button>
          )}
          {s === 'offered' && (
            <>
              <button type="button" class="btn btn-big btn-good" disabled={busy} onClick={() => send('accept')} data-testid="task-accept">{t('resp.accept')}</button>
              <button type="button" class="btn btn-big" disabled={busy} onClick={() => send('decline')} data-testid="task-decline">{t('resp.decline')}</button>
            </>
          )}
          {s === 'accepted' && (
            <button type="button" class="btn btn-big btn-primary" disabled={busy} onClick={() => send('depart')} data-testid="task-depart">➜ {t('resp.depart')}</button>
          )}
          {(s === 'accepted' || s === 'en_route') && (
            <button type="button" class="btn btn-big btn-good" disabled={busy} onClick={() => send('arrive')} data-testid="task-arrive">⚑ {t('resp.arrive')}</button>
          )}
          {s === 'arrived' && (
            <form class="complete-form" onSubmit={(e) => { e.preventDefault(); if (outcome !== '') send('complete', { outcome, ...(notes.trim() !== '' ? { notes: notes.trim() } : {}) }) }}>
              <label class="field">
                <span>{t('resp.outcome')}</span>
                <select required value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} data-testid="task-outcome">
                  <option value="" disabled>{t('act.chooseOutcome')}</option>
                  {OUTCOMES.map((o) => <option key={o} value={o}>{tc('outcome', o)}</option>)}
                </select>
              </label>
              <label class="field">
                <span>{t('resp.notes')}</span>
                <textarea rows={2} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} data-testid="task-notes" />
              </label>
              <button type="submit" class="btn btn-big btn-primary" disabled={busy || outcome === ''} data-testid="task-complete">✓ {t('resp.complete')}</button>
            </form>
          )}
        </div>
      )}
      {CLOSED.has(s) && task.outcome && <div class="muted">{t('detail.outcome')}: {tc('outcome', task.outcome)}</div>}
    </article>
  )
}

/** "Answer by 00:30:22 (1 min 5 s left)": on a phone the countdown is what matters. */
function OfferDeadline({ at, now }: { at: string; now: number }) {
  const tr = useI18n()
  const due = ms(at)
  const left = due === null ? null : Math.max(0, (due - now) / 1000)
  return (
    <div class="warn-text">
      {left === null ? tr.t('resp.offerExpires', { t: dateTime(at, tr.lang) }) : tr.t('resp.offerLeft', { t: timeOfDay(at, tr.lang), left: duration(left, tr.lang) })}
    </div>
  )
}
