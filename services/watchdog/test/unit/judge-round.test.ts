import t from 'tap'
import { INITIAL_STATE, judgeDisk, judgeRound, type JudgeSettings, type WatchdogState } from '../../src/domain/judge-round.ts'
import type { DiskObservation, GroupObservation, Observations, TargetObservation } from '../../src/domain/observations.ts'
import type { SystemAlarm } from '../../src/domain/system-alarm.ts'

const SETTINGS: JudgeSettings = { failedRoundsToRaise: 3, fineRoundsToClear: 2, stallAfterMs: 30_000, diskMinFreePercent: 10, diskMinFreeBytes: 2 * 1024 ** 3 }
const T0 = Date.parse('2026-11-22T08:00:00.000Z')
const GiB = 1024 ** 3

const up = (name: string): TargetObservation => ({ name, live: { ok: true }, ready: { ok: true } })
const frozen = (name: string): TargetObservation => ({ name, live: { ok: false, reason: 'timeout' }, ready: { ok: false, failing: ['timeout'] } })
const notReady = (name: string, ...failing: string[]): TargetObservation => ({ name, live: { ok: true }, ready: { ok: false, failing } })
const group = (lag: number, offset: string, label = 'recorder'): GroupObservation => ({ label, groupId: `anxin-${label}`, lag, committed: { 'device.telemetry:0': offset } })
const disk = (freeBytes: number, totalBytes = 100 * GiB): DiskObservation => ({ label: 'postgres', path: '/watch/postgres', ok: true, freeBytes, totalBytes })
const seen = (over: Partial<Observations> = {}): Observations => ({ targets: [], kafka: { state: 'reachable', groups: [] }, disks: [], ...over })

/** Feeds rounds one second apart (or at the given offsets) and collects what was raised and cleared. */
function run(rounds: Array<Observations | [number, Observations]>, settings = SETTINGS, start: WatchdogState = INITIAL_STATE) {
  let state = start
  const raised: SystemAlarm[][] = []
  const cleared: SystemAlarm[][] = []
  let active: SystemAlarm[] = []
  rounds.forEach((entry, i) => {
    const [atMs, observations] = Array.isArray(entry) ? entry : [i * 1000, entry]
    const result = judgeRound(state, observations, new Date(T0 + atMs), settings)
    state = result.state
    raised.push(result.raised)
    cleared.push(result.cleared)
    active = result.active
  })
  return { state, raised, cleared, active, raisedIds: raised.map(r => r.map(a => a.id)), clearedIds: cleared.map(c => c.map(a => a.id)) }
}

t.test('a service is unresponsive after the threshold of consecutive failed liveness probes, not before', async t => {
  const r = run([seen({ targets: [frozen('alert')] }), seen({ targets: [frozen('alert')] }), seen({ targets: [frozen('alert')] }), seen({ targets: [frozen('alert')] })])
  t.same(r.raisedIds, [[], [], ['service_unresponsive:alert'], []], 'raised on the third failed round, once')
  const alarm = r.raised[2]![0]!
  t.same({ kind: alarm.kind, subject: alarm.subject, severity: alarm.severity, clearedAt: alarm.clearedAt }, { kind: 'service_unresponsive', subject: 'alert', severity: 'critical', clearedAt: null })
  t.equal(alarm.raisedAt, new Date(T0 + 2000).toISOString())
  t.match(alarm.detail, /health\/live.*timeout/)
  t.same(r.active.map(a => a.id), ['service_unresponsive:alert'])
})

t.test('flapping below the threshold never raises: one good answer restarts the count', async t => {
  const pattern = [frozen('alert'), frozen('alert'), up('alert'), frozen('alert'), frozen('alert'), up('alert'), frozen('alert')]
  const r = run(pattern.map(target => seen({ targets: [target] })))
  t.same(r.raisedIds.flat(), [])
  t.same(r.active, [])
})

t.test('an alarm clears once, after two consecutive fine rounds', async t => {
  const f = seen({ targets: [frozen('alert')] })
  const u = seen({ targets: [up('alert')] })
  const r = run([f, f, f, u, f, u, u, u, u])
  t.same(r.raisedIds.flat(), ['service_unresponsive:alert'], 'raised once; a single good round in between does not re-raise')
  t.same(r.clearedIds, [[], [], [], [], [], [], ['service_unresponsive:alert'], [], []], 'cleared on the second fine round in a row, once')
  const cleared = r.cleared[6]![0]!
  t.equal(cleared.raisedAt, new Date(T0 + 2000).toISOString(), 'the cleared alarm is the one raised')
  t.equal(cleared.clearedAt, new Date(T0 + 6000).toISOString())
  t.same(r.active, [])
})

