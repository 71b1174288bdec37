// Sign-in. Wrong credentials and the lock-out (with its countdown) are said plainly.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api/client.ts'
import type { Session } from '../api/types.ts'
import { errorText } from '../components/common.tsx'
import { useI18n, useSetLang } from '../i18n/i18n.tsx'

export function LoginPage({ onLogin, sessionEnded }: { onLogin: (s: Session) => void; sessionEnded: boolean }) {
  const tr = useI18n()
  const setLang = useSetLang()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [lockedUntil, setLockedUntil] = useState<number | null>(null)
  const [now, setNow] = useState(Date.now())

  useEffect(() => {
    if (lockedUntil === null) return
    const id = setInterval(() => {
      const n = Date.now()
      setNow(n)
      if (n >= lockedUntil) setLockedUntil(null)
    }, 500)
    return () => clearInterval(id)
  }, [lockedUntil])

  const submit = (e: Event): void => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    api.post<Session>('/api/session', { username: username.trim(), password }).then(
      (s) => {
        setBusy(false)
        onLogin(s)
      },
      (err: unknown) => {
        setBusy(false)
        setError(err)
        if (err instanceof ApiError && err.code === 'too_many_attempts') {
          setLockedUntil(Date.now() + (err.retryAfterSeconds ?? 60) * 1000)
          setNow(Date.now())
        }
      },
    )
  }

  let message: string | null = null
  let code: string | null = null
  if (lockedUntil !== null) {
    code = 'too_many_attempts'
    message = tr.t('login.tooMany', { s: Math.max(1, Math.ceil((lockedUntil - now) / 1000)) })
  } else if (error !== null) {
    code = error instanceof ApiError ? error.code : 'network'
    message = errorText(tr, error)
  }

  return (
    <div class="login-wrap">
      <form class="login card" onSubmit={submit} data-testid="login-form" aria-describedby={message ? 'login-error' : undefined}>
        <div class="login-brand">
          <span class="brand-mark big" aria-hidden="true">安</span>
          <div>
            <div class="login-app">{tr.t('app.name')} · {tr.t('app.console')}</div>
            <h1>{tr.t('login.title')}</h1>
          </div>
        </div>
        {sessionEnded && error === null && <div class="notice">{tr.t('login.sessionEnded')}</div>}
        {message !== null && (
          <div id="login-error" class="notice notice-error" role="alert" data-testid="login-error" data-code={code ?? ''}>
            {message}
          </div>
        )}
        <label class="field">
          <span>{tr.t('login.username')}</span>
          <input name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} data-testid="login-username" autoFocus />
        </label>
        <label class="field">
          <span>{tr.t('login.password')}</span>
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="login-password" />
        </label>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || lockedUntil !== null} data-testid="login-submit">
          {busy ? tr.t('login.submitting') : tr.t('login.submit')}
        </button>
        <div class="lang-switch center" role="group" aria-label={tr.t('app.lang')}>
          <button type="button" class="btn btn-small" aria-pressed={tr.lang === 'zh-CN'} data-testid="lang-zh" onClick={() => setLang('zh-CN')}>中文</button>
          <button type="button" class="btn btn-small" aria-pressed={tr.lang === 'en'} data-testid="lang-en" onClick={() => setLang('en')}>English</button>
        </div>
      </form>
    </div>
  )
}
