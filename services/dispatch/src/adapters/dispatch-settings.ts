import type pg from 'pg'

export type DispatchSettings = {
  arrivalDeadlineSeconds: number
  offerTimeoutSeconds: number
  autoTaskAlarmTypes: string[]
  familyUpdateAlarmTypes: string[]
  linkTtlSeconds: number
  webhook: { url: string; secret: string } | null
}

/** What an organisation gets until it sets its own (the defaults of the dispatch_settings table). */
export const DEFAULT_SETTINGS: DispatchSettings = {
  arrivalDeadlineSeconds: 1800,
  offerTimeoutSeconds: 120,
  autoTaskAlarmTypes: ['sos', 'fall'],
  familyUpdateAlarmTypes: ['sos', 'fall'],
  linkTtlSeconds: 43200,
  webhook: null,
}

type SettingsRow = {
  arrival_deadline_seconds: number; offer_timeout_seconds: number; auto_task_alarm_types: string[]; family_update_alarm_types: string[]
  link_ttl_seconds: number; webhook_url: string | null; webhook_secret: string | null
}

export async function loadSettings(db: pg.ClientBase | pg.Pool, orgId: string): Promise<DispatchSettings> {
  const { rows } = await db.query<SettingsRow>('SELECT * FROM dispatch_settings WHERE org_id = $1', [orgId])
  const r = rows[0]
  if (!r) return DEFAULT_SETTINGS
  return {
    arrivalDeadlineSeconds: r.arrival_deadline_seconds,
    offerTimeoutSeconds: r.offer_timeout_seconds,
    autoTaskAlarmTypes: r.auto_task_alarm_types,
    familyUpdateAlarmTypes: r.family_update_alarm_types,
    linkTtlSeconds: r.link_ttl_seconds,
    webhook: r.webhook_url && r.webhook_secret ? { url: r.webhook_url, secret: r.webhook_secret } : null,
  }
}
