/**
 * The alarm lifecycle owned by the escalation service. An alarm raised by the alert service is escalated
 * until a person has handled it: acknowledged is not handled; only an outcome closes the loop.
 */
export const LIFECYCLE_STATES = ['raised', 'notified', 'acknowledged', 'dispatched', 'on_scene', 'resolved', 'closed'] as const
export type LifecycleState = (typeof LIFECYCLE_STATES)[number]

export const OUTCOMES = [
  'false_alarm',
  'handled_by_phone',
  'visited_fine',
  'carer_doctor_treatment',
  'transferred_hospital',
  'device_fault',
  'auto_cleared',
] as const
export type Outcome = (typeof OUTCOMES)[number]

export const CHANNELS = ['console', 'responder_app', 'phone', 'sms', 'email', 'webhook', 'system'] as const
export type Channel = (typeof CHANNELS)[number]

/** Who acted: a staff member, a family contact, or the platform itself (timers, the alert service). */
export type Actor = { kind: 'staff' | 'contact' | 'system'; id: string }
