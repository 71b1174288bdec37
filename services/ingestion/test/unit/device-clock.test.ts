import t from 'tap'
import { describeClockVerdict, judgeDeviceTime, type ClockWindow } from '../../src/domain/device-clock.ts'

const window: ClockWindow = { maxAheadMs: 15 * 60_000, maxBehindMs: 7 * 24 * 3600_000 }
const receivedAt = new Date('2026-11-22T12:00:00Z')
const at = (offsetMs: number) => new Date(receivedAt.getTime() + offsetMs)

t.test('device times inside the window are believed, including the edges', async t => {
  for (const offset of [0, 15 * 60_000, -7 * 24 * 3600_000, -3 * 3600_000, 90_000]) {
    t.same(judgeDeviceTime(at(offset), receivedAt, window), { kind: 'within' }, `offset ${offset} ms`)
  }
})

t.test('too far ahead or behind says which way and by how much', async t => {
  t.same(judgeDeviceTime(at(15 * 60_000 + 1), receivedAt, window), { kind: 'ahead', byMs: 15 * 60_000 + 1 })
  t.same(judgeDeviceTime(at(-8 * 24 * 3600_000), receivedAt, window), { kind: 'behind', byMs: 8 * 24 * 3600_000 })
})

t.test('the explanation is readable and carries no payload', async t => {
  const verdict = judgeDeviceTime(new Date('2029-11-22T12:00:00Z'), receivedAt, window)
  if (verdict.kind === 'within') throw new Error('expected out of window')
  t.equal(describeClockVerdict(verdict, window), 'device time 1096.0 d ahead of receipt (limit 15 min)')
  t.equal(describeClockVerdict({ kind: 'behind', byMs: 8 * 24 * 3600_000 }, window), 'device time 8.0 d behind receipt (limit 7.0 d)')
})
