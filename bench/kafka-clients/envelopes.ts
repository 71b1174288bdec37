import { deviceEventId, mqttTopics, type AlarmEnvelope, type TelemetryEnvelope } from '@anxin/contracts'
import type { OutgoingRecord } from '../../packages/kafka/src/producer.ts'
import { DEFAULT_BASELINE, nextReading, seededRandom } from '../../simulators/src/vitals-model.ts'

/** What ingestion writes for an accepted envelope: keyed by device id, with the event id in a header. */
function toRecord(envelope: TelemetryEnvelope | AlarmEnvelope): OutgoingRecord {
  return {
    key: envelope.deviceId,
    value: envelope,
    headers: { 'event-id': envelope.eventId, type: envelope.type, 'schema-version': String(envelope.schemaVersion) },
  }
}

function base(deviceId: string, seq: number, at: Date, channel: 'telemetry' | 'alarm') {
  const messageId = `bench-${seq}`
  return {
    eventId: deviceEventId(deviceId, messageId),
    schemaVersion: 1 as const,
    deviceId,
    residentId: `res-${deviceId}`,
    orgId: 'org-bench',
    occurredAt: at.toISOString(),
    receivedAt: new Date(at.getTime() + 40).toISOString(),
    source: { mqttTopic: mqttTopics.uplink(deviceId, channel), messageId, seq },
  }
}

/**
 * Telemetry envelopes as ingestion builds them from the simulator's readings, generated a batch at a time
 * (deterministic with the seed) so that neither client's memory holds the whole run.
 */
export function telemetryBatches(options: { messages: number; batch: number; devices: number; runId: string; seed: number }) {
  const random = seededRandom(options.seed)
  const start = Date.UTC(2026, 10, 1, 1, 0, 0)
  let sent = 0
  return {
    next(): OutgoingRecord[] {
      const size = Math.min(options.batch, options.messages - sent)
      const records: OutgoingRecord[] = []
      for (let i = 0; i < size; i++, sent++) {
        const deviceId = `${options.runId}-w${sent % options.devices}`
        const at = new Date(start + sent * 10)
        const payload = { id: `bench-${sent}`, seq: sent, ts: at.getTime(), ...nextReading(random, DEFAULT_BASELINE, at, 80) }
        records.push(toRecord({ ...base(deviceId, sent, at, 'telemetry'), type: 'device.telemetry', payload }))
      }
      return records
    },
  }
}

/** One SOS press from a pendant, as the urgent lane writes it. */
export function sosRecord(runId: string, press: number): OutgoingRecord {
  const deviceId = `${runId}-p${press}`
  const at = new Date()
  const payload = { id: `bench-${press}`, seq: press, ts: at.getTime(), type: 'sos' as const, pressCount: 1 }
  return toRecord({ ...base(deviceId, press, at, 'alarm'), type: 'device.alarm', payload })
}
