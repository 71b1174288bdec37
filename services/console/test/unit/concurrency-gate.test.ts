import t from 'tap'
import { ConcurrencyGate } from '../../src/domain/concurrency-gate.ts'

t.test('runs at most `limit` at once, queues up to `queue`, refuses beyond, and hands slots on in order', async t => {
  const gate = new ConcurrencyGate({ limit: 2, queue: 2 })
  let active = 0
  let peak = 0
  const finished: number[] = []
  const releases: Array<() => void> = []
  const job = (n: number) => async () => {
    active++
    peak = Math.max(peak, active)
    await new Promise<void>(resolve => releases.push(resolve))
    active--
    finished.push(n)
    return n
  }
  const runs = [1, 2, 3, 4].map(n => gate.run(job(n)))
  t.equal(await gate.run(job(5)), null, 'the fifth is refused at once: two running, two waiting')
  await new Promise(r => setImmediate(r))
  t.equal(releases.length, 2, 'two run')
  releases.shift()!()
  await new Promise(r => setImmediate(r))
  t.equal(releases.length, 2, 'the first waiting one took the freed slot')
  while (releases.length) {
    releases.shift()!()
    await new Promise(r => setImmediate(r))
  }
  t.same(await Promise.all(runs), [1, 2, 3, 4])
  t.equal(peak, 2)
  t.same(finished, [1, 2, 3, 4])
  t.equal(await gate.run(async () => 'again'), 'again', 'the gate is free again')
})

t.test('a failing job frees its slot', async t => {
  const gate = new ConcurrencyGate({ limit: 1, queue: 0 })
  await t.rejects(gate.run(async () => { throw new Error('boom') }))
  t.equal(await gate.run(async () => 1), 1)
})
