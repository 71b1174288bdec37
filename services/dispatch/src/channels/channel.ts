/**
 * One interface for every way of reaching a person. Each adapter talks to a real provider (an SMTP server, a
 * push service, an HTTP gateway) and reports what the provider answered, never more: "sent" means the provider
 * took the message, "delivered" means the provider says it reached the person's device or system.
 */

export const DELIVERY_CHANNELS = ['responder_app', 'sms', 'phone', 'email', 'webhook'] as const
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number]

export type PushSubscription = { endpoint: string; keys: { p256dh: string; auth: string } }

/** Where the message goes, by channel. Contact details are personal data: adapters never log them. */
export type DeliveryTarget =
  | { channel: 'email'; email: string }
  | { channel: 'sms'; phone: string }
  | { channel: 'phone'; phone: string }
  | { channel: 'webhook'; url: string; secret: string }
  | { channel: 'responder_app'; subscriptions: PushSubscription[] }

export type OutgoingMessage = {
  /** Stable across retries of the same delivery: receivers use it to drop a repeat (idempotency key). */
  deliveryId: string
  target: DeliveryTarget
  recipient: { kind: string; id: string; name: string | null }
  locale: 'zh-CN' | 'en'
  /** A short title (e-mail subject, push title, first words of an SMS). */
  subject: string
  /** The whole plain-text message, link included. */
  text: string
  /** The signed action link, when the recipient can act on the alarm. */
  link: string | null
  /** Critical alarm: providers that support it are asked for their highest priority. */
  urgent: boolean
  /** Structured essentials for machine receivers (webhook, push): ids, types, purpose; no health data. */
  data: Record<string, string | number | boolean | null>
}

export type SendResult =
  | { outcome: 'sent' | 'delivered'; providerMessageId: string | null; providerAnswer: string; expiredSubscriptions?: string[] }
  | { outcome: 'failed'; retryable: boolean; providerAnswer: string; expiredSubscriptions?: string[] }

export interface NotificationChannel {
  readonly name: DeliveryChannel
  /** Never throws: every failure is a SendResult, so one provider's error cannot break the delivery loop. */
  send(message: OutgoingMessage, signal: AbortSignal): Promise<SendResult>
  close?(): Promise<void>
}
