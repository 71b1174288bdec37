// The signed-in user, shared by every page.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Session } from '../api/types.ts'

export const SessionContext = createContext<Session | null>(null)

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (session === null) throw new Error('useSession outside a signed-in page')
  return session
}
