import t from 'tap'
import type { StepResult } from '../load/platform-under-load.ts'
import { keptUp, rampAndHold } from '../load/ramp.ts'

/** A platform that keeps up with anything up to `ceiling` msg/s, and with the hold only up to `holdCeiling`. */
function fakePlatform(ceiling: number, holdCeiling = ceiling) {
  const calls: Array<[number, number]> = []
  const step = async (rate: number, seconds: number): Promise<StepResult> => {
    calls.push([rate, seconds])
    const limit = seconds > 20 ? holdCeiling : ceiling
    const ok = rate <= limit
    return {
      targetMsgsPerS: rate, seconds, sent: rate * seconds, sendFailed: 0, generatorMsgsPerS: rate, stored: ok ? rate * seconds : limit * seconds,
      behind: ok ? 0 : (rate - limit) * seconds, endToEndMsgsPerS: ok ? rate : limit, drainSeconds: ok ? 0.3 : 10,
      lagAtEnd: { recorder: 0, alert: 0 }, usage: { seconds, parts: [] },
    }
  }
  return { step, calls }
}

t.test('ramps until the platform falls behind, then holds the best rate for the long step', async t => {
  const p = fakePlatform(9000)
  const { held, steps } = await rampAndHold(p.step, { rates: [4000, 8000, 9000, 10000, 12000], rampSeconds: 20, holdSeconds: 60 })
  t.same(p.calls, [[4000, 20], [8000, 20], [9000, 20], [10000, 20], [9000, 60]])
  t.equal(held?.targetMsgsPerS, 9000)
  t.equal(steps.length, 5)
})

t.test('a rate that survives a short step but not a minute is not called sustained; 10 % less is tried once', async t => {
  const p = fakePlatform(9000, 8500)
  const { held } = await rampAndHold(p.step, { rates: [8000, 9000, 10000], rampSeconds: 20, holdSeconds: 60 })
  t.same(p.calls.slice(-2), [[9000, 60], [8100, 60]])
  t.equal(held?.targetMsgsPerS, 8100)
})

t.test('nothing held when even the first step falls behind', async t => {
  const p = fakePlatform(1000)
  t.equal((await rampAndHold(p.step, { rates: [2000, 4000], rampSeconds: 20, holdSeconds: 60 })).held, null)
})

t.test('kept up means nothing missing, the generator at rate and the backlog cleared within a second', async t => {
  const base = { targetMsgsPerS: 1000, seconds: 20, sent: 20000, sendFailed: 0, generatorMsgsPerS: 1000, stored: 20000, behind: 0, endToEndMsgsPerS: 990, drainSeconds: 0.4, lagAtEnd: { recorder: 0, alert: 0 }, usage: { seconds: 20, parts: [] } }
  t.ok(keptUp(base))
  t.notOk(keptUp({ ...base, behind: 1 }), 'one message missing')
  t.notOk(keptUp({ ...base, drainSeconds: 1.5 }), 'absorbed as a burst')
  t.notOk(keptUp({ ...base, generatorMsgsPerS: 900 }), 'the generator could not keep the rate')
  t.notOk(keptUp({ ...base, sendFailed: 3 }), 'the broker refused messages')
})
