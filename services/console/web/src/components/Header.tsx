// The top bar: where you are, who you are, what your role may open, and the language switch.
import type { Session } from '../api/types.ts'
import { useI18n, useSetLang } from '../i18n/i18n.tsx'
import type { DictKey } from '../i18n/dict.ts'
import { can, type Permission } from '../lib/permissions.ts'
import type { Route } from '../lib/router.ts'

const LINKS: Array<{ hash: string; label: DictKey; needs: Permission; routes: Route['name'][]; testid: string }> = [
  { hash: '#/queue', label: 'nav.queue', needs: 'alarms.read', routes: ['queue', 'alarm'], testid: 'nav-queue' },
  { hash: '#/residents', label: 'nav.residents', needs: 'residents.read', routes: ['residents', 'resident'], testid: 'nav-residents' },
  { hash: '#/ledger', label: 'nav.ledger', needs: 'residents.read', routes: ['ledger'], testid: 'nav-ledger' },
  { hash: '#/households', label: 'nav.households', needs: 'residents.read', routes: ['households', 'household'], testid: 'nav-households' },
  { hash: '#/care-teams', label: 'nav.careTeams', needs: 'staff.read', routes: ['careTeams'], testid: 'nav-care-teams' },
  { hash: '#/import', label: 'nav.import', needs: 'residents.write', routes: ['import'], testid: 'nav-import' },
  { hash: '#/devices', label: 'nav.devices', needs: 'devices.read', routes: ['devices', 'device'], testid: 'nav-devices' },
  { hash: '#/maintenance', label: 'nav.maintenance', needs: 'devices.read', routes: ['maintenance'], testid: 'nav-maintenance' },
  { hash: '#/schedules', label: 'nav.schedules', needs: 'schedules.read', routes: ['schedules'], testid: 'nav-schedules' },
  { hash: '#/policies', label: 'nav.policies', needs: 'policies.read', routes: ['policies'], testid: 'nav-policies' },
  { hash: '#/dashboard', label: 'nav.dashboard', needs: 'reports.read', routes: ['dashboard'], testid: 'nav-dashboard' },
  { hash: '#/daily-contact', label: 'nav.dailyContact', needs: 'reports.read', routes: ['dailyContact'], testid: 'nav-daily-contact' },
  { hash: '#/responder', label: 'nav.responder', needs: 'responder', routes: ['responder'], testid: 'nav-responder' },
]

export function Header({ session, route, onLogout }: { session: Session; route: Route; onLogout: () => void }) {
  const tr = useI18n()
  const setLang = useSetLang()
  const { user } = session
  return (
    <header class="topbar" data-testid="header">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">安</span>
        <span class="brand-text">{tr.t('app.name')} <small>{tr.t('app.console')}</small></span>
      </div>
      <nav class="nav" aria-label={tr.t('nav.main')}>
        {LINKS.filter((l) => can(user.role, l.needs)).map((l) => (
          <a key={l.hash} href={l.hash} data-testid={l.testid} aria-current={l.routes.includes(route.name) ? 'page' : undefined}>
            {tr.t(l.label)}
          </a>
        ))}
      </nav>
      <div class="user" data-testid="user-info">
        <span class="user-name" data-testid="user-name">{user.fullName}</span>
        <span class="user-meta">
          <span data-testid="user-role" data-role={user.role}>{tr.tc('role', user.role)}</span> · <span data-testid="user-org">{user.orgName}</span>
        </span>
      </div>
      <div class="lang-switch" role="group" aria-label={tr.t('app.lang')}>
        <button type="button" class="btn btn-small" aria-pressed={tr.lang === 'zh-CN'} data-testid="lang-zh" onClick={() => setLang('zh-CN')}>中文</button>
        <button type="button" class="btn btn-small" aria-pressed={tr.lang === 'en'} data-testid="lang-en" onClick={() => setLang('en')}>English</button>
      </div>
      <button type="button" class="btn btn-small" data-testid="logout" onClick={onLogout}>{tr.t('nav.logout')}</button>
    </header>
  )
}
