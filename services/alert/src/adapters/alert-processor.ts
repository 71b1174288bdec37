import type { AlarmLifecycleEvent, DeviceEnvelope } from '@anxin/contracts'
import type { Logger } from '@anxin/logging'
import { alarmIdFor, applyDecision, sameSlot, type AlarmChange, type OpenAlarm, type ResidentContext } from '../domain/alarm-book.ts'
import type { ResidentProfile } from '../domain/profile.ts'
import { checkSilence, initialResidentStates, observe, seedDevice, type ResidentRuleStates } from '../domain/resident-rules.ts'
import type { Decision, RaiseDecision } from '../domain/types.ts'
import type { AlarmStore } from './alarm-store.ts'
import { testClearDecision, testSignal } from '../domain/device-test-rule.ts'
import type { DeviceTestStore } from './device-test-store.ts'
import type { ContactSignals } from './contact-signals.ts'
import { KeyedLock } from './keyed-lock.ts'
import { UrgentFirst } from './urgent-first.ts'
import type { AlertMetrics } from './metrics.ts'
import type { OutboxRelay } from '@anxin/kafka'
import type { ProfileCache } from './profile-cache.ts'
import type { RuleStateStore } from './rule-state-store.ts'

const HANDLE_SLICE = 50

export type ProcessorDeps = {
  profiles: ProfileCache
  states: RuleStateStore<ResidentRuleStates>
  alarms: AlarmStore
  relay: OutboxRelay
  metrics: AlertMetrics
  logger: Logger
  fallGraceSeconds: number
  now?: () => Date
  /** Where test signals of buttons and wearables are recorded (the weekly test); absent: not recorded. */
  deviceTests?: DeviceTestStore
  /** Records daily-contact signals (check-ins, device activity, visits); absent: none recorded. */
  contacts?: ContactSignals
}

/**
 * Applies the rules to device envelopes and to the passing of time, one resident at a time, and hands the
 * resulting alarm changes to the store. Rule states are flushed to Redis after each batch, and the Kafka
 * offsets are committed after that, so a crash replays the batch against the states it started from.
 */
export class AlertProcessor {
  private readonly lock = new KeyedLock()
  private readonly urgentFirst = new UrgentFirst()
  private readonly deps: ProcessorDeps
  private readonly log: Logger
  private readonly now: () => Date

  constructor(deps: ProcessorDeps) {
    this.deps = deps
    this.log = deps.logger.child({ component: 'alert-processor' })
    this.now = deps.now ?? (() => new Date())
  }

  /** SOS and falls, from the urgent lane: telemetry waits at its next slice until these are done. */
  handleUrgent(envelopes: DeviceEnvelope[]): Promise<void> {
    return this.urgentFirst.run(() => this.handle(envelopes, 'urgent'))
  }

  async handle(envelopes: DeviceEnvelope[], lane: 'urgent' | 'bulk' = 'bulk'): Promise<void> {
    // A telemetry batch can hold thousands of envelopes. Working through it in slices, and letting the event
    // loop run between them, keeps an SOS arriving on the urgent consumer from waiting for the whole batch;
    // and while one is in hand, no new slice starts.
    for (let i = 0; i < envelopes.length; i += HANDLE_SLICE) {
      if (lane === 'bulk') await this.urgentFirst.clear()
      await Promise.all(envelopes.slice(i, i + HANDLE_SLICE).map(envelope => this.process(envelope)))
      if (i + HANDLE_SLICE < envelopes.length) await new Promise(resolve => setImmediate(resolve))
    }
    if (lane === 'bulk') await this.urgentFirst.clear()
    await this.deps.states.flush()
  }

