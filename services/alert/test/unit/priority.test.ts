import t from 'tap'
import { maxSeverity, priorityFor, type LedgerFlags } from '../../src/domain/priority.ts'
import { SEVERITIES, type Severity } from '../../src/domain/types.ts'

const NONE: LedgerFlags = { disabled: false, dementia: false, veryOld: false, livingAlone: false, emptyNest: false }
const ALL: LedgerFlags = { disabled: true, dementia: true, veryOld: true, livingAlone: true, emptyNest: true }
const flags = (...on: Array<keyof LedgerFlags>): LedgerFlags => ({ ...NONE, ...Object.fromEntries(on.map(f => [f, true])) })

t.test('severity sets the base', async t => {
  t.equal(priorityFor('critical', NONE), 400)
  t.equal(priorityFor('high', NONE), 300)
  t.equal(priorityFor('medium', NONE), 200)
  t.equal(priorityFor('low', NONE), 100)
})

t.test('each ledger flag adds its weight; living alone weighs most', async t => {
  t.equal(priorityFor('high', flags('livingAlone')), 312)
  t.equal(priorityFor('high', flags('dementia')), 308)
  t.equal(priorityFor('high', flags('disabled')), 308)
  t.equal(priorityFor('high', flags('veryOld')), 308)
  t.equal(priorityFor('high', flags('emptyNest')), 304)
  t.equal(priorityFor('high', flags('livingAlone', 'veryOld')), 320, 'weights add up')
  t.equal(priorityFor('critical', ALL), 440)
})

t.test('same severity: the more vulnerable resident comes first', async t => {
  const oldAndAlone = priorityFor('high', flags('livingAlone', 'veryOld'))
  const nobody = priorityFor('high', NONE)
  t.ok(oldAndAlone > nobody, `living alone + very old (${oldAndAlone}) > no flags (${nobody})`)
  t.ok(priorityFor('medium', flags('emptyNest')) > priorityFor('medium', NONE))
  t.ok(priorityFor('critical', flags('livingAlone')) > priorityFor('critical', flags('dementia')), 'living alone outweighs dementia')
})

t.test('a more severe alarm outranks a less severe one with a few flags', async t => {
  t.ok(priorityFor('critical', NONE) > priorityFor('high', flags('livingAlone', 'dementia', 'disabled')))
  t.ok(priorityFor('high', NONE) > priorityFor('medium', flags('livingAlone', 'veryOld')))
  t.ok(priorityFor('medium', NONE) > priorityFor('low', flags('livingAlone', 'emptyNest')))
})

t.test('severity first, regardless of flags (priority.ts: "severity first, then vulnerability")', async t => {
  // The flag weights sum to 40 and adjacent severities are 100 apart, so no set of flags lifts an alarm
  // above the next severity.
  for (let i = 1; i < SEVERITIES.length; i++) {
    const higher = SEVERITIES[i] as Severity
    const lower = SEVERITIES[i - 1] as Severity
    const top = priorityFor(lower, ALL)
    const bottom = priorityFor(higher, NONE)
    t.ok(bottom > top, `${higher} without flags (${bottom}) > ${lower} with every flag (${top})`)
  }
  t.ok(
    priorityFor('critical', NONE) > priorityFor('high', flags('livingAlone', 'dementia', 'disabled', 'veryOld')),
    'critical without flags > high with four flags',
  )
})

t.test('maxSeverity picks the more severe, in either order', async t => {
  for (const [i, a] of SEVERITIES.entries()) {
    for (const [j, b] of SEVERITIES.entries()) {
      t.equal(maxSeverity(a, b), SEVERITIES[Math.max(i, j)], `max(${a}, ${b})`)
    }
  }
  t.equal(maxSeverity('high', 'critical'), 'critical')
  t.equal(maxSeverity('critical', 'low'), 'critical')
  t.equal(maxSeverity('medium', 'low'), 'medium')
  t.equal(maxSeverity('low', 'low'), 'low')
})
