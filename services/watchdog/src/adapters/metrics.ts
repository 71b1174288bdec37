import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { SYSTEM_ALARM_KINDS, type SystemAlarm } from '../domain/system-alarm.ts'

export type WatchdogMetrics = ReturnType<typeof createWatchdogMetrics>

export function createWatchdogMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_watchdog_' })
  const active = new Gauge({ name: 'anxin_system_alarms_active', help: 'Active system alarms (platform faults), by kind', labelNames: ['kind'] as const, registers: [registry] })
  // Every kind is exported from the start, so "0" is a value an alert rule can see rather than a missing series.
  for (const kind of SYSTEM_ALARM_KINDS) active.set({ kind }, 0)
  return {
    registry,
    rounds: new Counter({ name: 'anxin_watchdog_rounds_total', help: 'Probing rounds completed', registers: [registry] }),
    setActive(alarms: SystemAlarm[]): void {
      for (const kind of SYSTEM_ALARM_KINDS) active.set({ kind }, alarms.filter(a => a.kind === kind).length)
    },
  }
}
