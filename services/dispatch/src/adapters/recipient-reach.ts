import type pg from 'pg'
import type { DeliveryChannel, DeliveryTarget, PushSubscription } from '../channels/channel.ts'
import type { DeliveryPreferences } from '../domain/delivery-plan.ts'
import type { DispatchSettings } from './dispatch-settings.ts'

/** A person as a command names them; contact details are personal data and never go to logs. */
export type Recipient = { kind: 'staff' | 'contact'; id: string; role: string | null; name: string | null; phone: string | null; email: string | null }

export type Reach = { available: DeliveryChannel[]; preferences: DeliveryPreferences; locale: 'zh-CN' | 'en' }

type PreferenceRow = { channels: DeliveryChannel[] | null; quiet_start: string | null; quiet_end: string | null; timezone: string; locale: 'zh-CN' | 'en' }

export type StoredPreferences = DeliveryPreferences & { locale: 'zh-CN' | 'en' }

const PREFERENCES_JSON = `(SELECT json_build_object('channels', channels, 'quiet_start', quiet_start::text, 'quiet_end', quiet_end::text, 'timezone', timezone, 'locale', locale)
             FROM notification_preferences WHERE person_kind = $1 AND person_id = $2)`

/** A person's stored preferences, or the defaults (no preferred channels, no quiet hours, Chinese). */
function toPreferences(row: PreferenceRow | null): StoredPreferences {
  return {
    channels: row?.channels ?? null,
    locale: row?.locale ?? 'zh-CN',
    quietHours: row?.quiet_start && row.quiet_end ? { start: row.quiet_start.slice(0, 5), end: row.quiet_end.slice(0, 5), timezone: row.timezone } : null,
  }
}

export async function loadPreferences(db: pg.ClientBase | pg.Pool, kind: string, personId: string): Promise<StoredPreferences> {
  const { rows } = await db.query<{ prefs: PreferenceRow | null }>(`SELECT ${PREFERENCES_JSON} AS prefs`, [kind, personId])
  return toPreferences(rows[0]?.prefs ?? null)
}

/**
 * Which channels can reach this person now: the ones the service has a provider for, for which the person has
 * the detail the channel needs (an address, a number, a subscribed browser), plus the organisation's webhook
 * for staff (it routes to their WeChat Work / DingTalk account; family are not on it).
 */
export async function loadReach(db: pg.ClientBase, recipient: Recipient, configured: ReadonlySet<DeliveryChannel>, settings: DispatchSettings): Promise<Reach> {
  // One round trip for both: this runs for every notification.
  const { rows } = await db.query<{ prefs: PreferenceRow | null; has_push: boolean }>(
    `SELECT ${PREFERENCES_JSON} AS prefs,
            $1 = 'staff' AND EXISTS (SELECT 1 FROM push_subscriptions WHERE staff_id = $2) AS has_push`,
    [recipient.kind, recipient.id],
  )
  const { locale, ...preferences } = toPreferences(rows[0]?.prefs ?? null)
  const available: DeliveryChannel[] = []
  if (configured.has('responder_app') && rows[0]?.has_push) available.push('responder_app')
  if (configured.has('sms') && recipient.phone) available.push('sms')
  if (configured.has('phone') && recipient.phone) available.push('phone')
  if (configured.has('email') && recipient.email) available.push('email')
  if (settings.webhook && recipient.kind === 'staff') available.push('webhook')
  return { available, locale, preferences }
}

/** The address for one channel at send time (subscriptions are read fresh: a browser may have subscribed since). */
export async function targetFor(db: pg.Pool, channel: DeliveryChannel, recipient: Recipient, settings: DispatchSettings | null): Promise<DeliveryTarget | null> {
  switch (channel) {
    case 'email':
      return recipient.email ? { channel, email: recipient.email } : null
    case 'sms':
    case 'phone':
      return recipient.phone ? { channel, phone: recipient.phone } : null
    case 'webhook':
      return settings?.webhook ? { channel, url: settings.webhook.url, secret: settings.webhook.secret } : null
    case 'responder_app': {
      const { rows } = await db.query<{ endpoint: string; p256dh: string; auth: string }>(
        'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE staff_id = $1',
        [recipient.id],
      )
      const subscriptions: PushSubscription[] = rows.map(r => ({ endpoint: r.endpoint, keys: { p256dh: r.p256dh, auth: r.auth } }))
      return subscriptions.length > 0 ? { channel, subscriptions } : null
    }
  }
}
