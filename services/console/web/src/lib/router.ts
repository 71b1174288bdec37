// Hash routing: `#/queue`, `#/alarms/<id>`... The hash survives reloads and needs no server rewrites.
import { useEffect, useState } from 'preact/hooks'

export type Route =
  | { name: 'login' }
  | { name: 'queue' }
  | { name: 'alarm'; id: string }
  | { name: 'residents' }
  | { name: 'resident'; id: string }
  | { name: 'devices' }
  | { name: 'device'; id: string }
  | { name: 'maintenance' }
  | { name: 'schedules' }
  | { name: 'policies' }
  | { name: 'dashboard' }
  | { name: 'dailyContact' }
  | { name: 'responder' }
  | { name: 'ledger' }
  | { name: 'households' }
  | { name: 'household'; id: string }
  | { name: 'careTeams' }
  | { name: 'import' }
  | { name: 'home' }
  | { name: 'notFound' }

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\?.*$/, '')
  const parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p))
  const [first, second] = parts
  if (first === undefined) return { name: 'home' }
  switch (first) {
    case 'login': return { name: 'login' }
    case 'queue': return { name: 'queue' }
    case 'alarms': return second !== undefined ? { name: 'alarm', id: second } : { name: 'queue' }
    case 'residents': return second !== undefined ? { name: 'resident', id: second } : { name: 'residents' }
    case 'devices': return second !== undefined ? { name: 'device', id: second } : { name: 'devices' }
    case 'maintenance': return { name: 'maintenance' }
    case 'schedules': return { name: 'schedules' }
    case 'policies': return { name: 'policies' }
    case 'dashboard': return { name: 'dashboard' }
    case 'daily-contact': return { name: 'dailyContact' }
    case 'responder': return { name: 'responder' }
    case 'ledger': return { name: 'ledger' }
    case 'households': return second !== undefined ? { name: 'household', id: second } : { name: 'households' }
    case 'care-teams': return { name: 'careTeams' }
    case 'import': return { name: 'import' }
    default: return { name: 'notFound' }
  }
}

export function href(...parts: string[]): string {
  return '#/' + parts.map((p) => encodeURIComponent(p)).join('/')
}

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash))
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}