  private async process(envelope: DeviceEnvelope): Promise<void> {
    const residentId = envelope.residentId
    if (!residentId) {
      // A device bound to nobody is still tested (it is in the maintenance list); no alarm to clear.
      await this.recordTest(envelope, false)
      this.deps.metrics.skipped.inc({ reason: 'no_resident' })
      return
    }
    this.residents.add(residentId)
    await this.lock.run(residentId, async () => {
      const profile = await this.deps.profiles.get(residentId)
      if (!profile) {
        this.deps.metrics.skipped.inc({ reason: 'unknown_resident' })
        return
      }
      const states = (await this.deps.states.get(residentId)) ?? initialResidentStates()
      const result = observe(states, profile, envelope, { fallGraceSeconds: this.deps.fallGraceSeconds })
      await this.applyDecisions(profile, result.decisions.map(decision => ({ decision, deviceId: envelope.deviceId })))
      this.deps.states.set(residentId, result.state)
      const testMode = profile.devices.some(d => d.deviceId === envelope.deviceId && d.testMode === true)
      const test = await this.recordTest(envelope, testMode)
      if (test) await this.applyDeviceChange(profile, envelope.deviceId, open => testClearDecision(open.find(a => a.type === 'device_test_overdue' && a.deviceId === envelope.deviceId && !a.test) ?? null, test))
      this.deps.metrics.observations.inc({ type: envelope.type })
      if (envelope.type === 'device.alarm') {
        this.deps.metrics.urgentLatency.observe((this.now().getTime() - Date.parse(envelope.receivedAt)) / 1000)
      }
    })
    // Daily-contact bookkeeping comes after the alarm work, so an SOS never waits for it.
    await this.deps.contacts?.observeDevice(envelope)
  }

  /** Residents seen since start; with those restored from Redis, the ones the silence check covers. */
  readonly residents = new Set<string>()

  /**
   * Starts the supervision clock of devices the service has no state for (first start, or Redis lost its
   * data), from the last time the database saw them, so a device silent across the restart is still found.
   */
  async seedSupervision(entries: Array<{ residentId: string; deviceId: string; lastSeenAt: string }>): Promise<void> {
    for (const entry of entries) {
      this.residents.add(entry.residentId)
      await this.lock.run(entry.residentId, async () => {
        const states = (await this.deps.states.get(entry.residentId)) ?? initialResidentStates()
        const seeded = seedDevice(states, entry.deviceId, entry.lastSeenAt, `seed:${entry.deviceId}:${entry.lastSeenAt}`)
        if (seeded !== states) this.deps.states.set(entry.residentId, seeded)
      })
    }
    await this.deps.states.flush()
  }

  /** Runs the silence rules (offline, not worn, inactivity) for every resident the service knows. */
  async checkSilence(residentIds: string[]): Promise<void> {
    const now = this.now().toISOString()
    for (const residentId of residentIds) {
      await this.lock.run(residentId, async () => {
        const profile = await this.deps.profiles.get(residentId)
        const states = await this.deps.states.get(residentId)
        if (!profile || !states) return
        const result = checkSilence(states, profile, now)
        await this.applyDecisions(profile, result.decisions)
        this.deps.states.set(residentId, result.state)
      })
    }
    await this.deps.states.flush()
  }

  /**
   * A person resolved or closed an alarm (escalation's lifecycle). The alert service's own record of it is
   * closed too: otherwise the next press of the same button, or the next fall, would only add to an alarm
   * nobody is handling any more, and nobody would be told. Idempotent: a replayed event finds it closed.
   */
  async closeHandled(events: ReadonlyArray<Pick<AlarmLifecycleEvent, 'alarmId' | 'residentId' | 'state' | 'outcome'>>): Promise<void> {
    for (const event of events) {
      if (event.state !== 'resolved' && event.state !== 'closed') continue
      await this.clearAlarm(event.residentId, event.alarmId, `handled: ${event.outcome ?? event.state}`)
    }
  }

  /**
   * Raises an alarm decided outside the device rules (the daily-contact watch) through the normal path, under
   * the resident's lock. Returns the id of the resident's open alarm of that type (the one raised, or the open
   * one it was added to), or null for an unknown resident.
   */
  async raiseCareAlarm(residentId: string, decision: RaiseDecision): Promise<string | null> {
    return this.lock.run(residentId, async () => {
      const profile = await this.deps.profiles.get(residentId)
      if (!profile) return null
      await this.applyDecisions(profile, [{ decision, deviceId: null }])
      const open = await this.deps.alarms.loadOpen(residentId)
      // Already closed again (a replay long after): the id it was raised under.
      return open.find(a => a.type === decision.type && !a.test)?.alarmId ?? alarmIdFor(residentId, decision.type, decision.evidence[0]?.eventId ?? '')
    })
  }

