// Small shared pieces: translated errors, severity and state badges, the initials avatar, person names.
import type { ComponentChildren } from 'preact'
import { ApiError } from '../api/client.ts'
import type { AlarmState, Person, Severity } from '../api/types.ts'
import { useI18n, type Translator } from '../i18n/i18n.tsx'
import { initials } from '../lib/format.ts'

/** A thrown error as the user should read it: the translated code, plus the server's detail when it helps. */
export function errorText(tr: Translator, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'too_many_attempts' && error.retryAfterSeconds !== null) return tr.t('login.tooMany', { s: error.retryAfterSeconds })
    const known = tr.has('error', error.code)
    const base = known ? tr.t(`error.${error.code}` as never) : tr.t('error.generic')
    // Validation and conflict messages name the fields or what the alarm looks like now: worth showing.
    const showDetail = error.message !== '' && (!known || error.status === 400 || error.status === 409 || error.status === 404)
    if (!showDetail) return base
    return tr.lang === 'en' ? `${base} (${error.message})` : `${base}（${error.message}）`
  }
  if (error instanceof Error) return `${tr.t('error.generic')}: ${error.message}`
  return tr.t('error.generic')
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const tr = useI18n()
  if (error === null || error === undefined) return null
  return (
    <div class="notice notice-error" role="alert" data-testid="error">
      <span>{errorText(tr, error)}</span>
      {onRetry !== undefined && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          {tr.t('app.retry')}
        </button>
      )}
    </div>
  )
}

export function Loading() {
  const tr = useI18n()
  return <div class="loading" aria-live="polite">{tr.t('app.loading')}</div>
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  const tr = useI18n()
  return (
    <span class={`sev sev-${severity}`} data-severity={severity}>
      <span class="sev-dot" aria-hidden="true" />
      {tr.tc('severity', severity)}
    </span>
  )
}

export function StateBadge({ state, testid }: { state: AlarmState | string; testid?: string }) {
  const tr = useI18n()
  return (
    <span class={`state state-${state}`} data-state={state} data-testid={testid}>
      {tr.tc('state', state)}
    </span>
  )
}

export function Badge({ children, tone = 'neutral' }: { children: ComponentChildren; tone?: 'neutral' | 'warn' | 'bad' | 'good' | 'info' }) {
  return <span class={`badge badge-${tone}`}>{children}</span>
}

export function FlagBadges({ flags }: { flags: string[] }) {
  const tr = useI18n()
  if (flags.length === 0) return <span class="muted">—</span>
  return (
    <span class="badges" data-testid="flag-badges">
      {flags.map((f) => (
        <span key={f} class={`badge badge-flag flag-${f}`} data-flag={f}>
          {tr.tc('flag', f)}
        </span>
      ))}
    </span>
  )
}

export function Avatar({ name, size = 56 }: { name: string; size?: number }) {
  const tr = useI18n()
  return (
    <span class="avatar" style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size / 2.8)}px` }} role="img" aria-label={tr.t('resident.photo', { name })}>
      {initials(name)}
    </span>
  )
}

export function personName(tr: Translator, person: Person | null | undefined): string {
  if (person === null || person === undefined) return '—'
  if (person.name !== null && person.name !== '') return person.name
  if (person.kind === 'system') return tr.t('personKind.system')
  return person.id
}

export function Tel({ phone, label }: { phone: string | null | undefined; label?: string }) {
  if (phone === null || phone === undefined || phone === '') return <span class="muted">—</span>
  return (
    <a class="tel" href={`tel:${phone.replace(/[^\d+]/g, '')}`}>
      {label ?? phone}
    </a>
  )
}

export function Section({ title, children, testid, actions }: { title: string; children: ComponentChildren; testid?: string; actions?: ComponentChildren }) {
  return (
    <section class="card" data-testid={testid}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      <div class="card-body">{children}</div>
    </section>
  )
}

/** Definition list rows: label / value pairs. */
export function Facts({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {rows.map(([label, value]) => (
        <div class="fact" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

export function Pager({ hasPrev, hasNext, onPrev, onNext }: { hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void }) {
  const tr = useI18n()
  return (
    <nav class="pager" aria-label="pagination">
      <button type="button" class="btn" disabled={!hasPrev} onClick={onPrev} data-testid="page-prev">
        ‹ {tr.t('app.prev')}
      </button>
      <button type="button" class="btn" disabled={!hasNext} onClick={onNext} data-testid="page-next">
        {tr.t('app.next')} ›
      </button>
    </nav>
  )
}
