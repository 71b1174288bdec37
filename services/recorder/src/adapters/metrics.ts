import { Counter, Registry, collectDefaultMetrics } from 'prom-client'

export type RecorderMetrics = ReturnType<typeof createRecorderMetrics>

export function createRecorderMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_recorder_' })
  return {
    registry,
    consumed: new Counter({ name: 'anxin_recorder_messages_total', help: 'Envelopes consumed and committed, by topic', labelNames: ['topic'] as const, registers: [registry] }),
    rows: new Counter({ name: 'anxin_recorder_rows_inserted_total', help: 'Rows inserted (duplicates excluded), by table', labelNames: ['table'] as const, registers: [registry] }),
    deadLetters: new Counter({ name: 'anxin_recorder_dead_letters_total', help: 'Messages dead-lettered, by reason', labelNames: ['reason'] as const, registers: [registry] }),
  }
}