t.test('a fault after clearing raises a new alarm with the same id', async t => {
  const f = seen({ targets: [frozen('alert')] })
  const u = seen({ targets: [up('alert')] })
  const r = run([f, f, f, u, u, f, f, f])
  t.same(r.raisedIds.flat(), ['service_unresponsive:alert', 'service_unresponsive:alert'])
  t.same(r.clearedIds.flat(), ['service_unresponsive:alert'])
})

t.test('not ready names the failing checks and is a warning; a frozen service is unresponsive only', async t => {
  const n = seen({ targets: [notReady('console', 'kafka', 'redis')] })
  const r = run([n, n, n])
  t.same(r.raisedIds, [[], [], ['service_not_ready:console']], 'raised only after the same threshold')
  t.equal(r.raised[2]![0]!.severity, 'warning')
  t.match(r.raised[2]![0]!.detail, 'kafka, redis')

  const f = seen({ targets: [frozen('console')] })
  const frozenRun = run([f, f, f, f])
  t.same(frozenRun.active.map(a => a.kind), ['service_unresponsive'], 'no second alarm for the same frozen process')
})

t.test('each service is judged on its own', async t => {
  const r = run([0, 1, 2].map(() => seen({ targets: [frozen('alert'), up('recorder'), notReady('dispatch', 'kafka')] })))
  t.same(r.active.map(a => a.id), ['service_unresponsive:alert', 'service_not_ready:dispatch'], 'critical first')
})

t.test('consumer stalled: lag with committed offsets standing still for the stall time', async t => {
  const stuck = (atMs: number) => [atMs, seen({ kafka: { state: 'reachable', groups: [group(40, '100')] } })] as [number, Observations]
  const r = run([stuck(0), stuck(10_000), stuck(29_000), stuck(30_000), stuck(31_000)])
  t.same(r.raisedIds, [[], [], [], ['consumer_stalled:recorder'], []], 'raised when the offsets have not moved for 30 s, once')
  t.equal(r.raised[3]![0]!.severity, 'critical')
  t.match(r.raised[3]![0]!.detail, /40 messages waiting.*30 s/)
})

t.test('lag whose offsets move is not a stall', async t => {
  const rounds: Array<[number, Observations]> = []
  for (let i = 0; i <= 12; i++) rounds.push([i * 10_000, seen({ kafka: { state: 'reachable', groups: [group(5000, String(1000 + i))] } })])
  t.same(run(rounds).raisedIds.flat(), [], 'a busy consumer with steady lag is not stalled')
})

t.test('a group with no lag is fine however long its offsets stand still', async t => {
  const rounds: Array<[number, Observations]> = []
  for (let i = 0; i <= 12; i++) rounds.push([i * 60_000, seen({ kafka: { state: 'reachable', groups: [group(0, '100')] } })])
  t.same(run(rounds).raisedIds.flat(), [])
})

t.test('the stall clock starts when work arrives, not when the offsets last moved', async t => {
  // Idle for an hour with the same offsets, then messages arrive: not stalled until 30 s of lag without progress.
  const r = run([
    [0, seen({ kafka: { state: 'reachable', groups: [group(0, '100')] } })],
    [3600_000, seen({ kafka: { state: 'reachable', groups: [group(3, '100')] } })],
    [3620_000, seen({ kafka: { state: 'reachable', groups: [group(3, '100')] } })],
    [3630_000, seen({ kafka: { state: 'reachable', groups: [group(3, '100')] } })],
  ])
  t.same(r.raisedIds, [[], [], [], ['consumer_stalled:recorder']])
})

t.test('a stalled group clears once it commits again', async t => {
  const stuck = (atMs: number) => [atMs, seen({ kafka: { state: 'reachable', groups: [group(40, '100')] } })] as [number, Observations]
  const r = run([stuck(0), stuck(30_000), [31_000, seen({ kafka: { state: 'reachable', groups: [group(10, '130')] } })], [32_000, seen({ kafka: { state: 'reachable', groups: [group(0, '140')] } })]])
  t.same(r.raisedIds.flat(), ['consumer_stalled:recorder'])
  t.same(r.clearedIds, [[], [], [], ['consumer_stalled:recorder']])
})

