import t from 'tap'
import { planDays, simClock, wireSchedule } from '../src/index.ts'
import { DAY_MS, DAY_ONE, homeDevices, resident } from './life-fixtures.ts'

t.test('a drop-out queues messages; after reconnecting they go out in seq order with their original timestamps', async t => {
  const options = { profile: resident('R-net'), devices: homeDevices('Q').map(d => ({ ...d, clockSkewS: 0 })), seed: 11, from: DAY_ONE, to: DAY_ONE + DAY_MS, rates: 'demo' as const }
  const [day] = [...planDays(options)]
  const outage = day!.outages.find(o => day!.messages.filter(m => m.deviceId === o.deviceId && m.at >= o.from && m.at < o.until).length >= 2)
  t.ok(outage, 'an outage during which the device had something to say')
  const steps = wireSchedule(day!).filter(s => s.deviceId === outage!.deviceId)
  const down = steps.findIndex(s => s.kind === 'disconnect' && s.at === outage!.from)
  const up = steps.findIndex(s => s.kind === 'reconnect' && s.at === outage!.until)
  t.ok(down >= 0 && up === down + 1, 'nothing is published while offline')
  const flushed = steps.slice(up + 1).filter(s => s.kind === 'publish' && s.message.at < outage!.until)
  t.ok(flushed.length >= 2)
  for (const [i, step] of flushed.entries()) {
    if (step.kind !== 'publish') continue
    t.equal(step.at, outage!.until, 'sent on reconnect')
    t.ok(step.message.at < outage!.until, 'said during the drop-out')
    t.equal(step.message.payload.ts, step.message.at)
    if (i > 0 && flushed[i - 1]!.kind === 'publish') t.ok(step.message.payload.seq! > (flushed[i - 1] as typeof step).message.payload.seq!, 'in seq order')
  }
  // Every publish of that device, across the day, is in seq order on the wire.
  const seqs = steps.flatMap(s => (s.kind === 'publish' ? [s.message.payload.seq!] : []))
  t.same(seqs, [...seqs].sort((a, b) => a - b))
})

t.test('the simulated clock runs speed times faster and maps back to the wall clock', async t => {
  const clock = simClock(DAY_ONE, 1_000, 60)
  t.equal(clock.simulatedNow(2_000), DAY_ONE + 60_000)
  t.equal(clock.wallTimeOf(DAY_ONE + 3_600_000), 61_000)
  t.throws(() => simClock(0, 0, 0))
})
