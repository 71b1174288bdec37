import { randomUUID } from 'node:crypto'
import t from 'tap'
import { consoleApp } from './console-app.ts'

type Listed = { id: string; priority: number; raisedAt: string; state: string; type: string }

t.test('the queue: highest priority first, then the longest waiting; pages that neither skip nor repeat; history and filters', async t => {
  const c = await consoleApp(t)
  const pool = c.db.pool
  const base = Date.parse('2026-11-22T08:00:00Z')
  const made: Array<{ id: string; priority: number; minute: number; type: string; resolved: boolean }> = [
    { id: randomUUID(), priority: 400, minute: 5, type: 'sos', resolved: false },
    { id: randomUUID(), priority: 400, minute: 1, type: 'fall', resolved: false },
    { id: randomUUID(), priority: 250, minute: 0, type: 'heart_rate_high', resolved: false },
    { id: randomUUID(), priority: 100, minute: 2, type: 'low_battery', resolved: false },
    { id: randomUUID(), priority: 400, minute: 3, type: 'sos', resolved: true },
  ]
  for (const a of made) {
    const at = new Date(base + a.minute * 60000).toISOString()
    await pool.query(
      `INSERT INTO alarms (id, org_id, resident_id, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
       VALUES ($1, 'org-a', 'res-a1', $2, 'critical', $3, $5, $1, $4, $4, $4)`,
      [a.id, a.type, a.priority, at, a.resolved ? 'cleared' : 'open'],
    )
    if (a.resolved) {
      await pool.query(
        `INSERT INTO alarm_lifecycles (alarm_id, org_id, resident_id, alarm_type, state, version, lifecycle) VALUES ($1, 'org-a', 'res-a1', $2, 'resolved', 4, '{"outcome":"false_alarm"}')`,
        [a.id, a.type],
      )
    }
  }
  const open = made.filter(a => !a.resolved).sort((x, y) => y.priority - x.priority || x.minute - y.minute).map(a => a.id)

  const pages: string[][] = []
  let cursor: string | null = null
  do {
    const r = await c.as('operator', 'GET', `/api/alarms?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(r.statusCode, 200)
    pages.push(r.json().items.map((a: Listed) => a.id))
    cursor = r.json().nextCursor
  } while (cursor)
  t.same(pages.flat(), open, 'priority first, then oldest first, across pages of two')
  t.same(pages.map(p => p.length), [2, 2])

  const closed = (await c.as('operator', 'GET', '/api/alarms?view=closed')).json()
  t.same(closed.items.map((a: Listed) => a.id), [made[4]!.id], 'resolved alarms are history')
  t.equal(closed.items[0].outcome, 'false_alarm')
  const sos = (await c.as('operator', 'GET', '/api/alarms?view=all&type=sos')).json()
  t.same(sos.items.map((a: Listed) => a.id), [made[0]!.id, made[4]!.id], 'all sos, newest first')
  const window = (await c.as('operator', 'GET', `/api/alarms?view=all&from=${encodeURIComponent('2026-11-22T08:01:00Z')}&to=${encodeURIComponent('2026-11-22T08:03:00Z')}`)).json()
  t.same(window.items.map((a: Listed) => a.id), [made[3]!.id, made[1]!.id], 'a time window: [from, to)')

  const bad = await c.as('operator', 'GET', '/api/alarms?cursor=not-a-cursor')
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /cursor/)
  const badView = await c.as('operator', 'GET', '/api/alarms?view=everything')
  t.equal(badView.statusCode, 400)
  t.match(badView.json().message, /view/)
  const audit = await pool.query(`SELECT 1 FROM audit_log WHERE actor_id = 'a-oper' AND action = 'list_alarms'`)
  t.ok((audit.rowCount ?? 0) >= 5, 'looking at the queue is audited')
})
