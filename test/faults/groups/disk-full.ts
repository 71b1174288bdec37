import type { Test } from 'tap'
import { playFault, type Battery } from '../harness/run-fault.ts'
import { untilSystemAlarm, type SystemAlarm } from '../harness/system-alarms.ts'

const pause = (ms: number) => new Promise(r => setTimeout(r, ms))

/**
 * The disk under the database, then under Kafka, fills to the last byte during load. The platform must not
 * lose what it acknowledged: with Kafka's disk full, devices get no acknowledgement and keep retrying; with
 * the database's disk full, alarms wait in Kafka. The watchdog raises a loud system alarm for the disk, and
 * once an operator frees space (and starts what the full disk stopped) everything comes through.
 */
export async function fillDisks(t: Test, battery: Battery, only?: string[]): Promise<void> {
  const { platform } = battery

  if (!only || only.includes('disk-database')) {
    await t.test('the database disk fills up', async t => {
      let raised: SystemAlarm | null = null
      await playFault(t, battery, 'database disk full for 6 s', async () => {
        platform.disks.database.fill()
        raised = await untilSystemAlarm(platform, 'disk_low:database', { timeoutMs: 10000 })
        await pause(6000)
        platform.disks.database.free()
        // A full disk may have stopped PostgreSQL (it cannot write its WAL): the operator starts it again.
        if (!(await platform.pool.query('SELECT 1').then(() => true, () => false))) {
          try {
            platform.postgres.start()
          } catch {
            // it recovered by itself
          }
        }
      })
      t.ok(raised, 'the watchdog raised disk_low:database while the disk was full')
      t.ok(await untilSystemAlarm(platform, 'disk_low:database', { cleared: true, timeoutMs: 15000 }), 'and cleared it once space was freed')
    })
  }

  if (!only || only.includes('disk-kafka')) {
    await t.test("Kafka's disk fills up", async t => {
      let raised: SystemAlarm | null = null
      let filledAt = 0
      let freedAt = 0
      const firstPress = battery.fleet.presses.length
      await playFault(t, battery, 'Kafka disk full for 6 s', async () => {
        platform.disks.kafka.fill()
        filledAt = Date.now()
        raised = await untilSystemAlarm(platform, 'disk_low:kafka', { timeoutMs: 10000 })
        await pause(6000)
        platform.disks.kafka.free()
        freedAt = Date.now()
        // Kafka stops when it cannot write its log; the operator starts it again once there is room (kafka.sh
        // start does nothing to a broker still running).
        await platform.kafka.start()
      })
      t.ok(raised, 'the watchdog raised disk_low:kafka while the disk was full')
      const duringFull = battery.fleet.presses.slice(firstPress).filter(p => p.sentAt > filledAt + 1000 && p.sentAt < freedAt)
      t.ok(duringFull.length > 0, `SOS were pressed while Kafka's disk was full (${duringFull.length})`)
      const ackedWhileFull = duringFull.filter(p => p.ackedAt !== null && p.ackedAt < freedAt)
      t.same(ackedWhileFull.map(p => p.eventId), [], 'no device was acknowledged while Kafka could not store its SOS')
      t.ok(await untilSystemAlarm(platform, 'disk_low:kafka', { cleared: true, timeoutMs: 15000 }), 'the disk alarm cleared once space was freed')
    })
  }
}
