import t from 'tap'
import { testDatabase, testStack, waitUntil } from '@anxin/testing'
import { ProfileCache } from '../../src/adapters/profile-cache.ts'
import { applyDecision } from '../../src/domain/alarm-book.ts'
import type { ResidentProfile } from '../../src/domain/profile.ts'
import type { RaiseDecision } from '../../src/domain/types.ts'

const NOW = '2026-03-02T02:00:00.000Z'
const SOS: RaiseDecision = {
  action: 'raise', type: 'sos', severity: 'critical', at: NOW, detail: {},
  evidence: [{ eventId: 'evt-1', at: NOW, kind: 'device_event', values: {} }],
}

/** The priority an SOS from this resident is raised with. */
function sosPriority(profile: ResidentProfile | null): number {
  if (!profile) throw new Error('no profile')
  const change = applyDecision([], { residentId: profile.residentId, orgId: profile.orgId, flags: profile.flags }, SOS, { deviceId: null, now: NOW })
  if (change?.kind !== 'raised') throw new Error('the SOS was not raised')
  return change.alarm.priority
}

t.test('alarm priority follows the ledger: flags derived from age and household, not only the manual ones', async t => {
  const stack = await testStack()
  const db = await testDatabase(t, stack)
  // No manual flag is set anywhere below: every flag comes from the data.
  await db.pool.query(`
    INSERT INTO organisations (id, name, timezone, very_old_age) VALUES ('org-p', '测试社区', 'Asia/Shanghai', 80);
    INSERT INTO households (id, org_id, address) VALUES ('hh-pair', 'org-p', '一号楼 101'), ('hh-solo', 'org-p', '二号楼 202');
    INSERT INTO residents (id, org_id, full_name, gender, birth_date, address, living_situation, care_level, household_id) VALUES
      -- 80 today in Shanghai, or 80 tomorrow: the organisation's age in its own time zone.
      ('res-80-today', 'org-p', '甲', 'female', ((now() AT TIME ZONE 'Asia/Shanghai')::date - interval '80 years')::date, '路 1', 'with_family', 'independent', NULL),
      ('res-80-tomorrow', 'org-p', '乙', 'female', ((now() AT TIME ZONE 'Asia/Shanghai')::date + 1 - interval '80 years')::date, '路 2', 'with_family', 'independent', NULL),
      ('res-solo', 'org-p', '丙', 'male', '1960-01-01', '二号楼 202', 'with_family', 'independent', 'hh-solo'),
      ('res-pair-1', 'org-p', '丁', 'male', '1960-01-01', '一号楼 101', 'with_family', 'independent', 'hh-pair'),
      ('res-pair-2', 'org-p', '戊', 'female', '1962-01-01', '一号楼 101', 'with_family', 'independent', 'hh-pair');
  `)
  const cache = new ProfileCache(db.pool)
  await cache.start()
  t.teardown(() => cache.stop())

  const baseline = sosPriority(await cache.get('res-80-tomorrow'))
  t.equal(baseline, 400, 'nobody flagged: the bare severity')
  t.equal((await cache.get('res-80-tomorrow'))!.flags.veryOld, false, 'one day short of 80')

  const veryOld = await cache.get('res-80-today')
  t.equal(veryOld!.flags.veryOld, true, 'turned 80 today, in the organisation time zone')
  t.ok(sosPriority(veryOld) > baseline, 'very old (derived from the birth date) raises the priority')

  const solo = await cache.get('res-solo')
  t.equal(solo!.flags.livingAlone, true, 'the only member of a household lives alone')
  t.ok(sosPriority(solo) > sosPriority(veryOld), 'living alone (derived from the household) weighs most')

  t.equal((await cache.get('res-pair-1'))!.flags.livingAlone, false, 'two in the household')
  // The other member leaves: the one left behind now lives alone, and the cached profile must not say otherwise.
  await db.pool.query(`UPDATE residents SET household_id = NULL WHERE id = 'res-pair-2'`)
  t.ok(await waitUntil(async () => (await cache.get('res-pair-1'))!.flags.livingAlone, 5000), 'the change reaches the cache')
  t.equal(sosPriority(await cache.get('res-pair-1')), 412, 'an SOS from the one left alone ranks higher')
})

t.test('a cached profile is reloaded after its maximum age, so a birthday reaches priority without any change', async t => {
  const stack = await testStack()
  const db = await testDatabase(t, stack)
  await db.pool.query(`
    INSERT INTO organisations (id, name, very_old_age) VALUES ('org-q', '测试社区', 80);
    INSERT INTO residents (id, org_id, full_name, gender, birth_date, address, living_situation, care_level)
    VALUES ('res-q', 'org-q', '己', 'female', '1950-01-01', '路 3', 'with_family', 'independent');
  `)
  let clock = Date.parse(NOW)
  const cache = new ProfileCache(db.pool, { maxAgeMs: 60_000, now: () => new Date(clock) })
  t.equal((await cache.get('res-q'))!.flags.veryOld, false)
  // The organisation lowers its age (no resident row changes, so no notification either).
  await db.pool.query(`UPDATE organisations SET very_old_age = 70 WHERE id = 'org-q'`)
  t.equal((await cache.get('res-q'))!.flags.veryOld, false, 'still cached')
  clock += 60_000
  t.equal((await cache.get('res-q'))!.flags.veryOld, true, 'reloaded once the maximum age has passed')
})
