import type { ChartInput, RateBar } from './chart.ts'
import type { Result } from './result.ts'

/** ThingsBoard's own published figures for a 2-vCPU machine (the anchors); shown, never measured here. */
const THINGSBOARD_PUBLISHED: RateBar[] = [
  { label: 'ThingsBoard, PostgreSQL + Kafka', value: 5000, kind: 'published' },
  { label: 'ThingsBoard, TimescaleDB + Kafka', value: 2000, kind: 'published' },
]

/** What the chart shows, from the results file: every figure present in it, nothing invented. */
export function chartFromResult(r: Result): ChartInput {
  const rates: RateBar[] = []
  if (r.floors) {
    rates.push({ label: 'Mosquitto alone (QoS 1)', value: r.floors.mosquitto_msgs_per_s, kind: 'floor' })
    rates.push({ label: 'Kafka producer alone (acks=all)', value: r.floors.kafka_produce_msgs_per_s, kind: 'floor' })
    rates.push({ label: 'PostgreSQL COPY alone (rows/s)', value: r.floors.pg_insert_rows_per_s, kind: 'floor' })
  }
  // Locally the time-series tables are plain PostgreSQL (no TimescaleDB package here); production uses the image.
  if (r.e2e) rates.push({ label: 'Anxin end to end (rules, 3 rows/msg)', value: r.e2e.sustained_msgs_per_s, kind: 'ours' })
  if (r.peers) rates.push({ label: 'Node-RED flow (1 row/msg)', value: r.peers.node_red_msgs_per_s, kind: 'peer' })
  rates.push(...THINGSBOARD_PUBLISHED)
  return {
    title: `Anxin benchmarks, ${String(r.machine.cpus ?? '?')} cores, ${r.measuredAt.slice(0, 10)}`,
    rates,
    cpu: (r.services?.parts ?? []).map(p => ({ label: p.name === 'load generator' ? 'load generator (test equipment)' : p.name, cores: p.cpuCores, peakRssMiB: p.peakRssMiB })),
    cpuCaption: r.services ? `holding ${r.services.msgs_per_s} msg/s for ${r.services.seconds} s` : 'not measured',
    sos: r.sos ? { p50: r.sos.p50_ms, p99: r.sos.p99_ms, max: r.sos.max_ms, targetP99: 100, backgroundMsgsPerS: r.sos.background_msgs_per_s } : null,
  }
}
