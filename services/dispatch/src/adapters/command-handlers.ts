import type pg from 'pg'
import type { AlarmLifecycleEvent, NotifyCommandMessage } from '@anxin/contracts'
import { withTransaction } from '@anxin/db'
import { DELIVERY_CHANNELS, type DeliveryChannel } from '../channels/channel.ts'
import type { UpdateKind } from '../domain/messages.ts'
import { isCritical, loadAlarmFacts, type AlarmFacts } from './alarm-facts.ts'
import { assignedCarerOf } from './assigned-carer.ts'
import { intakeContext, type DispatchContext } from './dispatch-context.ts'
import { loadSettings } from './dispatch-settings.ts'
import { closeRequests } from './delivery-store.ts'
import { acceptNotification } from './notification-intake.ts'
import type { TaskDesk } from './task-desk.ts'

/**
 * Escalation asks us to notify people. The command id is the notification's primary key, so a command
 * delivered again (Kafka is at-least-once) finds its notification and notifies nobody twice. A chunk of
 * commands is taken in one transaction: one commit for all of them, and the workers woken once.
 */
export async function handleNotifyCommands(context: DispatchContext, commands: readonly NotifyCommandMessage[]): Promise<void> {
  const queued = new Set<DeliveryChannel>()
  await withTransaction(context.pool, async client => {
    for (const command of commands) for (const channel of await acceptCommand(context, client, command)) queued.add(channel)
  })
  if (queued.size > 0) context.kick(queued)
}

/** Returns the channels it queued deliveries on. */
async function acceptCommand(context: DispatchContext, client: pg.PoolClient, command: NotifyCommandMessage): Promise<DeliveryChannel[]> {
  const { recipient } = command
  const kind = recipient.kind
  // A recommendation (call 120) is for the operator's console, which reads it from the lifecycle; not ours.
  if (kind === 'recommendation') return []
  // A step meant for the console alone (a flat battery during the operator's shift) is not ours to send: the
  // fallback to any channel that reaches a person is for steps that asked to reach them.
  if (!command.channels.some(c => (DELIVERY_CHANNELS as readonly string[]).includes(c))) return []
  const facts = await loadAlarmFacts(client, command.alarmId)
  if (!facts) {
    context.logger.error({ alarmId: command.alarmId, commandId: command.commandId }, 'notify command for an unknown alarm; nothing can be composed')
    return []
  }
  // A step that raced with the acknowledgement (the lifecycle topic was read first) must not ring someone
  // about an alarm that a person already has; escalation's overdue reasons are sent after it on purpose.
  const current = facts.lifecycleState
  const stale = ['resolved', 'closed'].includes(current) || ((command.reason === 'escalation' || command.reason === 'repeat') && !['raised', 'notified'].includes(current))
  if (stale) {
    context.logger.info({ alarmId: command.alarmId, commandId: command.commandId, state: current }, 'notify command overtaken by the lifecycle; not sent')
    return []
  }
  const result = await acceptNotification(
    client,
    {
      commandId: command.commandId, purpose: 'alarm', facts: { ...facts, priority: command.priority, critical: isCritical(facts.alarmType, command.priority) },
      recipient: { ...recipient, kind }, requested: command.channels, reason: command.reason, update: null, taskId: null,
    },
    intakeContext(context),
  )
  if (result.created && result.unreachable) {
    context.logger.warn({ alarmId: command.alarmId, commandId: command.commandId, recipientKind: recipient.kind }, 'recipient has no channel that can reach them')
  }
  return result.created && !result.notBefore ? result.queued : []
}

const FAMILY_UPDATES: Partial<Record<string, UpdateKind>> = { raise: 'raised', dispatch: 'dispatched', arrive: 'arrived', resolve: 'resolved', auto_resolve: 'resolved' }

/**
 * Reacts to the alarm's lifecycle: a raised SOS gets a visit task at once; once someone has the alarm the
 * pending alarm notifications stop; once it is over, open tasks are cancelled (anyone on the way is stood
 * down); and the family hears, in plain words, what is happening.
 */
export async function handleLifecycleEvent(context: DispatchContext, tasks: TaskDesk, event: AlarmLifecycleEvent): Promise<void> {
  await withTransaction(context.pool, async client => {
    const facts = await loadAlarmFacts(client, event.alarmId)
    // A test alarm (a device in test mode) sends nobody out and tells no family.
    if (!facts || facts.test) return
    const settings = await loadSettings(client, facts.orgId)
    // A missed daily contact always sends the resident's own carer round, whatever the organisation's auto-task list.
    if (event.action === 'raise' && event.alarmType === 'missed_contact') {
      await tasks.createVisit(client, event.alarmId, { sequence: 1, facts, offerTo: (await assignedCarerOf(client, facts.residentId)) ?? undefined })
    } else if (event.action === 'raise' && settings.autoTaskAlarmTypes.includes(event.alarmType)) await tasks.createVisit(client, event.alarmId, { sequence: 1, facts })
    if (event.action === 'acknowledge' || event.action === 'dispatch') await closeRequests(client, event.alarmId, ['alarm'], 'acknowledged')
    if (event.state === 'resolved' || event.state === 'closed') {
      await closeRequests(client, event.alarmId, ['alarm', 'task_offer'], event.state)
      await tasks.cancelForAlarm(client, event.alarmId, event.state === 'resolved' ? `alarm resolved (${event.outcome ?? 'no outcome'})` : 'alarm closed')
    }
    const update = FAMILY_UPDATES[event.action]
    if (update && settings.familyUpdateAlarmTypes.includes(event.alarmType)) await tellFamily(context, client, facts, event, update)
  })
  context.kick()
}

async function tellFamily(context: DispatchContext, client: pg.ClientBase, facts: AlarmFacts, event: AlarmLifecycleEvent, update: UpdateKind): Promise<void> {
  const contacts = await client.query<{ position: number; full_name: string; relation: string; phone: string }>(
    'SELECT position, full_name, relation, phone FROM emergency_contacts WHERE resident_id = $1 ORDER BY position LIMIT 3',
    [facts.residentId],
  )
  const responderRole = update === 'dispatched' || update === 'arrived' ? await responderRoleOf(client, event.alarmId) : null
  for (const c of contacts.rows) {
    const contactId = `${facts.residentId}:contact:${c.position}`
    await acceptNotification(
      client,
      {
        commandId: `family:${event.alarmId}:v${event.version}:${contactId}`, purpose: 'family_update', facts,
        recipient: { kind: 'contact', id: contactId, role: c.relation, name: c.full_name, phone: c.phone, email: null },
        requested: ['sms'], reason: null, update: { kind: update, responderRole, outcome: event.outcome }, taskId: null,
      },
      intakeContext(context),
    )
  }
}

async function responderRoleOf(client: pg.ClientBase, alarmId: string): Promise<'carer' | 'doctor' | 'contact' | null> {
  const { rows } = await client.query<{ kind: string | null; role: string | null }>(
    `SELECT l.lifecycle->'responder'->>'kind' AS kind, s.role FROM alarm_lifecycles l
     LEFT JOIN staff s ON s.id = l.lifecycle->'responder'->>'id' WHERE l.alarm_id = $1`,
    [alarmId],
  )
  const r = rows[0]
  if (!r?.kind) return null
  if (r.kind === 'contact') return 'contact'
  return r.role === 'doctor' ? 'doctor' : 'carer'
}
