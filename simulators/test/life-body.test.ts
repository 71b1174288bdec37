import t from 'tap'
import { DEMO_RATES, distanceM, planLife, type ResidentProfile } from '../src/index.ts'
import { days, HOME, resident, shanghaiHour, shanghaiMinute, typeOf, vitalsOf } from './life-fixtures.ts'

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

t.test('heart rate follows the day: lower at night than in the afternoon', async t => {
  const telemetry = days(3, { profile: resident('R-hr') }).filter(m => m.channel === 'telemetry' && vitalsOf(m)?.heartRate)
  const night = telemetry.filter(m => shanghaiHour(m.at) >= 1 && shanghaiHour(m.at) < 5).map(m => vitalsOf(m)!.heartRate!)
  const day = telemetry.filter(m => shanghaiHour(m.at) >= 10 && shanghaiHour(m.at) < 18).map(m => vitalsOf(m)!.heartRate!)
  t.ok(night.length > 20 && day.length > 20)
  t.ok(mean(night) < mean(day) - 5, `night ${mean(night).toFixed(1)} vs day ${mean(day).toFixed(1)}`)
})

t.test('conditions shape the baselines: hypertension raises blood pressure, COPD lowers SpO2, diabetes adds glucose', async t => {
  const of = (conditions: ResidentProfile['conditions']) =>
    days(1, { profile: resident(`R-${conditions.join('-') || 'none'}`, conditions) })
      .filter(m => m.channel === 'telemetry' && vitalsOf(m))
      .map(m => (m.payload as { vitals: { systolic: number; spo2: number; glucose?: number } }).vitals)
  const healthy = of([])
  t.ok(mean(of(['hypertension']).map(v => v.systolic)) > mean(healthy.map(v => v.systolic)) + 12)
  t.ok(mean(of(['copd']).map(v => v.spo2)) < mean(healthy.map(v => v.spo2)) - 2)
  t.ok(healthy.every(v => v.glucose === undefined))
  const glucose = of(['diabetes']).map(v => v.glucose!)
  t.ok(glucose.every(g => g > 3) && Math.max(...glucose) - Math.min(...glucose) > 2, 'glucose rises after meals')
})

t.test('sleep: the bed sensor reports getting up in the morning and lying down at night', async t => {
  const bed = days(2, { profile: resident('R-bed') }).filter(m => m.deviceId === 'T1S' && typeOf(m) !== 'heartbeat')
  // Night toilet trips end by 05:40; getting up for the day comes after.
  const morningExits = bed.filter(m => typeOf(m) === 'bed_exit' && shanghaiMinute(m.at) >= 5 * 60 + 40 && shanghaiMinute(m.at) < 8 * 60)
  const eveningEntries = bed.filter(m => typeOf(m) === 'bed_enter' && shanghaiHour(m.at) >= 21)
  t.equal(morningExits.length, 2)
  t.ok(eveningEntries.length >= 2)
  // Exits and entries alternate (night toilet trips included).
  t.ok(bed.every((m, i) => i === 0 || typeOf(m) !== typeOf(bed[i - 1]!)))
  t.equal(typeOf(bed[0]!), 'bed_exit')
})

t.test('a resident with dementia wanders beyond 1 km; one without stays within about 1 km of home', async t => {
  const furthest = (conditions: ResidentProfile['conditions'], id: string) =>
    Math.max(
      ...days(10, { profile: resident(id, conditions), rates: { ...DEMO_RATES, wanderingPerDay: 0.5 } })
        .filter(m => m.channel === 'telemetry')
        .map(m => distanceM(HOME, (m.payload as { location: { lat: number; lon: number } }).location)),
    )
  t.ok(furthest(['dementia'], 'R-wanders') > 1000)
  const stays = furthest(['hypertension'], 'R-stays')
  t.ok(stays < 1000 && stays > 150, `furthest ${Math.round(stays)} m`)
})

t.test('after a fall the resident barely moves for a while', async t => {
  const messages = days(6, { profile: resident('R-falls', ['frailty', 'parkinson'], 88), rates: 'demo' })
  const falls = messages.filter(m => m.channel === 'alarm' && typeOf(m) === 'fall')
  t.ok(falls.length > 0, 'some falls')
  for (const fall of falls) {
    t.match(fall.payload, { fall: { impactG: Number, confidence: Number } })
    const after = messages.filter(m => m.deviceId === fall.deviceId && m.channel === 'telemetry' && m.at > fall.at && m.at <= fall.at + 12 * 60_000)
    const steps = after.map(m => vitalsOf(m)?.steps).filter(s => s !== undefined)
    t.ok(steps.length >= 5)
    t.ok(steps.at(-1)! - steps[0]! <= 2, `steps in the 12 minutes after the fall: ${steps.at(-1)! - steps[0]!}`)
  }
})

t.test('steps rise through a walk', async t => {
  const messages = days(1, { profile: resident('R-walk') }).filter(m => m.channel === 'telemetry' && vitalsOf(m))
  const steps = messages.map(m => vitalsOf(m)!.steps!)
  t.ok(steps.every((s, i) => i === 0 || s >= steps[i - 1]!), 'daily count never falls within the day')
  t.ok(steps.at(-1)! > 1500, `steps by midnight: ${steps.at(-1)}`)
})

t.test('routines follow the resident\'s own time zone', async t => {
  const profile = { ...resident('R-berlin'), timeZone: 'Europe/Berlin' }
  const from = Date.parse('2026-11-22T00:00:00+01:00')
  const exits = planLife({ profile, devices: [{ id: 'BERS', type: 'bed_sensor' }], seed: 4, from, to: from + 86_400_000 }).filter(m => typeOf(m) === 'bed_exit')
  const berlinHour = (at: number) => (new Date(at).getUTCHours() + 1) % 24
  t.ok(exits.some(m => berlinHour(m.at) >= 5 && berlinHour(m.at) < 8), `gets up at ${exits.map(m => berlinHour(m.at)).join(', ')} h Berlin time`)
})
