import { deviceEventId, type DeviceEnvelope } from '@anxin/contracts'
import { initialResidentStates, observe, type ResidentRuleStates } from '../services/alert/src/domain/resident-rules.ts'
import type { ResidentProfile } from '../services/alert/src/domain/profile.ts'

/**
 * Rule evaluation on one core, without I/O: how many device envelopes per second the alert rules can judge.
 * A mix like the real one: every message carries vitals, location and status for one of 1,000 residents.
 */
export function benchRuleEvaluation(options: { residents: number; events: number }): { events: number; seconds: number; eventsPerS: number } {
  const profiles: ResidentProfile[] = Array.from({ length: options.residents }, (_, i) => ({
    residentId: `r${i}`,
    orgId: 'org',
    flags: { disabled: false, dementia: i % 10 === 0, veryOld: i % 2 === 0, livingAlone: i % 3 === 0, emptyNest: false },
    conditions: i % 2 ? ['hypertension'] : ['diabetes', 'copd'],
    thresholdOverrides: null,
    safeZones: i % 10 === 0 ? [{ id: `z${i}`, name: 'home', lat: 31.2366, lon: 121.448, radiusM: 300 }] : [],
    activityPlan: null,
    devices: [{ deviceId: `W${i}`, type: 'watch', supervisionIntervalS: 600 }],
  }))
  const states: ResidentRuleStates[] = profiles.map(() => initialResidentStates())
  const start = Date.parse('2026-11-22T00:00:00Z')
  const envelopes: DeviceEnvelope[] = Array.from({ length: Math.min(options.events, 50000) }, (_, n) => {
    const i = n % options.residents
    const at = new Date(start + n * 100).toISOString()
    return {
      eventId: deviceEventId(`W${i}`, `m${n}`),
      schemaVersion: 1,
      type: 'device.telemetry',
      deviceId: `W${i}`,
      residentId: `r${i}`,
      orgId: 'org',
      occurredAt: at,
      receivedAt: at,
      source: { mqttTopic: 't', messageId: `m${n}`, seq: n },
      payload: {
        id: `m${n}`,
        ts: start + n * 100,
        vitals: { heartRate: 60 + (n % 70), spo2: 90 + (n % 9), systolic: 120 + (n % 50), steps: n % 40 },
        location: { lat: 31.2366 + (n % 7) * 0.001, lon: 121.448, accuracyM: 10 },
        status: { battery: 100 - (n % 90), worn: n % 50 !== 0 },
      },
    }
  })
  const began = performance.now()
  for (let n = 0; n < options.events; n++) {
    const envelope = envelopes[n % envelopes.length]!
    const i = n % options.residents
    // Later laps reuse envelopes with newer times, as a live stream would bring.
    const lap = Math.floor(n / envelopes.length)
    const shifted = lap === 0 ? envelope : { ...envelope, occurredAt: new Date(Date.parse(envelope.occurredAt) + lap * 5_000_000).toISOString(), receivedAt: new Date(Date.parse(envelope.receivedAt) + lap * 5_000_000).toISOString() }
    states[i] = observe(states[i]!, profiles[i]!, shifted, { fallGraceSeconds: 60 }).state
  }
  const seconds = (performance.now() - began) / 1000
  return { events: options.events, seconds: Math.round(seconds * 100) / 100, eventsPerS: Math.round(options.events / seconds) }
}
