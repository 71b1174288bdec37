import { parseUplinkTopic, type DeviceAck, type KafkaTopicNames, type UplinkChannel } from '@anxin/contracts'
import { backoffDelay, buildDeadLetter, sleep, type OutgoingRecord } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { classifyUplink, type Accepted, type Rejected } from '../domain/classify-uplink.ts'
import { acceptedAck, rejectedAck } from '../domain/device-ack.ts'
import type { ClockWindow } from '../domain/device-clock.ts'
import type { RegisteredDevice } from '../domain/registered-device.ts'
import type { DeviceRateLimiter } from './device-rate-limiter.ts'
import type { KafkaBatcher } from './kafka-batcher.ts'
import type { IngestionMetrics } from './metrics.ts'
import type { SequenceTracker } from './sequence-tracker.ts'
import type { UrgentDedupe } from './urgent-dedupe.ts'

export type LaneDeps = {
  lookupDevice: (deviceId: string) => Promise<RegisteredDevice | null>
  /** Urgent records go through their own producer, never queued behind telemetry. */
  urgentBatcher: KafkaBatcher
  standardBatcher: KafkaBatcher
  dedupe: UrgentDedupe
  sendAck: (deviceId: string, ack: DeviceAck) => Promise<void>
  topics: KafkaTopicNames
  metrics: IngestionMetrics
  logger: Logger
  stopping: AbortSignal
  now?: () => Date
  /** Device security (docs/device-security.md); each is skipped when absent. None ever refuses an alarm. */
  rateLimiter?: DeviceRateLimiter
  clockWindow?: ClockWindow
  sequences?: SequenceTracker
}

const laneTopic: Record<UplinkChannel, keyof KafkaTopicNames> = {
  alarm: 'deviceAlarm',
  telemetry: 'deviceTelemetry',
  event: 'deviceEvent',
}

/**
 * What happens to one MQTT message, per lane. Resolving the returned promise releases the MQTT PUBACK, so
 * for the urgent and event lanes it resolves only after Kafka has acknowledged the write (and, for urgent
 * messages, after the device's application-level acknowledgement has been handed to the broker).
 */
