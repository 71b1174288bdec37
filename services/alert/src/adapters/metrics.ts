import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export type AlertMetrics = ReturnType<typeof createAlertMetrics>

export function createAlertMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_alert_' })
  return {
    registry,
    observations: new Counter({ name: 'anxin_alert_observations_total', help: 'Device envelopes evaluated, by type', labelNames: ['type'] as const, registers: [registry] }),
    skipped: new Counter({ name: 'anxin_alert_skipped_total', help: 'Envelopes not evaluated, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    alarmChanges: new Counter({ name: 'anxin_alert_alarm_changes_total', help: 'Alarm changes applied, by kind and type', labelNames: ['kind', 'type'] as const, registers: [registry] }),
    published: new Counter({ name: 'anxin_alert_events_published_total', help: 'Alarm events published to Kafka', registers: [registry] }),
    urgentLatency: new Histogram({
      name: 'anxin_alert_urgent_seconds',
      help: 'From the platform receiving an SOS or fall to its alarm being stored',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  }
}
