import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type pg from 'pg'
import { deviceEventId, type AlarmMessage } from '@anxin/contracts'
import { SimulatedDevice } from '@anxin/simulators'
import type { Press } from '../harness/fleet.ts'
import { playFault, type Battery } from '../harness/run-fault.ts'

/** Residents the replay test keeps for itself (`reserve` of the battery). */
export const REPLAY_RESIDENTS = 40

/**
 * Networks repeat and reorder: the same SOS arrives 1-10 times, a second press overtakes the first, and an
 * old captured message is sent again long after. Each press must become exactly one occurrence of exactly
 * one alarm per resident, and a replay must be answered "duplicate" without touching the alarm.
 */
export async function replaySos(t: Test, battery: Battery): Promise<void> {
  const { platform } = battery
  const residents = battery.reserved.slice(0, REPLAY_RESIDENTS)
  const devices = await Promise.all(residents.map(async d => {
    const device = new SimulatedDevice({ url: platform.broker.url, deviceId: d.deviceId, password: d.password, ackTimeoutMs: 2000 })
    await device.connect()
    t.teardown(() => device.close())
    return { fixture: d, device }
  }))
  const random = seeded(20261122)
  const messages = new Map<string, AlarmMessage[]>()
  const presses: Press[] = []
  let captured: { device: SimulatedDevice; message: AlarmMessage; press: Press } | null = null

  await playFault(t, battery, 'SOS delivered 1-10 times, out of order, old ones replayed', async () => {
    const now = Date.now()
    // Half the residents press twice; the second press is delivered first.
    for (const [i, { fixture }] of devices.entries()) {
      const first: AlarmMessage = { id: randomUUID(), seq: 10, ts: now - 5000, type: 'sos', pressCount: 1 }
      const second: AlarmMessage = { id: randomUUID(), seq: 11, ts: now - 1000, type: 'sos', pressCount: 2 }
      messages.set(fixture.deviceId, i % 2 === 0 ? [second, first] : [first])
    }
    const deliveries = devices.flatMap(({ fixture, device }) =>
      messages.get(fixture.deviceId)!.flatMap(m => Array.from({ length: 1 + Math.floor(random() * 10) }, () => ({ device, m }))))
    shuffle(deliveries, random)
    await Promise.all(deliveries.map(({ device, m }) => device.publishRaw('alarm', JSON.stringify(m))))
    // Each device then waits for its acknowledgement, sending once more as a pendant does until it has one.
    for (const { fixture, device } of devices) {
      for (const m of messages.get(fixture.deviceId)!) {
        const sentAt = Date.now()
        const result = await device.sendAlarm(m, { maxAttempts: 100 })
        const press: Press = {
          residentId: fixture.residentId!, deviceId: fixture.deviceId, messageId: m.id, eventId: deviceEventId(fixture.deviceId, m.id),
          sentAt, ackedAt: Date.now(), result, error: null,
        }
        presses.push(press)
        captured ??= { device, message: m, press }
      }
    }
  }, { ownPresses: presses })

  // Long after, the first message is captured and sent again, three times.
  const replay = captured!
  const occurrencesBefore = await occurrencesOf(platform.pool, replay.press.residentId)
  for (let i = 0; i < 3; i++) await replay.device.publishRaw('alarm', JSON.stringify(replay.message))
  const answer = await replay.device.sendAlarm(replay.message, { maxAttempts: 10 })
  t.equal(answer.ack.status, 'duplicate', 'an old message sent again is answered "duplicate"')
  await new Promise(r => setTimeout(r, 2000))
  t.equal(await occurrencesOf(platform.pool, replay.press.residentId), occurrencesBefore, 'and the alarm is untouched')

  for (const { fixture } of devices) {
    const expected = messages.get(fixture.deviceId)!.length
    t.equal(await occurrencesOf(platform.pool, fixture.residentId!), expected, `${fixture.residentId}: ${expected} press(es), ${expected} occurrence(s) of one alarm`)
  }
}

async function occurrencesOf(pool: pg.Pool, residentId: string): Promise<number> {
  const { rows } = await pool.query<{ occurrences: number }>(`SELECT occurrences FROM alarms WHERE resident_id = $1 AND type = 'sos'`, [residentId])
  if (rows.length !== 1) throw new Error(`${residentId} has ${rows.length} SOS alarms`)
  return rows[0]!.occurrences
}

function seeded(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648)
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
}
