import t from 'tap'
import { freezeConsumers } from './groups/freeze.ts'
import { killEachService } from './groups/kill-services.ts'
import { replaySos, REPLAY_RESIDENTS } from './groups/replays.ts'
import { saveBattery, startBattery } from './harness/run-fault.ts'

/** The platform's own processes hurt under load, one after another, on one platform: killed, frozen, flooded with copies. */
t.test('services killed, frozen, and SOS replayed', async t => {
  const battery = await startBattery(t, { group: 'services', residents: 10 + 6 * 60, reserve: REPLAY_RESIDENTS })
  const only = process.env.FAULTS_ONLY?.split(',')
  await killEachService(t, battery, only)
  await freezeConsumers(t, battery, only)
  if (!only || only.includes('replays')) await t.test('SOS delivered 1-10 times, out of order, and replayed', t => replaySos(t, battery))
  saveBattery('services', battery)
})
