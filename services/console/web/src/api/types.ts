// The shapes of services/console/API.md, as the UI reads them. The server validates; the UI only trusts.

export type Role = 'administrator' | 'supervisor' | 'operator' | 'auditor' | 'carer' | 'doctor'
export type Severity = 'low' | 'medium' | 'high' | 'critical'
export type AlarmState = 'raised' | 'notified' | 'acknowledged' | 'dispatched' | 'on_scene' | 'resolved' | 'closed'
export type Outcome =
  | 'false_alarm'
  | 'handled_by_phone'
  | 'visited_fine'
  | 'carer_doctor_treatment'
  | 'transferred_hospital'
  | 'device_fault'
export const OUTCOMES: readonly Outcome[] = ['false_alarm', 'handled_by_phone', 'visited_fine', 'carer_doctor_treatment', 'transferred_hospital', 'device_fault']

export type SessionUser = {
  staffId: string
  username: string
  fullName: string
  role: Role
  orgId: string
  orgName: string
  areaId: string | null
  timezone: string
}
export type Session = { user: SessionUser; csrfToken: string; mapTileUrl?: string | null }

export type Person = { kind: 'staff' | 'contact' | 'system'; id: string; name: string | null }

export type AlarmSummary = {
  id: string
  type: string
  severity: Severity
  priority: number
  state: AlarmState
  version: number
  alertStatus: 'open' | 'cleared' | 'cancelled'
  occurrences: number
  residentId: string
  residentName: string
  areaId: string
  areaName: string
  deviceId: string | null
  raisedAt: string
  acknowledgedAt: string | null
  acknowledgedBy: Person | null
  responder: Person | null
  dispatchedAt: string | null
  arrivedAt: string | null
  resolvedAt: string | null
  outcome: string | null
  escalationLevel: number
  /** From a device in test mode: only in `view=test`, nobody is notified. */
  test?: boolean
}

export type Page<T> = { items: T[]; nextCursor: string | null }
/** `feedSeq` arrives as a string (a bigint sequence) from the server; Number() it before comparing. */
export type AlarmPage = Page<AlarmSummary> & { feedSeq: number | string }

export type Evidence = { at: string; kind: string; role: string; values: Record<string, unknown> }
export type GeoLocation = { at: string; lat: number; lon: number; accuracyM: number | null }

export type TaskState = 'unassigned' | 'offered' | 'accepted' | 'en_route' | 'arrived' | 'completed' | 'cancelled'
export type Task = {
  taskId: string
  alarmId: string
  sequence: number
  state: TaskState
  version: number
  responderId: string | null
  responderName: string | null
  offerExpiresAt: string | null
  arrivalDueAt: string | null
  overdueAt: string | null
  outcome: string | null
  notes: string | null
  createdAt: string
  updatedAt: string
}

export type DeviceSummary = {
  id: string
  type: string
  model: string
  firmware: string
  status: 'active' | 'revoked'
  online: boolean
  lastSeenAt: string | null
  battery: number | null
  worn: boolean | null
  residentId: string | null
  residentName: string | null
  supervisionIntervalS: number
  /** Its alarms go to the test queue (issue 7); absent from older servers. */
  testMode?: boolean
  /** Its newest test signal (the weekly test); absent from older servers. */
  lastTestAt?: string | null
}
/** A button or wearable that missed its weekly test (GET /api/devices/maintenance). */
export type MaintenanceItem = {
  deviceId: string; type: string; model: string | null; residentId: string | null; residentName: string | null; areaId: string | null
  lastTestAt: string | null; dueAt: string; status: 'due' | 'overdue'; alarmId: string | null; offline: boolean; battery: number | null
}
export type DeviceDetail = DeviceSummary & {
  bindings: { residentId: string; residentName: string; boundAt: string; unboundAt: string | null }[]
}

export type StaffRef = { id: string; fullName: string; role: Role; areaId: string | null; phone: string | null; email: string | null; active: boolean }
export type Contact = { position: number; fullName: string; relation: string; phone: string }

