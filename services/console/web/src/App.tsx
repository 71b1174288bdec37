// The shell: who is signed in, which language, which page. Pages are chosen by the hash and by the role
// table, so a carer never sees the operator's queue and an auditor never sees an action button enabled.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import { api, setCsrfToken, setUnauthenticatedHandler } from './api/client.ts'
import type { Session } from './api/types.ts'
import { Header } from './components/Header.tsx'
import { Loading } from './components/common.tsx'
import { SystemAlarmBanner } from './components/SystemAlarmBanner.tsx'
import type { Lang } from './i18n/dict.ts'
import { I18nContext, initialLang, makeTranslator, storeLang } from './i18n/i18n.tsx'
import { AlarmDetailPage } from './pages/AlarmDetail.tsx'
import { CareTeamsPage } from './pages/CareTeams.tsx'
import { DailyContactPage } from './pages/DailyContact.tsx'
import { DashboardPage } from './pages/Dashboard.tsx'
import { DeviceDetailPage, DevicesPage } from './pages/Devices.tsx'
import { HouseholdDetailPage, HouseholdsPage } from './pages/Households.tsx'
import { ImportPage } from './pages/Import.tsx'
import { LedgerPage } from './pages/Ledger.tsx'
import { MaintenancePage } from './pages/Maintenance.tsx'
import { LoginPage } from './pages/Login.tsx'
import { PoliciesPage } from './pages/Policies.tsx'
import { QueuePage } from './pages/Queue.tsx'
import { ResidentDetailPage } from './pages/ResidentDetail.tsx'
import { ResidentsPage } from './pages/Residents.tsx'
import { ResponderPage } from './pages/Responder.tsx'
import { SchedulesPage } from './pages/Schedules.tsx'
import { can, homeFor, type Permission } from './lib/permissions.ts'
import { navigate, useRoute, type Route } from './lib/router.ts'
import { SessionContext } from './lib/session.tsx'
import { unlockAudio } from './lib/sound.ts'

const NEEDS: Record<Route['name'], Permission | null> = {
  login: null,
  home: null,
  notFound: null,
  queue: 'alarms.read',
  alarm: 'alarms.read',
  residents: 'residents.read',
  resident: 'residents.read',
  devices: 'devices.read',
  device: 'devices.read',
  maintenance: 'devices.read',
  schedules: 'schedules.read',
  policies: 'policies.read',
  dashboard: 'reports.read',
  dailyContact: 'reports.read',
  responder: 'responder',
  ledger: 'residents.read',
  households: 'residents.read',
  household: 'residents.read',
  careTeams: 'staff.read',
  import: 'residents.write',
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang)
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [ended, setEnded] = useState(false)
  const route = useRoute()
  const tr = useMemo(() => makeTranslator(lang), [lang])

  const setLang = useCallback((next: Lang) => {
    storeLang(next)
    setLangState(next)
  }, [])

  useEffect(() => {
    document.documentElement.lang = lang
    document.title = `${tr.t('app.name')} · ${tr.t('app.console')}`
  }, [lang, tr])

  useEffect(() => {
    const unlock = (): void => unlockAudio()
    window.addEventListener('pointerdown', unlock)
    window.addEventListener('keydown', unlock)
    return () => {
      window.removeEventListener('pointerdown', unlock)
      window.removeEventListener('keydown', unlock)
    }
  }, [])

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setCsrfToken(null)
      setSession((current) => {
        if (current) setEnded(true)
        return null
      })
    })
    api.get<Session>('/api/session').then(
      (s) => {
        setCsrfToken(s.csrfToken)
        setSession(s)
      },
      () => setSession(null),
    )
    return () => setUnauthenticatedHandler(null)
  }, [])

  const onLogin = useCallback((s: Session) => {
    setCsrfToken(s.csrfToken)
    setEnded(false)
    // POST /api/session may not carry deployment settings such as mapTileUrl: read them from GET.
    api.get<Session>('/api/session').then(
      (full) => setSession({ ...s, ...full }),
      () => setSession(s),
    )
    setSession(s)
    navigate(homeFor(s.user.role))
  }, [])

  const onLogout = useCallback(() => {
    api.del('/api/session').catch(() => undefined).finally(() => {
      setCsrfToken(null)
      setSession(null)
      navigate('#/login')
    })
  }, [])

  // Redirects: the login page once signed in, the bare address to the role's home.
  useEffect(() => {
    if (session === undefined) return
    if (session === null) {
      if (route.name !== 'login') navigate('#/login')
      return
    }
    if (route.name === 'login' || route.name === 'home') navigate(homeFor(session.user.role))
  }, [session, route.name])

  let body
  if (session === undefined) body = <Loading />
  else if (session === null) body = <LoginPage onLogin={onLogin} sessionEnded={ended} />
  else body = <Page route={route} session={session} />

  return (
    <I18nContext.Provider value={{ tr, setLang }}>
      <SessionContext.Provider value={session ?? null}>
        <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus() }}>{tr.t('app.skip')}</a>
        {session ? <Header session={session} route={route} onLogout={onLogout} /> : null}
        {session && can(session.user.role, 'alarms.read') ? <SystemAlarmBanner /> : null}
        <main id="main" tabIndex={-1} class={session ? `page page-${route.name}` : 'page page-login'}>
          {body}
        </main>
      </SessionContext.Provider>
    </I18nContext.Provider>
  )
}

function Page({ route, session }: { route: Route; session: Session }) {
  const needed = NEEDS[route.name]
  if (needed !== null && !can(session.user.role, needed)) return <Forbidden />
  switch (route.name) {
    case 'queue': return <QueuePage />
    case 'alarm': return <AlarmDetailPage key={route.id} id={route.id} />
    case 'residents': return <ResidentsPage />
    case 'resident': return <ResidentDetailPage key={route.id} id={route.id} />
    case 'devices': return <DevicesPage />
    case 'device': return <DeviceDetailPage key={route.id} id={route.id} />
    case 'maintenance': return <MaintenancePage />
    case 'schedules': return <SchedulesPage />
    case 'policies': return <PoliciesPage />
    case 'dashboard': return <DashboardPage />
    case 'dailyContact': return <DailyContactPage />
    case 'responder': return <ResponderPage />
    case 'ledger': return <LedgerPage />
    case 'households': return <HouseholdsPage />
    case 'household': return <HouseholdDetailPage key={route.id} id={route.id} />
    case 'careTeams': return <CareTeamsPage />
    case 'import': return <ImportPage />
    case 'notFound': return <NotFound />
    case 'login':
    case 'home':
      return <Loading />
  }
}

function Forbidden() {
  return (
    <I18nContext.Consumer>
      {({ tr }) => <div class="notice notice-error" data-testid="forbidden">{tr.t('app.forbiddenPage')}</div>}
    </I18nContext.Consumer>
  )
}

function NotFound() {
  return <I18nContext.Consumer>{({ tr }) => <div class="notice" data-testid="not-found">{tr.t('app.notFound')}</div>}</I18nContext.Consumer>
}
