import { randomUUID } from 'node:crypto'
import type { AccountName } from './console-app.ts'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * The role matrix, written out by hand (not read from the code under test): for every API route, who may
 * call it. role-matrix.test.ts walks every route with every role and checks the server enforces exactly this;
 * org-scoping.test.ts scans every list route here for other organisations' records and demands a scoping
 * case for every route that names a record. A new route is one line below.
 */
export const R = ['administrator', 'supervisor', 'operator', 'auditor'] as const // everyone who reads the desk's data
export const ROUTES: Record<string, readonly string[]> = {
  'GET /api/session': ['administrator', 'supervisor', 'operator', 'auditor', 'carer', 'doctor'],
  'GET /api/alarms': R,
  'GET /api/alarms/:alarmId': R,
  'GET /api/alarms/:alarmId/timeline': R,
  'GET /api/alarms/:alarmId/vitals': R,
  'POST /api/alarms/:alarmId/acknowledge': ['supervisor', 'operator', 'carer', 'doctor'],
  'POST /api/alarms/:alarmId/calls': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/escalate': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/resolve': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/reopen': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/dispatch': ['supervisor', 'operator'],
  'POST /api/alarms/:alarmId/tasks': ['supervisor', 'operator'],
  'GET /api/responders': ['supervisor', 'operator'],
  'GET /api/feed': R,
  'GET /api/me/tasks': ['carer', 'doctor'],
  'POST /api/tasks/:taskId/actions': ['carer', 'doctor'],
  'GET /api/residents': R,
  'GET /api/residents/:residentId': R,
  'GET /api/residents/:residentId/vitals': R,
  'POST /api/residents': ['administrator', 'supervisor'],
  'PATCH /api/residents/:residentId': ['administrator', 'supervisor'],
  'GET /api/devices': R,
  'GET /api/devices/:deviceId': R,
  'PATCH /api/devices/:deviceId': ['administrator'],
  'GET /api/staff': R,
  'POST /api/staff': ['administrator'],
  'PATCH /api/staff/:staffId': ['administrator'],
  'GET /api/schedules': R,
  'PUT /api/schedules/:rotationId': ['administrator', 'supervisor'],
  'DELETE /api/schedules/:rotationId': ['administrator', 'supervisor'],
  'POST /api/schedules/:rotationId/overrides': ['administrator', 'supervisor'],
  'DELETE /api/schedules/:rotationId/overrides/:overrideId': ['administrator', 'supervisor'],
  'GET /api/on-duty': R,
  'GET /api/policies': R,
  'PUT /api/policies/:policyId': ['administrator'],
  'DELETE /api/policies/:policyId': ['administrator'],
  'GET /api/reports/service-levels': R,
  'GET /api/reports/service-levels.csv': R,
  'GET /api/audit': ['administrator', 'supervisor', 'auditor'],
  'GET /api/audit/verify': ['administrator', 'supervisor', 'auditor'],
  // The care registry (issue 7).
  'GET /api/households': R,
  'GET /api/households/:householdId': R,
  'POST /api/households': ['administrator', 'supervisor'],
  'PATCH /api/households/:householdId': ['administrator', 'supervisor'],
  'PUT /api/residents/:residentId/household': ['administrator', 'supervisor'],
  'GET /api/residents/:residentId/consents': R,
  'POST /api/residents/:residentId/consents': ['administrator', 'supervisor'],
  'GET /api/residents/:residentId/doctor-contracts': R,
  'POST /api/residents/:residentId/doctor-contracts': ['administrator', 'supervisor'],
  'POST /api/imports/residents': ['administrator', 'supervisor'],
  'GET /api/imports/residents/template.csv': ['administrator', 'supervisor'],
  'GET /api/imports': R,
  'GET /api/imports/:importId': R,
  'GET /api/ledger': R,
  'GET /api/ledger.csv': R,
  'GET /api/care-teams': R,
  'PUT /api/care-teams/:teamId': ['administrator'],
  'DELETE /api/care-teams/:teamId': ['administrator'],
  'POST /api/devices': ['administrator'],
  'POST /api/devices/:deviceId/credentials': ['administrator'],
  'POST /api/devices/:deviceId/revoke': ['administrator'],
  'POST /api/devices/:deviceId/binding': ['administrator'],
  'DELETE /api/devices/:deviceId/binding': ['administrator'],
  'GET /api/devices/maintenance': R,
  'GET /api/devices/maintenance.csv': R,
  // Daily contact: the desk and the resident's own carer log contact; everyone who reads sees it.
  'POST /api/residents/:residentId/contacts': ['supervisor', 'operator', 'carer', 'doctor'],
  'GET /api/residents/:residentId/contacts': R,
  'GET /api/reports/daily-contact': R,
  'GET /api/reports/daily-contact.csv': R,
  'GET /api/orgs/care-duty-settings': R,
  'PUT /api/orgs/care-duty-settings': ['administrator'],
  // The platform's own health, from the watchdog (issue 9).
  'GET /api/system-alarms': R,
}
// Signing in is for everyone (public); signing out for anyone signed in (tested in session.test.ts).
export const NOT_IN_MATRIX = new Set(['POST /api/session', 'DELETE /api/session'])

export const ROLES: AccountName[] = ['administrator', 'supervisor', 'operator', 'auditor', 'carer', 'doctor']

// Path values that exist or not does not matter: authorisation is decided before anything is looked up.
export const PARAMS: Record<string, string> = {
  alarmId: randomUUID(), taskId: randomUUID(), residentId: 'res-a1', deviceId: 'dev-none', staffId: 'a-carer', rotationId: 'rot-none', overrideId: '1', policyId: 'pol-none',
  householdId: 'hh-none', importId: randomUUID(), teamId: 'team-none',
}

/** "METHOD /url" split for inject(). */
export function splitRoute(route: string): { method: Method; path: string } {
  const [method, path] = route.split(' ') as [Method, string]
  return { method, path }
}

/** The path with each `:name` replaced from `params`; a missing value is a mistake in the test, not a route. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`)
    return encodeURIComponent(value)
  })
}
