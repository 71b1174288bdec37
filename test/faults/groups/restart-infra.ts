import type { Test } from 'tap'
import { playFault, type Battery } from '../harness/run-fault.ts'

const pause = (ms: number) => new Promise(r => setTimeout(r, ms))

/**
 * Each piece of infrastructure dies under load and comes back: Kafka and Redis are killed with SIGKILL
 * (Redis without persistence, so it comes back empty), Mosquitto and PostgreSQL are stopped and started.
 */
export async function restartInfrastructure(t: Test, battery: Battery, only?: string[]): Promise<void> {
  const { platform } = battery
  const faults: Array<[string, () => Promise<void>]> = [
    ['kill -9 Kafka, restarted after 2 s', async () => {
      await platform.kafka.kill()
      await pause(2000)
      await platform.kafka.start()
    }],
    ['Mosquitto restarted', () => platform.broker.restart()],
    ['PostgreSQL stopped for 3 s', async () => {
      platform.postgres.stop()
      await pause(3000)
      platform.postgres.start()
    }],
    ['kill -9 Redis (empty when back), restarted after 2 s', async () => {
      await platform.redis.kill()
      await pause(2000)
      await platform.redis.start()
    }],
  ]
  for (const [fault, inject] of faults.filter(([name]) => !only || only.some(o => name.toLowerCase().includes(o)))) {
    await t.test(fault, async t => {
      await playFault(t, battery, fault, inject)
    })
  }
}
