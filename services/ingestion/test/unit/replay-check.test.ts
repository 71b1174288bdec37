import t from 'tap'
import { judgeSequence, mergeSequenceState, type SequenceState } from '../../src/domain/replay-check.ts'

const HOUR = 3600_000
const window = HOUR
const now = Date.parse('2026-11-22T12:00:00Z')
/** The device has sent up to seq 500, the newest at `now`. */
const seen: SequenceState = { maxSeq: 500, newestTs: now }

t.test('the first message from a device is never a replay, and becomes the state', async t => {
  t.same(judgeSequence(null, { seq: 3, ts: now - 5 * 24 * HOUR }, window), { replayed: false, next: { maxSeq: 3, newestTs: now - 5 * 24 * HOUR } })
})

t.test('a captured old message sent again is refused: its seq is not new and its time is old', async t => {
  const verdict = judgeSequence(seen, { seq: 120, ts: now - 3 * HOUR }, window)
  t.equal(verdict.replayed, true)
  if (verdict.replayed) t.equal(verdict.detail, 'seq 120 not beyond 500 seen, and 180 min older than the newest message seen')
  t.equal(judgeSequence(seen, { seq: 500, ts: now - 2 * HOUR }, window).replayed, true, 'the very message that set the highest seq, replayed with an older copy time')
})

t.test('a rebooted device starts again at seq 0 with fresh times: accepted', async t => {
  let state: SequenceState = seen
  for (const [seq, ts] of [[0, now + 1000], [1, now + 6000], [2, now + 11000]] as const) {
    const verdict = judgeSequence(state, { seq, ts }, window)
    t.equal(verdict.replayed, false, `seq ${seq}`)
    if (!verdict.replayed) state = verdict.next
  }
  t.same(state, { maxSeq: 500, newestTs: now + 11000 }, 'the highest seq is kept; the newest time moves on')
  t.equal(judgeSequence(state, { seq: 480, ts: now - 2 * HOUR }, window).replayed, true, 'and a message from before the reboot replayed now is still refused')
})

t.test('a device whose clock was set back keeps counting: accepted', async t => {
  const verdict = judgeSequence(seen, { seq: 501, ts: now - 5 * HOUR }, window)
  t.same(verdict, { replayed: false, next: { maxSeq: 501, newestTs: now } })
})

t.test('messages reordered in flight, or a catch-up after a drop-out, are within the window: accepted', async t => {
  t.equal(judgeSequence(seen, { seq: 470, ts: now - 20 * 60_000 }, window).replayed, false, 'redelivered 20 minutes late')
  t.equal(judgeSequence(seen, { seq: 499, ts: now - 1000 }, window).replayed, false, 'one message overtaken by the next')
  t.equal(judgeSequence(seen, { seq: 500, ts: now }, window).replayed, false, 'the same message twice at once (a QoS 1 redelivery)')
  t.equal(judgeSequence(seen, { seq: 100, ts: now - window }, window).replayed, false, 'exactly at the edge of the window')
})

t.test('two views of one device merge to the highest of each', async t => {
  t.same(mergeSequenceState({ maxSeq: 9, newestTs: 100 }, { maxSeq: 4, newestTs: 300 }), { maxSeq: 9, newestTs: 300 })
  t.same(mergeSequenceState(null, { maxSeq: 4, newestTs: 300 }), { maxSeq: 4, newestTs: 300 })
})