t.test('kafka unreachable after the threshold; groups are neither judged nor cleared meanwhile; stall clocks restart after', async t => {
  const down = seen({ kafka: { state: 'unreachable', reason: 'ECONNREFUSED' } })
  const stuck = (atMs: number) => [atMs, seen({ kafka: { state: 'reachable', groups: [group(40, '100')] } })] as [number, Observations]
  const r = run([stuck(0), stuck(30_000), [31_000, down], [32_000, down], [33_000, down], [40_000, down], stuck(41_000), stuck(42_000), stuck(70_000), stuck(71_000)])
  t.same(r.raisedIds, [[], ['consumer_stalled:recorder'], [], [], ['kafka_unreachable:kafka'], [], [], [], [], ['consumer_stalled:recorder']])
  t.same(r.clearedIds, [[], [], [], [], [], [], [], ['kafka_unreachable:kafka', 'consumer_stalled:recorder'], [], []],
    'the stall stays active through the outage; after it the group gets its full stall time again')
  t.match(r.raised[4]![0]!.detail, 'ECONNREFUSED')
})

t.test('disk low when below EITHER threshold; detail gives free MiB and percent', async t => {
  t.equal(judgeDisk(disk(50 * GiB), SETTINGS).bad, false, '50 % and 50 GiB free is fine')
  t.equal(judgeDisk(disk(5 * GiB), SETTINGS).bad, true, '5 % free on a 100 GiB disk is low (percent)')
  t.equal(judgeDisk(disk(1.5 * GiB, 10 * GiB), SETTINGS).bad, true, '15 % but 1.5 GiB free is low (bytes)')
  t.equal(judgeDisk(disk(3 * GiB, 10 * GiB), SETTINGS).bad, false, '30 % and 3 GiB is fine')
  const low = judgeDisk(disk(1024 * 1024 * 1024, 20 * GiB), SETTINGS)
  t.match(low.detail, '1024 MiB free (5.0 %) of 20480 MiB')
  t.match(low.detail, 'low below 2048 MiB or 10 %')
  const unreadable = judgeDisk({ label: 'kafka', path: '/watch/kafka', ok: false, reason: 'ENOENT' }, SETTINGS)
  t.equal(unreadable.bad, true, 'a disk that cannot be measured is not reported as fine')
  t.match(unreadable.detail, 'ENOENT')
})

t.test('disk_low raises on the first low round and clears after two good ones', async t => {
  const r = run([seen({ disks: [disk(GiB)] }), seen({ disks: [disk(GiB)] }), seen({ disks: [disk(50 * GiB)] }), seen({ disks: [disk(50 * GiB)] })])
  t.same(r.raisedIds, [['disk_low:postgres'], [], [], []])
  t.same(r.clearedIds, [[], [], [], ['disk_low:postgres']])
})

t.test('an active alarm keeps its raisedAt but shows the latest detail', async t => {
  const r = run([seen({ disks: [disk(GiB)] }), seen({ disks: [disk(GiB / 2)] })])
  t.equal(r.active[0]!.raisedAt, new Date(T0).toISOString())
  t.match(r.active[0]!.detail, /^\/watch\/postgres: 512 MiB free/)
})

t.test('judging does not change the previous state (pure)', async t => {
  const before = run([seen({ targets: [frozen('alert')] })]).state
  const copy = structuredClone(before)
  judgeRound(before, seen({ targets: [frozen('alert')] }), new Date(T0 + 5000), SETTINGS)
  t.same(before, copy)
})

t.test('a Kafka read still pending is neither a failure nor a recovery, and keeps the stall clocks', async t => {
  const pending = seen({ kafka: { state: 'pending' } })
  const down = seen({ kafka: { state: 'unreachable', reason: 'no answer within 5000 ms' } })
  const flaky = run([down, pending, down, pending, pending, down])
  t.same(flaky.raisedIds.flat(), ['kafka_unreachable:kafka'], 'pending rounds between failures do not restart the count')
  const recovering = run([down, down, down, pending, pending, pending])
  t.same(recovering.clearedIds.flat(), [], 'nor do they clear the alarm')

  const stuck = (atMs: number) => [atMs, seen({ kafka: { state: 'reachable', groups: [group(40, '100')] } })] as [number, Observations]
  const r = run([stuck(0), [20_000, pending], [29_000, pending], stuck(30_000)])
  t.same(r.raisedIds, [[], [], [], ['consumer_stalled:recorder']], 'the stall time counts across pending rounds')
})
