// The lifecycle actions on one alarm. A button is enabled only when the alarm's state allows the step and
// the role may act; the forms that need more (a call note, a responder, an outcome, a reason) open inline.
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api/client.ts'
import { OUTCOMES, type AlarmState, type AlarmSummary, type ResponderOption, type Role } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { distance } from '../lib/format.ts'
import { can } from '../lib/permissions.ts'
import { ErrorBox, Loading, Section } from './common.tsx'

type Act = (path: string, body: Record<string, unknown>, withVersion?: boolean) => Promise<boolean>
type Form = 'call' | 'dispatch' | 'resolve' | 'reopen' | null

const TERMINAL: readonly AlarmState[] = ['resolved', 'closed']
const UNACKNOWLEDGED: readonly AlarmState[] = ['raised', 'notified']

export function allowedActions(state: AlarmState) {
  const terminal = TERMINAL.includes(state)
  return {
    acknowledge: UNACKNOWLEDGED.includes(state),
    call: true,
    dispatch: !terminal && state !== 'on_scene',
    requestVisit: !terminal && state !== 'on_scene',
    escalate: !terminal,
    resolve: !terminal,
    reopen: terminal,
  }
}

export function ActionPanel({ alarm, role, act }: { alarm: AlarmSummary; role: Role; act: Act }) {
  const tr = useI18n()
  const { t, tc } = tr
  const mayAct = can(role, 'alarms.act')
  const allowed = allowedActions(alarm.state)
  const [form, setForm] = useState<Form>(null)
  const [busy, setBusy] = useState(false)

  const run = async (fn: () => Promise<boolean>): Promise<void> => {
    setBusy(true)
    const ok = await fn()
    setBusy(false)
    if (ok) setForm(null)
  }
  const toggle = (f: Form): void => setForm((cur) => (cur === f ? null : f))
  const off = (ok: boolean): boolean => !mayAct || busy || !ok

  return (
    <Section title={t('detail.actions')} testid="alarm-actions">
      {!mayAct && <div class="muted small">{t('detail.readOnly')}</div>}
      <div class="actions">
        <button type="button" class="btn btn-primary btn-big" data-testid="action-acknowledge" disabled={off(allowed.acknowledge)} onClick={() => void run(() => act('/acknowledge', {}))}>
          ✓ {t('act.acknowledge')}
        </button>
        <button type="button" class="btn" data-testid="action-call" aria-expanded={form === 'call'} disabled={off(allowed.call)} onClick={() => toggle('call')}>
          ☎ {t('act.call')}
        </button>
        <button type="button" class="btn" data-testid="action-dispatch" aria-expanded={form === 'dispatch'} disabled={off(allowed.dispatch)} onClick={() => toggle('dispatch')}>
          ➜ {t('act.dispatch')}
        </button>
        <button type="button" class="btn" data-testid="action-request-visit" disabled={off(allowed.requestVisit)} onClick={() => void run(() => act('/tasks', {}, false))}>
          ⌂ {t('act.requestVisit')}
        </button>
        <button type="button" class="btn btn-warn" data-testid="action-escalate" disabled={off(allowed.escalate)} onClick={() => void run(() => act('/escalate', {}))}>
          ⇑ {t('act.escalate')}
        </button>
        <button type="button" class="btn" data-testid="action-resolve" aria-expanded={form === 'resolve'} disabled={off(allowed.resolve)} onClick={() => toggle('resolve')}>
          ■ {t('act.resolve')}
        </button>
        <button type="button" class="btn" data-testid="action-reopen" aria-expanded={form === 'reopen'} disabled={off(allowed.reopen)} onClick={() => toggle('reopen')}>
          ↺ {t('act.reopen')}
        </button>
      </div>
      {mayAct && form === 'call' && <CallForm busy={busy} onCancel={() => setForm(null)} onSubmit={(body) => void run(() => act('/calls', body, false))} />}
      {mayAct && form === 'dispatch' && <DispatchPicker alarmId={alarm.id} busy={busy} onCancel={() => setForm(null)} onSubmit={(responderId) => void run(() => act('/dispatch', { responderId }))} />}
      {mayAct && form === 'resolve' && (
        <ResolveForm busy={busy} onCancel={() => setForm(null)} onSubmit={(body) => void run(() => act('/resolve', body))} />
      )}
      {mayAct && form === 'reopen' && (
        <ReopenForm busy={busy} onCancel={() => setForm(null)} onSubmit={(reason) => void run(() => act('/reopen', { reason }))} />
      )}
      <span class="sr-only">{tc('state', alarm.state)}</span>
    </Section>
  )
}

