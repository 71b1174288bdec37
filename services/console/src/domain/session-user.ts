import type { StaffRole } from './roles.ts'

/** The signed-in person as every handler sees them: who, their role, and the organisation and area they are scoped to. */
export type SessionUser = {
  staffId: string
  username: string
  fullName: string
  role: StaffRole
  orgId: string
  orgName: string
  /** null: the whole organisation; otherwise only this area's residents, devices and alarms. */
  areaId: string | null
  timezone: string
}

/** A session as stored: the user plus the CSRF token bound to it and its absolute expiry. */
export type Session = { id: string; user: SessionUser; csrfToken: string; createdAt: string; expiresAt: string }
