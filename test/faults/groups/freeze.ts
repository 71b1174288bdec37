import type { Test } from 'tap'
import type { FaultService } from '../harness/platform.ts'
import { playFault, type Battery } from '../harness/run-fault.ts'
import { untilSystemAlarm, type SystemAlarm } from '../harness/system-alarms.ts'

/**
 * A service frozen with SIGSTOP holds its Kafka partitions (or its HTTP port) and does nothing: no crash for a
 * process manager to see. The watchdog must notice (a loud system alarm), the supervisor's liveness probe
 * must kill and restart it, and nothing pressed meanwhile may be lost.
 */
export async function freezeConsumers(t: Test, battery: Battery, only?: string[]): Promise<void> {
  const { platform } = battery
  for (const service of (['alert', 'escalation'] satisfies FaultService[]).filter(s => !only || only.includes(`freeze-${s}`))) {
    await t.test(`SIGSTOP ${service}`, async t => {
      const seen: { raised: SystemAlarm | null } = { raised: null }
      let frozenAt = 0
      const figures = await playFault(t, battery, `SIGSTOP ${service}`, async () => {
        const restartsBefore = platform.restarts.length
        frozenAt = Date.now()
        platform.services.signal(service, 'SIGSTOP')
        seen.raised = await untilSystemAlarm(platform, `service_unresponsive:${service}`, { timeoutMs: 15000 })
        const deadline = Date.now() + 20000
        while (!platform.restarts.slice(restartsBefore).some(r => r.service === service && r.cause === 'unresponsive') && Date.now() < deadline) {
          await new Promise(r => setTimeout(r, 100))
        }
      })
      t.ok(seen.raised, `the watchdog raised service_unresponsive:${service} while it was frozen`)
      t.ok(platform.restarts.some(r => r.service === service && r.cause === 'unresponsive'), 'the supervisor killed the frozen process and restarted it')
      const cleared = await untilSystemAlarm(platform, `service_unresponsive:${service}`, { cleared: true, timeoutMs: 30000 })
      t.ok(cleared, 'the system alarm cleared once the restarted service answered')
      const detectedMs = seen.raised ? Date.parse(seen.raised.raisedAt) - frozenAt : null
      t.comment(`${service}: the watchdog raised its alarm ${detectedMs ?? '?'} ms after the freeze; SOS back to normal ${figures.recoveryMs} ms after it`)
    })
  }
}
