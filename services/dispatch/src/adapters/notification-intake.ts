import type pg from 'pg'
import { nameBasedUuid } from '@anxin/contracts'
import type { DeliveryChannel } from '../channels/channel.ts'
import { planDelivery } from '../domain/delivery-plan.ts'
import { composeMessage, type MessageFacts } from '../domain/messages.ts'
import { issueLink } from './action-links.ts'
import type { AlarmFacts } from './alarm-facts.ts'
import { loadSettings } from './dispatch-settings.ts'
import { loadReach, type Recipient } from './recipient-reach.ts'

export type NotificationPurpose = 'alarm' | 'task_offer' | 'family_update' | 'stand_down'

export type NotificationRequest = {
  /** Deterministic: the same command delivered twice is recognised by it and notifies nobody twice. */
  commandId: string
  purpose: NotificationPurpose
  facts: AlarmFacts
  recipient: Recipient
  /** The channels asked for (escalation's step channels; may include 'console', which is not ours). */
  requested: readonly string[]
  reason: MessageFacts['reason']
  update: MessageFacts['update']
  taskId: string | null
}

export type IntakeContext = { configured: ReadonlySet<DeliveryChannel>; linkSecrets: readonly string[]; publicBaseUrl: string; now: string }

export type IntakeResult = { created: false } | { created: true; unreachable: boolean; queued: DeliveryChannel[]; notBefore: string | null }

const LINK_PURPOSES: ReadonlySet<NotificationPurpose> = new Set(['alarm', 'task_offer'])

export const deliveryId = (commandId: string, channel: DeliveryChannel): string => nameBasedUuid(`delivery\n${commandId}\n${channel}`)

/**
 * Turns one request into a stored notification and its first deliveries, in the caller's transaction: the
 * message is composed once (the same words on every channel), the link issued, the channels planned from the
 * person's preferences and quiet hours, and the channels to use now queued for the workers. The rest wait as
 * fallbacks.
 */
export async function acceptNotification(client: pg.ClientBase, request: NotificationRequest, context: IntakeContext): Promise<IntakeResult> {
  const { facts, recipient } = request
  const settings = await loadSettings(client, facts.orgId)
  const reach = await loadReach(client, recipient, context.configured, settings)
  const critical = request.purpose === 'stand_down' || facts.critical
  const plan = planDelivery({ requested: request.requested, available: reach.available, preferences: reach.preferences, critical, now: context.now })

  let link: { tokenId: string; url: string } | null = null
  if (LINK_PURPOSES.has(request.purpose)) {
    const expiresAt = new Date(Date.parse(context.now) + settings.linkTtlSeconds * 1000).toISOString()
    link = await issueLink(
      client,
      { commandId: request.commandId, alarmId: facts.alarmId, orgId: facts.orgId, recipient: { kind: recipient.kind, id: recipient.id }, purpose: request.purpose as 'alarm' | 'task_offer', taskId: request.taskId, expiresAt },
      context.linkSecrets,
      context.publicBaseUrl,
    )
  }
  const words = composeMessage({
    purpose: request.purpose, locale: reach.locale, alarmType: facts.alarmType, critical, residentName: facts.residentName,
    residentAddress: facts.residentAddress, raisedAt: facts.raisedAt, timezone: facts.timezone, reason: request.reason, link: link?.url ?? null,
    update: request.update,
  })
  const message = {
    subject: words.subject, text: words.text, link: link?.url ?? null, locale: reach.locale,
    data: { alarmId: facts.alarmId, alarmType: facts.alarmType, purpose: request.purpose, priority: facts.priority, reason: request.reason, taskId: request.taskId },
  }
  const inserted = await client.query(
    `INSERT INTO notification_requests
       (command_id, alarm_id, org_id, resident_id, purpose, recipient_kind, recipient_id, recipient, critical, reason, message, fallbacks, link_token_id, task_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (command_id) DO NOTHING`,
    [
      request.commandId, facts.alarmId, facts.orgId, facts.residentId, request.purpose, recipient.kind, recipient.id, recipient, critical,
      request.reason, message, plan.fallbacks, link?.tokenId ?? null, request.taskId, plan.unreachable ? 'unreachable' : 'open',
    ],
  )
  if (inserted.rowCount === 0) return { created: false }
  const dueAt = plan.notBefore ?? context.now
  for (const channel of plan.sendNow) await queueDelivery(client, request.commandId, channel, dueAt, plan.notBefore ? 'deferred_quiet_hours' : 'queued')
  return { created: true, unreachable: plan.unreachable, queued: plan.sendNow, notBefore: plan.notBefore }
}

export async function queueDelivery(client: pg.ClientBase, commandId: string, channel: DeliveryChannel, dueAt: string, event: string): Promise<string> {
  const id = deliveryId(commandId, channel)
  await client.query(
    `WITH queued AS (
       INSERT INTO deliveries (id, command_id, channel, status, next_attempt_at) VALUES ($1, $2, $3, 'queued', $4)
       ON CONFLICT (command_id, channel) DO NOTHING RETURNING id
     )
     INSERT INTO delivery_events (delivery_id, event) SELECT id, $5 FROM queued`,
    [id, commandId, channel, dueAt, event],
  )
  return id
}