  /** The weekly-test watch raises an overdue device's alarm (never a test alarm: test-mode devices are not judged). */
  async raiseForDevice(residentId: string, deviceId: string, decision: Decision): Promise<boolean> {
    return this.lock.run(residentId, async () => {
      const profile = await this.deps.profiles.get(residentId)
      return profile ? this.applyDeviceChange(profile, deviceId, () => decision) : false
    })
  }

  /** Closes one open alarm the rules no longer stand behind (a device revoked, unbound or tested meanwhile). */
  async clearAlarm(residentId: string, alarmId: string, reason: string): Promise<boolean> {
    return this.lock.run(residentId, async () => {
      const profile = await this.deps.profiles.get(residentId)
      const alarm = profile ? (await this.deps.alarms.loadOpen(residentId)).find(a => a.alarmId === alarmId) : undefined
      if (!profile || !alarm) return false
      const change: AlarmChange = { kind: 'cleared', alarm: { ...alarm, version: alarm.version + 1 }, evidence: [], reason }
      return this.commit(await this.deps.alarms.apply(contextOf(profile), [change], this.now().toISOString()))
    })
  }

  private async recordTest(envelope: DeviceEnvelope, testMode: boolean): Promise<{ eventId: string; at: string } | null> {
    const test = this.deps.deviceTests ? testSignal(envelope, testMode) : null
    if (test) await this.deps.deviceTests!.record(envelope.deviceId, test.at, test.eventId)
    return test
  }

  /** One decision about a device's real (not test) alarm slot, under the resident's lock held by the caller. */
  private async applyDeviceChange(profile: ResidentProfile, deviceId: string, decide: (open: OpenAlarm[]) => Decision | null): Promise<boolean> {
    const open = await this.deps.alarms.loadOpen(profile.residentId)
    const decision = decide(open)
    if (!decision) return false
    const context = contextOf(profile)
    const now = this.now().toISOString()
    const change = applyDecision(open, context, decision, { deviceId, now, test: false })
    return change ? this.commit(await this.deps.alarms.apply(context, [change], now)) : false
  }

  /** Counts and logs what was applied and wakes the outbox relay. */
  private commit(applied: AlarmChange[]): boolean {
    for (const change of applied) {
      this.deps.metrics.alarmChanges.inc({ kind: change.kind, type: change.alarm.type })
      // The alarm id is the only link to the person here: who it concerns is in the (audited) database.
      this.log.info({ alarmId: change.alarm.alarmId, kind: change.kind }, 'alarm changed')
    }
    if (applied.length > 0) this.deps.relay.kick()
    return applied.length > 0
  }

  private async applyDecisions(profile: ResidentProfile, decisions: Array<{ decision: Decision; deviceId: string | null }>): Promise<void> {
    if (decisions.length === 0) return
    const context = contextOf(profile)
    const now = this.now().toISOString()
    let open: OpenAlarm[] = await this.deps.alarms.loadOpen(profile.residentId)
    const changes: AlarmChange[] = []
    for (const { decision, deviceId } of decisions) {
      // A device in test mode raises test alarms: the test view shows them, escalation calls nobody out.
      const test = deviceId !== null && profile.devices.some(d => d.deviceId === deviceId && d.testMode === true)
      const change = applyDecision(open, context, decision, { deviceId, now, test })
      if (!change) continue
      changes.push(change)
      open = open.filter(a => !sameSlot(a, change.alarm.type, change.alarm.deviceId, change.alarm.test))
      if (change.kind === 'raised' || change.kind === 'updated') open.push(change.alarm)
    }
    this.commit(await this.deps.alarms.apply(context, changes, now))
  }
}

const contextOf = (profile: ResidentProfile): ResidentContext => ({ residentId: profile.residentId, orgId: profile.orgId, flags: profile.flags })
