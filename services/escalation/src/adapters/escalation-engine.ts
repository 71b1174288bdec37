import type pg from 'pg'
import { nameBasedUuid, type AlarmEvent, type AlarmLifecycleEvent, type NotifyCommandMessage } from '@anxin/contracts'
import { withTransaction } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import { onAcknowledged, onDispatched, onRaised, onReopened, onTimer, type EscalationView, type PlannedTimer } from '../domain/escalation-plan.ts'
import { initialLifecycle, transition, type AlarmLifecycle, type LifecycleAction, type LifecycleAuditEntry, type TransitionResult } from '../domain/lifecycle.ts'
import { DEFAULT_POLICIES, selectPolicy, type EscalationPolicy } from '../domain/policy.ts'
import { appendAudit } from '@anxin/audit'
import { insertRecord, loadRecord, saveRecord, type EscalationRecord } from './lifecycle-store.ts'
import { resolveRecipients } from './recipients.ts'
import { cancelTimers, scheduleTimer, type Timer } from './timer-store.ts'

export type EngineDeps = {
  pool: pg.Pool
  logger: Logger
  now?: () => Date
  /** Called after a commit that wrote outbox rows or timers, to wake the relay and the timer workers. */
  onCommitted?: () => void
}

const SYSTEM = { kind: 'system' as const, id: 'escalation' }

export type ActionOptions = { requestId?: string; arrivalDeadlineSeconds?: number }
/** A transition, or an action already applied under the same request id (nothing done the second time). */
export type ApplyResult = TransitionResult | { ok: true; duplicate: true; next: AlarmLifecycle }

async function alreadyApplied(client: pg.PoolClient, alarmId: string, requestId: string): Promise<boolean> {
  const { rowCount } = await client.query(`SELECT 1 FROM audit_log WHERE alarm_id = $1 AND detail->>'requestId' = $2 LIMIT 1`, [alarmId, requestId])
  return (rowCount ?? 0) > 0
}

/**
 * Owns each alarm from raise to close: creates its lifecycle when the alert service raises it, runs the
 * policy's steps from durable timers, and applies people's actions. Every change, its audit entry, the
 * timers it schedules and the messages it announces commit in one transaction.
 */
export class EscalationEngine {
  private readonly deps: EngineDeps
  private readonly log: Logger
  private readonly now: () => Date

  constructor(deps: EngineDeps) {
    this.deps = deps
    this.log = deps.logger.child({ component: 'escalation-engine' })
    this.now = deps.now ?? (() => new Date())
  }

  /** An event from the alert service. Redelivery is harmless: a known alarm is not raised again. */
  async onAlarmEvent(event: AlarmEvent): Promise<void> {
    if (event.kind === 'raised') return this.inTransaction(client => this.raise(client, event))
    if (event.kind === 'cleared') {
      await this.applyAction(event.alarmId, { kind: 'auto_resolve', actor: { kind: 'system', id: 'alert' }, at: this.nowIso(), channel: 'system' })
      return
    }
    if (event.kind === 'cancelled') {
      // The wearer called the alarm off ("I'm OK" after a fall): a person's decision, recorded as such.
      await this.applyAction(event.alarmId, {
        kind: 'resolve', outcome: 'false_alarm', actor: { kind: 'contact', id: event.residentId }, at: this.nowIso(), channel: 'system',
        note: 'cancelled by the wearer within the grace period',
      })
      return
    }
    // 'updated' (a repeated SOS, a worse reading): recorded, the escalation already under way carries on.
    await this.inTransaction(async client => {
      const record = await loadRecord(client, event.alarmId, { forUpdate: true })
      if (!record) return
      await appendAudit(client, {
        orgId: record.orgId, alarmId: event.alarmId, residentId: record.residentId, actorKind: 'system', actorId: 'alert',
        action: 'alarm_updated', channel: 'system', at: this.nowIso(),
        detail: { occurrences: event.occurrences, severity: event.severity, alarmVersion: event.version },
      })
    })
  }

