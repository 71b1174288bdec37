import t from 'tap'
import { WakeableLoop } from '../src/wakeable-loop.ts'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

t.test('runs again at once while there is work, then waits for the idle period', async t => {
  let calls = 0
  const loop = new WakeableLoop({ step: async () => ++calls < 5, idleMs: 60000, onError: () => {} })
  loop.start()
  await sleep(50)
  t.equal(calls, 5, 'four steps with work and the one that found none')
  await loop.stop()
})

t.test('a kick wakes the idle loop, including a kick that came while a step ran', async t => {
  let calls = 0
  let loop: WakeableLoop | null = null
  loop = new WakeableLoop({
    step: async () => {
      calls++
      if (calls === 1) loop!.kick() // work committed while this step was running
      return false
    },
    idleMs: 60000,
    onError: () => {},
  })
  loop.start()
  await sleep(50)
  t.equal(calls, 2, 'the kick during the first step ran a second one at once')
  loop.kick()
  await sleep(50)
  t.equal(calls, 3, 'a kick while idle runs the step')
  await loop.stop()
})

t.test('a failing step is reported and retried after a pause; stop waits for the running step', async t => {
  const failures: number[] = []
  let calls = 0
  let finished = false
  const loop = new WakeableLoop({
    step: async () => {
      calls++
      if (calls <= 2) throw new Error('database restarting')
      await sleep(1000)
      finished = true
      return false
    },
    idleMs: 60000,
    onError: (_error, n) => failures.push(n),
  })
  loop.start()
  for (let waited = 0; calls < 3 && waited < 5000; waited += 10) await sleep(10)
  t.same(failures, [1, 2], 'each failure reported with its count')
  t.equal(calls, 3, 'and retried until it works')
  t.notOk(finished, 'the third step is still running')
  const stopping = Date.now()
  await loop.stop()
  t.ok(finished, 'stop returned after the step in progress')
  t.ok(Date.now() - stopping < 30000, 'and did not wait for the idle period (60 s) after it')
})