export function createUplinkHandler(deps: LaneDeps) {
  const now = deps.now ?? (() => new Date())
  const log = deps.logger.child({ component: 'uplink' })

  async function untilDone<T>(step: string, action: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await action()
      } catch (error) {
        if (deps.stopping.aborted) throw error
        deps.metrics.retries.inc({ step })
        const delay = backoffDelay(attempt, { maxMs: 2000 })
        log.warn({ step, err: (error as Error).message, attempt, delay }, 'hand-off step failed, retrying')
        await sleep(delay, deps.stopping)
      }
    }
  }

  function deadLetter(
    topic: string,
    deviceId: string | null,
    payload: Buffer,
    rejected: Pick<Rejected, 'reason' | 'detail'>,
    receivedAt: Date,
    urgent = false,
  ): Promise<void> {
    deps.metrics.deadLetters.inc({ reason: rejected.reason })
    const letter = buildDeadLetter({ ...rejected, origin: { kind: 'mqtt', topic }, deviceId, payload, receivedAt })
    const record: OutgoingRecord = { key: deviceId ?? letter.deadLetterId, value: letter, headers: { reason: letter.reason } }
    // A refused SOS is written on the urgent lane too, so a telemetry backlog never holds up the alarm connection.
    return (urgent ? deps.urgentBatcher : deps.standardBatcher).add(deps.topics.deadLetter, record)
  }

  function toRecord(accepted: Accepted): OutgoingRecord {
    const envelope = accepted.envelope
    return {
      key: envelope.deviceId,
      value: envelope,
      headers: { 'event-id': envelope.eventId, type: envelope.type, 'schema-version': String(envelope.schemaVersion) },
    }
  }

  /**
   * A message over its device's limit is dead-lettered without waiting for that write, so refusing a flood
   * costs this lane (whose messages are handled one at a time) next to nothing; the MQTT PUBACK still goes
   * out, so the device does not send the message again and again.
   */
  async function refuseOverLimit(topic: string, deviceId: string, channel: 'telemetry' | 'event', payload: Buffer, receivedAt: Date, firstRefusal: boolean): Promise<void> {
    deps.metrics.rateLimited.inc({ channel })
    deps.metrics.messages.inc({ channel, outcome: 'rate_limited' })
    if (firstRefusal) log.warn({ deviceId, channel }, 'device over its rate limit: messages dead-lettered until it slows down')
    deadLetter(topic, deviceId, payload, { reason: 'rate_limited', detail: `over ${channel} rate limit` }, receivedAt).catch(error =>
      log.warn({ err: (error as Error).message }, 'rate-limited message not dead-lettered'),
    )
    await deps.standardBatcher.waitForCapacity()
  }

  async function handleUrgent(deviceId: string, accepted: Accepted, started: number): Promise<void> {
    const { eventId, source } = accepted.envelope
    const duplicate = await deps.dedupe.alreadyRecorded(eventId)
    if (!duplicate) {
      await deps.urgentBatcher.add(deps.topics.deviceAlarm, toRecord(accepted))
      await deps.dedupe.markRecorded(eventId)
    }
    if (source.clockSuspect && !duplicate) deps.metrics.clockSuspectAlarms.inc()
    await untilDone('ack', () => deps.sendAck(deviceId, acceptedAck(source.messageId, eventId, duplicate, now())))
    deps.metrics.messages.inc({ channel: 'alarm', outcome: duplicate ? 'duplicate' : 'accepted' })
    deps.metrics.urgentHandoff.observe((performance.now() - started) / 1000)
    log.info({ deviceId, eventId, type: accepted.envelope.type, duplicate }, 'urgent event recorded')
  }

  return async function handle(topic: string, payload: Buffer): Promise<void> {
    const started = performance.now()
    const receivedAt = now()
    const parsed = parseUplinkTopic(topic)
    if (!parsed) {
      deps.metrics.messages.inc({ channel: 'unknown', outcome: 'rejected' })
      return deadLetter(topic, null, payload, { reason: 'unknown_topic', detail: `not a device uplink topic: ${topic}` }, receivedAt)
    }
    const { deviceId, channel } = parsed
    // Before anything else costs time: the broker's ACL makes the topic's device id the sender's own login.
    if (channel !== 'alarm' && deps.rateLimiter) {
      const { allowed, firstRefusal } = deps.rateLimiter.allow(deviceId, channel)
      if (!allowed) return refuseOverLimit(topic, deviceId, channel, payload, receivedAt, firstRefusal)
    }
    const device = await untilDone('registry', () => deps.lookupDevice(deviceId))
    const result = classifyUplink({ topic, deviceId, channel, payload, device, receivedAt, clockWindow: deps.clockWindow })

    if (result.kind === 'rejected') {
      deps.metrics.messages.inc({ channel, outcome: 'rejected' })
      log.warn({ deviceId, channel, reason: result.reason }, 'device message rejected')
      await deadLetter(topic, deviceId, payload, result, receivedAt, channel === 'alarm')
      // An urgent message the platform cannot take is answered, so the device stops retrying and can warn its wearer.
      if (channel === 'alarm' && result.messageId) {
        await untilDone('ack', () => deps.sendAck(deviceId, rejectedAck(result.messageId!, result.reason, now())))
      }
      return
    }
    if (channel === 'alarm') return handleUrgent(deviceId, result, started)
    const seq = result.envelope.source.seq
    if (deps.sequences && seq !== null) {
      const verdict = await deps.sequences.check(deviceId, { seq, ts: Date.parse(result.envelope.occurredAt) })
      if (verdict.replayed) {
        deps.metrics.messages.inc({ channel, outcome: 'rejected' })
        log.warn({ deviceId, channel, reason: 'replayed' }, 'device message rejected')
        return deadLetter(topic, deviceId, payload, { reason: 'replayed', detail: verdict.detail }, receivedAt)
      }
    }

    const written = deps.standardBatcher.add(deps.topics[laneTopic[channel]], toRecord(result))
    deps.metrics.messages.inc({ channel, outcome: 'accepted' })
    // Events (an "I'm OK" cancelling a fall) wait for Kafka; telemetry only waits when the queue is full.
    if (channel === 'event') return written
    // Only refused while shutting down, after intake has stopped; nothing to hand back to the device then.
    written.catch(error => log.warn({ err: (error as Error).message }, 'telemetry not written'))
    await deps.standardBatcher.waitForCapacity()
  }
}