  /**
   * A person's action on an alarm (acknowledge, dispatch, arrive, resolve, close, reopen, note, escalate).
   * With a `requestId` (another service delivering an action at least once) a repeat is recognised by its
   * audit row and answered `duplicate` without acting twice. `arrivalDeadlineSeconds` on a dispatch is the
   * deadline the responder was given (the organisation's, from dispatch); it replaces the policy's.
   */
  async applyAction(alarmId: string, action: LifecycleAction, options: ActionOptions = {}): Promise<ApplyResult | null> {
    return this.inTransaction(async client => {
      const record = await loadRecord(client, alarmId, { forUpdate: true })
      if (!record) return null
      if (options.requestId && (await alreadyApplied(client, alarmId, options.requestId))) return { ok: true, duplicate: true, next: record.lifecycle }
      const result = transition(record.lifecycle, action)
      if (!result.ok) return result
      const before = record.lifecycle
      record.lifecycle = result.next
      if (result.next.acknowledgedAt !== before.acknowledgedAt) record.escalation.acknowledgements += 1
      if (result.next.dispatchedAt !== before.dispatchedAt && result.next.state === 'dispatched') record.escalation.dispatches += 1
      await this.record(client, record, result.effect.audit, options.requestId)
      const found = await this.policyFor(client, record)
      const policy = found && options.arrivalDeadlineSeconds ? { ...found, arrivalTimeoutSeconds: options.arrivalDeadlineSeconds } : found
      const now = this.nowIso()
      const directive = result.effect.escalation
      if (directive === 'stop') await cancelTimers(client, alarmId)
      if (directive === 'pause_for_handling' && policy) {
        if (result.next.state === 'acknowledged' && before.state !== 'acknowledged') await this.schedule(client, onAcknowledged(this.view(record), policy, now).timers, policy)
        if (result.next.state === 'dispatched') await this.schedule(client, onDispatched(this.view(record), policy, now).timers, policy)
      }
      if (directive === 'escalate_now') await bringForward(client, alarmId, result.next.state)
      if (directive === 'start' && policy) {
        record.escalation = { ...record.escalation, level: -1, repeats: 0 }
        await this.schedule(client, onReopened(this.view(record), policy, now).timers, policy)
      }
      await saveRecord(client, record)
      return result
    })
  }

  /** Runs inside the timer runner's transaction: the step's work commits with the timer's "fired" mark. */
  async onTimer(timer: Timer, client: pg.PoolClient): Promise<void> {
    const record = await loadRecord(client, timer.alarmId, { forUpdate: true })
    if (!record) return
    const policy = await this.policyFor(client, record, typeof timer.payload.policyId === 'string' ? timer.payload.policyId : undefined)
    if (!policy) return
    const now = this.nowIso()
    const result = onTimer(this.view(record), policy, { key: timer.key, kind: timer.kind as PlannedTimer['kind'], level: timer.level, dueAt: timer.dueAt, payload: timer.payload }, now)
    for (const command of result.notify) {
      const recipients = await resolveRecipients(client, record, [command.target], now)
      for (const recipient of recipients) {
        const message: NotifyCommandMessage = {
          commandId: `${command.commandId}:${recipient.kind}:${recipient.id}`,
          schemaVersion: 1, alarmId: record.lifecycle.alarmId, orgId: record.orgId, residentId: record.residentId,
          alarmType: record.lifecycle.alarmType, priority: record.priority, level: command.level, reason: command.reason,
          recipient, channels: command.channels, at: now,
        }
        await client.query(
          `INSERT INTO escalation_outbox (event_id, topic, key, payload) VALUES ($1, 'dispatchCommand', $2, $3) ON CONFLICT (event_id) DO NOTHING`,
          [message.commandId, record.lifecycle.alarmId, message],
        )
        const notified = transition(record.lifecycle, {
          kind: 'notify', actor: SYSTEM, at: now, channel: 'system',
          recipient: { kind: recipient.kind === 'contact' ? 'contact' : recipient.kind === 'staff' ? 'staff' : 'system', id: recipient.id },
        })
        if (notified.ok) {
          record.lifecycle = notified.next
          await this.record(client, record, notified.effect.audit)
        }
      }
    }
    if (result.nextLevel !== null) record.escalation.level = result.nextLevel
    if (result.nextRepeats !== null) record.escalation.repeats = result.nextRepeats
    await this.schedule(client, result.timers, policy)
    await saveRecord(client, record)
  }

  private async raise(client: pg.PoolClient, event: AlarmEvent): Promise<void> {
    const record: EscalationRecord = {
      lifecycle: initialLifecycle(event.alarmId, event.type, new Date(event.occurredAt).toISOString()),
      orgId: event.orgId,
      residentId: event.residentId,
      priority: event.priority,
      escalation: { level: -1, repeats: 0, acknowledgements: 0, dispatches: 0 },
      ...(event.test ? { test: true } : {}),
    }
    if (!(await insertRecord(client, record))) return
    await appendAudit(client, {
      orgId: record.orgId, alarmId: event.alarmId, residentId: record.residentId, actorKind: 'system', actorId: 'alert',
      action: 'raise', channel: 'system', at: record.lifecycle.raisedAt,
      detail: { version: 1, alarmType: event.type, severity: event.severity, priority: event.priority, incidentId: event.incidentId, ...(event.test ? { test: true } : {}) },
    })
    await this.announce(client, record, { kind: 'raise', actor: { kind: 'system', id: 'alert' }, channel: 'system', at: record.lifecycle.raisedAt, note: null, outcome: null })
    // A test alarm is recorded and stays raised until someone resolves it; no step of any policy runs for it.
    if (record.test) return
    const policy = await this.policyFor(client, record)
    if (!policy) {
      this.log.error({ alarmId: event.alarmId }, 'no escalation policy matches this alarm')
      return
    }
    await this.schedule(client, onRaised(this.view(record), policy, this.nowIso()).timers, policy)
  }

