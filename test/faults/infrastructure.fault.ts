import t from 'tap'
import { fillDisks } from './groups/disk-full.ts'
import { restartInfrastructure } from './groups/restart-infra.ts'
import { saveBattery, startBattery } from './harness/run-fault.ts'

/** Kafka, Mosquitto, PostgreSQL and Redis restarted under load, then the database's and Kafka's disks filled. */
t.test('infrastructure restarted, then disks full', async t => {
  const battery = await startBattery(t, { group: 'infrastructure', residents: 10 + 6 * 60 })
  const only = process.env.FAULTS_ONLY?.split(',')
  await restartInfrastructure(t, battery, only)
  await fillDisks(t, battery, only)
  saveBattery('infrastructure', battery)
})
