import t from 'tap'
import { FALLBACK_HOME, lifeDevicesFromRegistry, lifeProfileFromRegistry, type RegistryResidentRow } from '../src/index.ts'

const row: RegistryResidentRow = {
  id: 'R-0001', gender: 'female', birth_date: '1941-12-01', lat: 31.24, lon: 121.45, living_situation: 'alone', care_level: 'semi_dependent',
  conditions: ['hypertension', 'heart_disease', 'stroke_history'], flag_dementia: true, timezone: 'Asia/Shanghai',
}

t.test('maps a registry resident onto a life profile', async t => {
  t.same(lifeProfileFromRegistry(row, new Date('2026-11-22T00:00:00Z')), {
    id: 'R-0001', age: 84, sex: 'female', conditions: ['dementia', 'frailty', 'heart_failure', 'hypertension'], livesAlone: true,
    home: { lat: 31.24, lon: 121.45 }, timeZone: 'Asia/Shanghai',
  })
  t.equal(lifeProfileFromRegistry(row, new Date('2026-12-01T00:00:00Z')).age, 85, 'a year older on the birthday')
})

t.test('falls back to the household location, then the district centre; independent without conditions stays plain', async t => {
  const plain = { ...row, lat: null, lon: null, conditions: [], flag_dementia: false, care_level: 'independent', living_situation: 'with_spouse', timezone: null }
  t.same(lifeProfileFromRegistry({ ...plain, household_lat: 31.3, household_lon: 121.5 }).home, { lat: 31.3, lon: 121.5 })
  const profile = lifeProfileFromRegistry(plain)
  t.same(profile.home, FALLBACK_HOME)
  t.same(profile.conditions, [])
  t.equal(profile.livesAlone, false)
  t.equal(profile.timeZone, 'Asia/Shanghai')
})

t.test('keeps only device types the simulator plays', async t => {
  t.same(lifeDevicesFromRegistry([{ id: 'W1', type: 'watch' }, { id: 'X1', type: 'smoke_detector' }]), [{ id: 'W1', type: 'watch' }])
})