export type ResidentSummary = {
  id: string
  fullName: string
  gender: string
  age: number
  areaId: string
  areaName: string
  address: string
  livingSituation: string
  careLevel: string
  flags: string[]
  openAlarms: number
  devices: number
}
export type ResidentDetail = Omit<ResidentSummary, 'devices'> & {
  birthDate: string
  phone: string | null
  lat: number | null
  lon: number | null
  conditions: string[]
  medicationNotes: string | null
  assignedCarer: StaffRef | null
  familyDoctor: StaffRef | null
  contacts: Contact[]
  devices: DeviceSummary[]
  recentAlarms: RecentAlarm[]
  /** The household the resident lives in, when the server says (care registry). */
  householdId?: string | null
}
/** The resident page's short list of their latest alarms (not the full AlarmSummary). */
export type RecentAlarm = { id: string; type: string; severity: Severity; raisedAt: string; state: AlarmState; outcome?: string | null }

export type AlarmDetail = {
  alarm: AlarmSummary
  resident: ResidentDetail
  evidence: Evidence[]
  tasks: Task[]
  devices: DeviceSummary[]
  location: GeoLocation | null
  recommendation: { call120: boolean }
}

export type TimelineEntry = {
  at: string
  /** `notification` for delivery steps (the server's word); `delivery`/`task` kept for older answers. */
  source: 'audit' | 'notification' | 'delivery' | 'task'
  action: string
  actor: Person | null
  channel: string | null
  detail: Record<string, unknown>
}

export type Point = { at: string; avg: number; min: number; max: number }
export type VitalsSeriesName = 'heartRate' | 'spo2' | 'systolic' | 'diastolic' | 'temperature' | 'steps'
export type Vitals = { bucketSeconds: number; series: Record<VitalsSeriesName, Point[]> }

export type ResponderOption = {
  staffId: string
  fullName: string
  role: Role
  phone: string | null
  available: boolean
  openTasks: number
  distanceM: number | null
  skills: string[]
}

export type FeedEvent = {
  seq: number
  kind: 'alarm' | 'lifecycle' | 'device'
  at: string
  alarmId: string | null
  residentId: string
  areaId: string
  alarm: AlarmSummary | null
  device: { deviceId: string; status: 'online' | 'offline' | 'battery_low' | 'battery_ok' | 'worn' | 'not_worn' } | null
}

export type Rotation = {
  id: string
  role: 'operator' | 'carer' | 'doctor' | 'supervisor'
  areaId: string | null
  timezone: string
  members: string[]
  startDate: string
  handoffTime: string
  shiftHours: number
  activeDays: number[] | null
  overrides: { id: string; staffId: string; startsAt: string; endsAt: string }[]
}

export type PolicyTarget =
  | { kind: 'assigned_carer' }
  | { kind: 'on_duty'; role: string }
  | { kind: 'family_doctor' }
  | { kind: 'family_contacts'; max?: number }
  | { kind: 'supervisor' }
  | { kind: 'call_120' }
export type PolicyStep = { targets: PolicyTarget[]; waitSeconds: number; channels: string[] }
export type Policy = {
  id: string
  name: string
  match: { alarmTypes?: string[]; minPriority?: number }
  steps: PolicyStep[]
  handlingTimeoutSeconds: number
  arrivalTimeoutSeconds: number
  repeatLastStepEverySeconds: number
}

export type ServiceLevels = {
  from: string
  to: string
  /** The server's clock and the organisation's time zone (byHour is in that zone). */
  now?: string
  timeZone?: string
  alarms: number
  acknowledgedWithin60s: number | null
  acknowledgedWithin180s: number | null
  ackSeconds: { median: number | null; p90: number | null }
  arrivalSeconds: { median: number | null; p90: number | null }
  byType: { type: string; count: number }[]
  byHour: { hour: number; count: number }[]
  openTasks: number
  offlineDevices: number
}

export type MyTask = {
  task: Task
  alarm: AlarmSummary
  resident: { id: string; fullName: string; age: number; address: string; lat: number | null; lon: number | null; phone: string | null; contacts: Contact[] }
}

