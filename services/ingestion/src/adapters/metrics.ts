import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export type IngestionMetrics = ReturnType<typeof createIngestionMetrics>

/** `pendingRecords` is read at scrape time: how many accepted records still wait for their Kafka write. */
export function createIngestionMetrics(pendingRecords: () => number) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_ingestion_' })
  return {
    registry,
    messages: new Counter({
      name: 'anxin_ingestion_messages_total',
      help: 'Device messages received, by channel and outcome (accepted, duplicate, rejected, rate_limited)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'anxin_ingestion_dead_letters_total',
      help: 'Device messages sent to the dead-letter topic, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    urgentHandoff: new Histogram({
      name: 'anxin_ingestion_urgent_handoff_seconds',
      help: 'Time from receiving an urgent message to the device acknowledgement (Kafka write included)',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pendingTelemetry: new Gauge({
      name: 'anxin_ingestion_pending_records',
      help: 'Accepted records waiting for the Kafka write',
      registers: [registry],
      collect() {
        this.set(pendingRecords())
      },
    }),
    rateLimited: new Counter({
      name: 'anxin_ingestion_rate_limited_total',
      help: 'Telemetry and event messages refused because their device was over its rate limit, by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    clockSuspectAlarms: new Counter({
      name: 'anxin_ingestion_clock_suspect_alarms_total',
      help: 'Alarms taken although their device time was outside the window (stamped with the receipt time)',
      registers: [registry],
    }),
    retries: new Counter({
      name: 'anxin_ingestion_retries_total',
      help: 'Retries of a failed hand-off (registry lookup, Kafka write, acknowledgement), by step',
      labelNames: ['step'] as const,
      registers: [registry],
    }),
  }
}
