import t from 'tap'
import { days, resident, statusOf, typeOf, vitalsOf } from './life-fixtures.ts'

const watch = () => days(3, { profile: resident('R-watch') }).filter(m => m.deviceId === 'T1W')

t.test('the battery drains through the day, is reported low below 20 % and recharges each evening', async t => {
  const messages = watch()
  const levels = messages.filter(m => m.channel === 'telemetry').map(m => ({ at: m.at, ...statusOf(m)! }))
  const lows = messages.filter(m => typeOf(m) === 'low_battery')
  t.ok(lows.length >= 2, `${lows.length} low_battery events`)
  for (const low of lows) t.ok((low.payload as { battery: number }).battery < 20)
  // Every low_battery is followed by charging, and then a full battery.
  for (const low of lows) {
    const later = levels.filter(l => l.at > low.at)
    const charging = later.findIndex(l => l.charging)
    t.ok(charging >= 0, 'goes on the charger')
    t.ok(later.slice(charging).some(l => l.battery! >= 99), 'comes back full')
  }
  // Discharging, the level never rises.
  const drains = levels.filter((l, i) => i > 0 && !l.charging && !levels[i - 1]!.charging && l.battery! > levels[i - 1]!.battery!)
  t.same(drains.map(l => new Date(l.at).toISOString()), [], 'no rise while off the charger')
})

t.test('no vitals while the watch is off the wrist; not_worn and worn bracket the time off', async t => {
  const messages = watch()
  const telemetry = messages.filter(m => m.channel === 'telemetry')
  const offWrist = telemetry.filter(m => statusOf(m)!.worn === false)
  t.ok(offWrist.length > 5, 'some readings off the wrist')
  t.ok(offWrist.every(m => vitalsOf(m) === undefined && statusOf(m)!.battery !== undefined))
  t.ok(telemetry.filter(m => statusOf(m)!.worn).every(m => vitalsOf(m)?.heartRate !== undefined))
  const wearing = messages.filter(m => typeOf(m) === 'worn' || typeOf(m) === 'not_worn').map(typeOf)
  t.same(wearing, ['not_worn', 'worn', 'not_worn', 'worn', 'not_worn', 'worn'])
  for (const m of offWrist) {
    const before = messages.filter(e => e.at <= m.at && (typeOf(e) === 'worn' || typeOf(e) === 'not_worn')).at(-1)
    t.equal(before && typeOf(before), 'not_worn')
  }
})

t.test('an "I\'m OK" check-in most mornings', async t => {
  const checkIns = days(7, { profile: resident('R-imok') }).filter(m => typeOf(m) === 'im_ok')
  t.ok(checkIns.length >= 4)
  for (const m of checkIns) {
    const hour = (new Date(m.at).getUTCHours() + 8) % 24
    t.ok(hour >= 7 && hour < 10, `check-in at ${hour}h`)
  }
})
