import t from 'tap'
import { playFault, saveBattery, startBattery } from './harness/run-fault.ts'
import { untilReady, type FaultService } from './harness/platform.ts'

/**
 * kill -9 of each service in turn, under telemetry load with SOS presses going on; the supervisor restarts
 * it as a process manager would. Nothing may be lost, shown twice or escalated twice.
 */
t.test('SIGKILL of each service in turn, restarted by the supervisor', async t => {
  const battery = await startBattery(t, { group: 'kill-services', residents: 10 + 5 * 90 })
  const { platform } = battery
  const only = process.env.FAULTS_ONLY?.split(',')
  for (const service of (['ingestion', 'alert', 'escalation', 'dispatch', 'console'] satisfies FaultService[]).filter(s => !only || only.includes(s))) {
    await t.test(`kill -9 ${service}`, async t => {
      await playFault(t, battery, `kill -9 ${service}`, async () => {
        platform.services.signal(service, 'SIGKILL')
        await new Promise(r => setTimeout(r, 300))
        await untilReady(`http://127.0.0.1:${platform.ports[service]}/health/ready`, 60000, service)
      })
    })
  }
  saveBattery('kill-services', battery)
})
