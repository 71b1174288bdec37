// The role table of API.md, so the UI offers only what the server will allow (the server still decides).
import type { Role } from '../api/types.ts'

export type Permission =
  | 'alarms.read' | 'alarms.act' | 'residents.read' | 'residents.write' | 'devices.read' | 'devices.write'
  | 'staff.read' | 'staff.write' | 'schedules.read' | 'schedules.write' | 'policies.read' | 'policies.write'
  | 'reports.read' | 'audit.read' | 'feed' | 'responder'

const CONSOLE: readonly Role[] = ['administrator', 'supervisor', 'operator', 'auditor']

const TABLE: Record<Permission, readonly Role[]> = {
  'alarms.read': CONSOLE,
  'alarms.act': ['supervisor', 'operator'],
  'residents.read': CONSOLE,
  'devices.read': CONSOLE,
  'staff.read': CONSOLE,
  'schedules.read': CONSOLE,
  'policies.read': CONSOLE,
  'residents.write': ['administrator', 'supervisor'],
  'schedules.write': ['administrator', 'supervisor'],
  'devices.write': ['administrator'],
  'staff.write': ['administrator'],
  'policies.write': ['administrator'],
  'reports.read': CONSOLE,
  'audit.read': ['administrator', 'supervisor', 'auditor'],
  feed: CONSOLE,
  responder: ['carer', 'doctor'],
}

export function can(role: Role, permission: Permission): boolean {
  return TABLE[permission].includes(role)
}

export function isResponder(role: Role): boolean {
  return can(role, 'responder')
}

export function homeFor(role: Role): string {
  return isResponder(role) ? '#/responder' : '#/queue'
}
