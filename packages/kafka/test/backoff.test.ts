import t from 'tap'
import { backoffDelay } from '../src/backoff.ts'

t.test('backoff grows exponentially, is capped, and jitters within the upper half', async t => {
  t.equal(backoffDelay(0, { random: () => 0 }), 100)
  t.equal(backoffDelay(0, { random: () => 1 }), 200)
  t.equal(backoffDelay(3, { random: () => 1 }), 1600)
  t.equal(backoffDelay(30, { random: () => 1 }), 10000, 'capped')
  t.equal(backoffDelay(30, { random: () => 0 }), 5000)
})