  /** Audits one lifecycle change and announces it to the console, in the caller's transaction. */
  private async record(client: pg.PoolClient, record: EscalationRecord, audit: LifecycleAuditEntry, requestId?: string): Promise<void> {
    await appendAudit(client, {
      orgId: record.orgId, alarmId: audit.alarmId, residentId: record.residentId, actorKind: audit.actor.kind, actorId: audit.actor.id,
      action: audit.kind, channel: audit.channel, at: audit.at,
      detail: {
        version: audit.version, from: audit.from, to: audit.to, note: audit.note, recipient: audit.recipient, responder: audit.responder,
        outcome: audit.outcome, reason: audit.reason, text: audit.text, ...(requestId ? { requestId } : {}),
      },
    })
    await this.announce(client, record, { kind: audit.kind, actor: audit.actor, channel: audit.channel, at: audit.at, note: audit.note, outcome: audit.outcome })
  }

  private async announce(
    client: pg.PoolClient,
    record: EscalationRecord,
    change: { kind: string; actor: AlarmLifecycleEvent['actor']; channel: string; at: string; note: string | null; outcome: string | null },
  ): Promise<void> {
    const l = record.lifecycle
    const event: AlarmLifecycleEvent = {
      eventId: nameBasedUuid(`alarm-lifecycle\n${l.alarmId}\n${l.version}`),
      schemaVersion: 1, alarmId: l.alarmId, orgId: record.orgId, residentId: record.residentId, alarmType: l.alarmType,
      action: change.kind, state: l.state, version: l.version, escalationLevel: record.escalation.level,
      actor: change.actor, channel: change.channel, at: change.at, note: change.note, outcome: change.outcome,
    }
    await client.query(
      `INSERT INTO escalation_outbox (event_id, topic, key, payload) VALUES ($1, 'alarmLifecycle', $2, $3) ON CONFLICT (event_id) DO NOTHING`,
      [event.eventId, l.alarmId, event],
    )
  }

  private async schedule(client: pg.PoolClient, timers: PlannedTimer[], policy: EscalationPolicy): Promise<void> {
    for (const t of timers) {
      await scheduleTimer(client, { key: t.key, alarmId: this.alarmIdOf(t), kind: t.kind, level: t.level, dueAt: t.dueAt, payload: { policyId: policy.id, ...t.payload } })
    }
  }

  private alarmIdOf(timer: PlannedTimer): string {
    return timer.key.slice(0, 36)
  }

  /** The policy that escalates this alarm; none for a test alarm, so nothing it does ever schedules a step. */
  private async policyFor(client: pg.PoolClient, record: EscalationRecord, policyId?: string): Promise<EscalationPolicy | null> {
    if (record.test) return null
    const { rows } = await client.query(
      `SELECT id, org_id, name, match, steps, handling_timeout_seconds, arrival_timeout_seconds, repeat_every_seconds
       FROM escalation_policies WHERE org_id = $1 ORDER BY id`,
      [record.orgId],
    )
    const stored: EscalationPolicy[] = rows.map(r => ({
      id: r.id, orgId: r.org_id, name: r.name, match: r.match, steps: r.steps, handlingTimeoutSeconds: r.handling_timeout_seconds,
      arrivalTimeoutSeconds: r.arrival_timeout_seconds, repeatLastStepEverySeconds: r.repeat_every_seconds,
    }))
    const policies = stored.length > 0 ? stored : DEFAULT_POLICIES(record.orgId)
    const byId = policyId ? policies.find(p => p.id === policyId) : undefined
    return byId ?? selectPolicy(policies, { orgId: record.orgId, type: record.lifecycle.alarmType, priority: record.priority })
  }

  private view(record: EscalationRecord): EscalationView {
    return { alarmId: record.lifecycle.alarmId, state: record.lifecycle.state, reopenCount: record.lifecycle.reopenCount, ...record.escalation }
  }

  private nowIso(): string {
    return this.now().toISOString()
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    // Errors propagate: the Kafka consumer retries what it cannot classify, the HTTP layer answers 500.
    const result = await withTransaction(this.deps.pool, work)
    this.deps.onCommitted?.()
    return result
  }
}

/** Timers an operator's "escalate now" brings forward, by state: the pending step, or the deadline that resumes it. */
const DUE_NOW_KINDS: Record<string, string[]> = { raised: ['escalate', 'repeat'], notified: ['escalate', 'repeat'], acknowledged: ['handling'], dispatched: ['arrival'] }

/**
 * An operator asked to escalate now: the alarm's pending step (or, while someone handles it, the deadline
 * that would resume escalation) becomes due at once. The timer keeps its key, so it still fires only once.
 */
async function bringForward(client: pg.PoolClient, alarmId: string, state: string): Promise<void> {
  const kinds = DUE_NOW_KINDS[state]
  if (!kinds) return
  await client.query(
    `UPDATE escalation_timers SET due_at = now() WHERE alarm_id = $1 AND kind = ANY($2) AND fired_at IS NULL AND cancelled_at IS NULL`,
    [alarmId, kinds],
  )
}