export const ALARM_TYPES = [
  'sos', 'fall',
  'heart_rate_high', 'heart_rate_low', 'spo2_low', 'blood_pressure_high', 'blood_pressure_low',
  'temperature_high', 'temperature_low', 'glucose_high', 'glucose_low',
  'device_offline', 'device_not_worn', 'low_battery', 'geofence_exit', 'inactivity',
] as const
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low']
export const CHANNELS = ['console', 'responder_app', 'phone', 'sms', 'email', 'webhook', 'system'] as const
export const RESIDENT_FLAGS = ['disabled', 'dementia', 'very_old', 'living_alone', 'empty_nest'] as const
export const CONDITIONS = ['hypertension', 'diabetes', 'heart_disease', 'copd', 'dementia', 'stroke_history'] as const
export const DEVICE_TYPES = ['watch', 'sos_pendant', 'wall_button', 'door_sensor', 'pir_sensor', 'bed_sensor'] as const
export const ROTATION_ROLES = ['operator', 'carer', 'doctor', 'supervisor'] as const

// The care registry (API.md "Care registry").
export type LedgerFlag = (typeof RESIDENT_FLAGS)[number]
export type LedgerItem = {
  residentId: string
  fullName: string
  age: number
  areaId: string | null
  areaName: string | null
  address: string
  flags: string[]
  derived: string[]
  manual: string[]
  assignedCarer: StaffRef | null
}
export type LedgerPage = Page<LedgerItem> & { counts: Record<string, number> }

export type HouseholdMember = { id: string; fullName: string; age: number }
export type Household = {
  id: string
  areaId: string | null
  areaName: string | null
  address: string
  lat: number | null
  lon: number | null
  assignedCarer: StaffRef | null
  members: HouseholdMember[]
}

export type CareTeam = { id: string; areaId: string | null; name: string; lead: StaffRef | null; members: StaffRef[] }

export type DoctorContract = { id: number | string; doctor: StaffRef; signedOn: string; expiresOn: string | null; endedOn: string | null }

export const CONSENT_PURPOSES = ['health_data_processing', 'location_tracking', 'family_notification', 'share_with_doctor'] as const
export const CONSENT_GIVERS = ['self', 'guardian', 'family'] as const
export type ConsentRecord = {
  id?: number | string
  purpose: string
  granted: boolean
  givenBy: string
  givenByName?: string | null
  recordedBy?: { id: string; fullName: string } | null
  recordedAt: string
  evidenceRef?: string | null
}
export type Consents = { current: ConsentRecord[]; history: ConsentRecord[] }

export type ImportRow = { row: number; status: 'accepted' | 'refused'; residentId: string | null; problems: string[] }
export type ImportReport = { importId: string; rowsTotal: number; rowsAccepted: number; rowsRefused: number; rows: ImportRow[] }
/** A past import as GET /api/imports lists it (fields the contract does not fix are optional). */
export type ImportSummary = {
  importId?: string
  id?: string
  fileName?: string
  receivedAt?: string
  rowsTotal?: number
  rowsAccepted?: number
  rowsRefused?: number
  staff?: StaffRef | null
  staffName?: string | null
}

export type DeviceCredentials = { username: string; password: string; mqttUrl: string }
export type ProvisionAnswer = { device: DeviceSummary; credentials: DeviceCredentials }

/** Daily contact (每天至少联系1次): how a resident was reached on a day. */
export type DailyContactStatus = 'contacted' | 'missed' | 'pending'
export type DailyContactItem = {
  residentId: string
  fullName: string
  areaId: string | null
  areaName: string | null
  status: DailyContactStatus
  firstContact: { kind: string; at: string; by: string | null } | null
  alarmId: string | null
}
export type DailyContactReport = {
  date: string
  timeZone: string
  /** The cut-off of that day as an instant. */
  cutoff: string
  required: number
  contacted: number
  missed: number
  pending: number
  items: DailyContactItem[]
}
export type CareDutySettings = { contactCutoff: string; deviceActivityCounts: boolean; timeZone: string }
export type ContactSignal = { id: string; kind: string; at: string; localDate: string; by: string | null }
export type ResidentContacts = {
  items: ContactSignal[]
  days: Array<{ date: string; status: 'contacted' | 'missed'; alarmId: string | null }>
}

/** A fault of the platform itself, from the watchdog (GET /api/system-alarms). */
export type SystemAlarm = { id: string; kind: string; subject: string; severity: 'critical' | 'warning'; detail: string; raisedAt: string; clearedAt: string | null }
export type SystemAlarms = { configured: boolean; reachable?: boolean; active: SystemAlarm[]; recent?: SystemAlarm[]; checkedAt?: string | null }