function CallForm({ busy, onSubmit, onCancel }: { busy: boolean; onSubmit: (b: Record<string, unknown>) => void; onCancel: () => void }) {
  const { t } = useI18n()
  const [to, setTo] = useState('resident')
  const [name, setName] = useState('')
  const [outcome, setOutcome] = useState('answered')
  const [notes, setNotes] = useState('')
  return (
    <form class="inline-form" data-testid="call-form" onSubmit={(e) => {
      e.preventDefault()
      onSubmit({ to, outcome, ...(name.trim() !== '' ? { name: name.trim() } : {}), ...(notes.trim() !== '' ? { notes: notes.trim() } : {}) })
    }}>
      <div class="form-row">
        <label class="field">
          <span>{t('act.callTo')}</span>
          <select value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="call-to">
            {(['resident', 'contact', 'responder', '120'] as const).map((x) => <option key={x} value={x}>{t(`callTo.${x}`)}</option>)}
          </select>
        </label>
        <label class="field">
          <span>{t('act.callName')}</span>
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="call-name" />
        </label>
        <label class="field">
          <span>{t('act.callOutcome')}</span>
          <select value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} data-testid="call-outcome">
            {(['answered', 'no_answer', 'busy', 'wrong_number'] as const).map((x) => <option key={x} value={x}>{t(`callOutcome.${x}`)}</option>)}
          </select>
        </label>
      </div>
      <label class="field">
        <span>{t('act.notes')}</span>
        <textarea rows={2} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} data-testid="call-notes" />
      </label>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="call-confirm">{t('act.save')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}

function DispatchPicker({ alarmId, busy, onSubmit, onCancel }: { alarmId: string; busy: boolean; onSubmit: (id: string) => void; onCancel: () => void }) {
  const tr = useI18n()
  const { t, tc } = tr
  const [items, setItems] = useState<ResponderOption[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [chosen, setChosen] = useState<string | null>(null)
  useEffect(() => {
    let cancelled = false
    api.get<{ items: ResponderOption[] }>('/api/responders', { alarmId }).then(
      (r) => {
        if (cancelled) return
        const sorted = [...r.items].sort((a, b) => (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity))
        setItems(sorted)
        const first = sorted.find((x) => x.available) ?? sorted[0]
        if (first) setChosen(first.staffId)
      },
      (err: unknown) => { if (!cancelled) setError(err) },
    )
    return () => { cancelled = true }
  }, [alarmId])
  return (
    <div class="inline-form" data-testid="dispatch-picker">
      <h3>{t('act.pickResponder')}</h3>
      <ErrorBox error={error} />
      {items === null && error === null && <Loading />}
      {items !== null && items.length === 0 && <div class="muted">{t('act.noResponders')}</div>}
      {items !== null && items.length > 0 && (
        <div class="responder-list" role="radiogroup" aria-label={t('act.pickResponder')}>
          {items.map((r) => {
            const d = distance(r.distanceM)
            return (
              <button
                type="button"
                key={r.staffId}
                role="radio"
                aria-checked={chosen === r.staffId}
                class={`responder-option ${chosen === r.staffId ? 'chosen' : ''} ${r.available ? '' : 'unavailable'}`}
                data-testid="responder-option"
                data-staff-id={r.staffId}
                data-available={String(r.available)}
                onClick={() => setChosen(r.staffId)}
              >
                <span class="ro-name">{r.fullName} <span class="muted">{tc('role', r.role)}</span></span>
                <span class="ro-meta">
                  <span class={r.available ? 'good-text' : 'warn-text'}>{r.available ? t('act.available') : t('act.busy')}</span>
                  {' · '}{d !== null ? t('act.distance', { d }) : t('act.distanceUnknown')}
                  {' · '}{t('act.openTasks', { n: r.openTasks })}
                  {r.phone && <> · {r.phone}</>}
                </span>
              </button>
            )
          })}
        </div>
      )}
      <div class="form-buttons">
        <button type="button" class="btn btn-primary" disabled={busy || chosen === null} data-testid="dispatch-confirm" onClick={() => chosen !== null && onSubmit(chosen)}>
          {t('act.dispatchConfirm')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </div>
  )
}

function ResolveForm({ busy, onSubmit, onCancel }: { busy: boolean; onSubmit: (b: Record<string, unknown>) => void; onCancel: () => void }) {
  const { t, tc } = useI18n()
  const [outcome, setOutcome] = useState('')
  const [notes, setNotes] = useState('')
  return (
    <form class="inline-form" data-testid="resolve-form" onSubmit={(e) => {
      e.preventDefault()
      if (outcome === '') return
      onSubmit({ outcome, ...(notes.trim() !== '' ? { notes: notes.trim() } : {}) })
    }}>
      <label class="field">
        <span>{t('detail.outcome')}</span>
        <select required value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} data-testid="resolve-outcome">
          <option value="" disabled>{t('act.chooseOutcome')}</option>
          {OUTCOMES.map((o) => <option key={o} value={o}>{tc('outcome', o)}</option>)}
        </select>
      </label>
      <label class="field">
        <span>{t('act.notes')}</span>
        <textarea rows={2} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} data-testid="resolve-notes" />
      </label>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy || outcome === ''} data-testid="resolve-confirm">{t('act.resolveConfirm')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}

function ReopenForm({ busy, onSubmit, onCancel }: { busy: boolean; onSubmit: (reason: string) => void; onCancel: () => void }) {
  const { t } = useI18n()
  const [reason, setReason] = useState('')
  return (
    <form class="inline-form" data-testid="reopen-form" onSubmit={(e) => {
      e.preventDefault()
      if (reason.trim() !== '') onSubmit(reason.trim())
    }}>
      <label class="field">
        <span>{t('act.reason')}</span>
        <textarea rows={2} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} data-testid="reopen-reason" />
      </label>
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled={busy || reason.trim() === ''} data-testid="reopen-confirm">{t('act.reopenConfirm')}</button>
        <button type="button" class="btn" onClick={onCancel}>{t('app.cancel')}</button>
      </div>
    </form>
  )
}
