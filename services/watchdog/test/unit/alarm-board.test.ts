import t from 'tap'
import { EMPTY_BOARD, updateBoard } from '../../src/domain/alarm-board.ts'
import type { SystemAlarm } from '../../src/domain/system-alarm.ts'

const T0 = Date.parse('2026-11-22T08:00:00.000Z')
const cleared = (n: number, clearedAtMs: number): SystemAlarm => ({
  id: `disk_low:d${n}`, kind: 'disk_low', subject: `d${n}`, severity: 'critical', detail: '', raisedAt: new Date(T0).toISOString(), clearedAt: new Date(clearedAtMs).toISOString(),
})

t.test('recent holds cleared alarms of the last 24 h, newest first, at most 100', async t => {
  let board = updateBoard(EMPTY_BOARD, { active: [], cleared: [cleared(1, T0 + 1000)] }, new Date(T0 + 1000))
  board = updateBoard(board, { active: [], cleared: [cleared(2, T0 + 2000)] }, new Date(T0 + 2000))
  t.same(board.recent.map(a => a.subject), ['d2', 'd1'])
  t.equal(board.checkedAt, new Date(T0 + 2000).toISOString())

  board = updateBoard(board, { active: [], cleared: [] }, new Date(T0 + 24 * 3600_000 + 1500))
  t.same(board.recent.map(a => a.subject), ['d2'], 'older than 24 h is dropped')

  const many = Array.from({ length: 150 }, (_, i) => cleared(i, T0 + 3000 + i))
  board = updateBoard(EMPTY_BOARD, { active: [], cleared: many }, new Date(T0 + 5000))
  t.equal(board.recent.length, 100)
  t.equal(board.recent[0]!.subject, 'd149', 'the newest kept')
})
