import type { Logger } from '@anxin/logging'
import { WakeableLoop } from '@anxin/service-kit'
import { deviceTestStatus, overdueDecision, staleOverdueReason } from '../domain/device-test-rule.ts'
import type { AlertProcessor } from './alert-processor.ts'
import type { DeviceTestStore } from './device-test-store.ts'

/** Tests are counted in days: every five minutes finds an overdue device well within the hour. */
export const DEVICE_TEST_CHECK_MS = 5 * 60_000

/**
 * The weekly device test, on the clock: at start and every few minutes, raises `device_test_overdue` for each
 * bound button or wearable past its interval and grace, and closes the overdue alarms nothing stands behind
 * any more (the device was revoked, put in test mode, unbound, or tested while the event was on its way).
 * A test signal itself clears the alarm at once (AlertProcessor). Unbound devices raise nothing: an alarm
 * concerns a resident; they appear in the console's maintenance list only. Safe to run on every instance at
 * once: alarm ids are deterministic and each change is applied once.
 */
export class DeviceTestWatch {
  private readonly loop: WakeableLoop
  private readonly store: DeviceTestStore
  private readonly processor: () => AlertProcessor
  private readonly now: () => Date

  constructor(options: { store: DeviceTestStore; processor: () => AlertProcessor; logger: Logger; now?: () => Date; intervalMs?: number }) {
    this.store = options.store
    this.processor = options.processor
    this.now = options.now ?? (() => new Date())
    const log = options.logger.child({ component: 'device-test-watch' })
    this.loop = new WakeableLoop({
      step: async () => {
        await this.check()
        return false
      },
      idleMs: options.intervalMs ?? DEVICE_TEST_CHECK_MS,
      onError: (error, failures) => log.warn({ err: (error as Error).message, failures }, 'device test check failed; retrying'),
    })
  }

  start(): void {
    this.loop.start()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  /** One pass; returns how many alarms it raised and cleared. */
  async check(): Promise<{ raised: number; cleared: number }> {
    const now = this.now()
    const nowIso = now.toISOString()
    const processor = this.processor()
    let cleared = 0
    for (const open of await this.store.openOverdue()) {
      const status = deviceTestStatus(open.device, open.lastTestAt, open.settings, nowIso)
      const reason = staleOverdueReason(status, open.alarmSince, open.stillBound)
      if (reason && (await processor.clearAlarm(open.alarmResidentId, open.alarmId, reason))) cleared++
    }
    let raised = 0
    for (const candidate of await this.store.overdueCandidates(now)) {
      const decision = overdueDecision(candidate.device, deviceTestStatus(candidate.device, candidate.lastTestAt, candidate.settings, nowIso), nowIso)
      if (decision && (await processor.raiseForDevice(candidate.residentId, candidate.device.deviceId, decision))) raised++
    }
    return { raised, cleared }
  }
}
