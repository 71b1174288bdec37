import t from 'tap'
import { planLife } from '../src/index.ts'
import { DAY_MS, DAY_ONE, days, homeDevices, resident, typeOf } from './life-fixtures.ts'

t.test('SOS calls include repeated presses: pressCount above 1 or several messages seconds apart', async t => {
  const alarms = days(8, { profile: resident('R-sos'), rates: 'demo' }).filter(m => m.channel === 'alarm' && typeOf(m) === 'sos')
  t.ok(alarms.length >= 4, `${alarms.length} SOS messages`)
  const counted = alarms.filter(m => (m.payload as { pressCount: number }).pressCount > 1)
  const burst = alarms.filter((m, i) => i > 0 && m.deviceId === alarms[i - 1]!.deviceId && m.at - alarms[i - 1]!.at <= 30_000)
  t.ok(counted.length > 0, 'a message counting several presses')
  t.ok(burst.length > 0, 'presses seconds apart')
  t.ok(alarms.every(m => m.deviceId === 'T1P'), 'the pendant is what gets pressed when there is one')
})

t.test('without a pendant the watch carries SOS calls, with its location; a wall button only at home, with the address', async t => {
  const profile = resident('R-nopendant')
  const devices = homeDevices('N').filter(d => d.type !== 'sos_pendant')
  const sos = planLife({ profile, devices, seed: 9, from: DAY_ONE, to: DAY_ONE + 6 * DAY_MS, rates: 'demo' }).filter(m => typeOf(m) === 'sos')
  t.ok(sos.length > 0 && sos.every(m => m.deviceId === 'NW' && (m.payload as { location?: unknown }).location))
  const buttonOnly = planLife({ profile, devices: [{ id: 'ONLYB', type: 'wall_button' }], seed: 9, from: DAY_ONE, to: DAY_ONE + 6 * DAY_MS, rates: 'demo' })
  const pressed = buttonOnly.filter(m => typeOf(m) === 'sos')
  t.ok(pressed.length > 0)
  t.ok(pressed.every(m => (m.payload as { location?: { source?: string } }).location?.source === 'fixed'))
})

t.test('realistic rates keep rare events rare', async t => {
  const messages = days(7, { profile: resident('R-quiet') })
  t.ok(messages.filter(m => m.channel === 'alarm').length <= 2)
})
