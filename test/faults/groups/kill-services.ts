import type { Test } from 'tap'
import { untilReady, type FaultService } from '../harness/platform.ts'
import { playFault, type Battery } from '../harness/run-fault.ts'

/** kill -9 of each service in turn; the supervisor restarts it as a process manager would. */
export async function killEachService(t: Test, battery: Battery, only?: string[]): Promise<void> {
  const { platform } = battery
  for (const service of (['ingestion', 'alert', 'escalation', 'dispatch', 'console'] satisfies FaultService[]).filter(s => !only || only.includes(s))) {
    await t.test(`kill -9 ${service}`, async t => {
      await playFault(t, battery, `kill -9 ${service}`, async () => {
        platform.services.signal(service, 'SIGKILL')
        await new Promise(r => setTimeout(r, 300))
        await untilReady(`http://127.0.0.1:${platform.ports[service]}/health/ready`, 60000, service)
      })
    })
  }
}
