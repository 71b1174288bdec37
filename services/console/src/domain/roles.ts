/**
 * Who may do what in the console. Roles are the staff roles of the registry; carers and doctors are the
 * responders. Every API route names one permission and the server checks it before the handler runs; the
 * role-matrix test walks every route with every role.
 */
export const STAFF_ROLES = ['administrator', 'supervisor', 'operator', 'carer', 'doctor', 'auditor'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

export const PERMISSIONS = [
  'alarms.read',
  'alarms.act',
  'residents.read',
  'residents.write',
  'devices.read',
  'devices.write',
  'staff.read',
  'staff.write',
  'schedules.read',
  'schedules.write',
  'policies.read',
  'policies.write',
  'reports.read',
  'audit.read',
  'feed',
  'responder',
] as const
export type Permission = (typeof PERMISSIONS)[number]

const READERS: readonly StaffRole[] = ['administrator', 'supervisor', 'operator', 'auditor']

/**
 * The auditor reads everything an operator reads and changes nothing. Administrators configure (people,
 * devices, policies) but do not work alarms: alarm handling is the operators' and supervisors' duty, and an
 * answer-time figure must name someone on the desk. Responders see only what concerns their own tasks.
 */
const GRANTS: Record<Permission, readonly StaffRole[]> = {
  'alarms.read': READERS,
  'alarms.act': ['supervisor', 'operator'],
  'residents.read': READERS,
  'residents.write': ['administrator', 'supervisor'],
  'devices.read': READERS,
  'devices.write': ['administrator'],
  'staff.read': READERS,
  'staff.write': ['administrator'],
  'schedules.read': READERS,
  'schedules.write': ['administrator', 'supervisor'],
  'policies.read': READERS,
  'policies.write': ['administrator'],
  'reports.read': READERS,
  'audit.read': ['administrator', 'supervisor', 'auditor'],
  feed: READERS,
  responder: ['carer', 'doctor'],
}

export function may(role: StaffRole, permission: Permission): boolean {
  return GRANTS[permission].includes(role)
}

export function isResponder(role: StaffRole): boolean {
  return role === 'carer' || role === 'doctor'
}
