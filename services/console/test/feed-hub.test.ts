import { randomUUID } from 'node:crypto'
import t from 'tap'
import { withTransaction } from '@anxin/db'
import { testDatabase, testLogger, testStack, waitUntil } from '@anxin/testing'
import { FeedHub } from '../src/adapters/feed-hub.ts'
import { appendFeedEvents, pruneFeed, type FeedEvent, type NewFeedEvent } from '../src/adapters/feed-store.ts'
import type { SessionUser } from '../src/domain/session-user.ts'

const user = (orgId: string, areaId: string | null): SessionUser => ({
  staffId: 's', username: 's', fullName: 's', role: 'operator', orgId, orgName: orgId, areaId, timezone: 'Asia/Shanghai',
})

const event = (orgId: string, areaId: string | null, eventId: string = randomUUID()): NewFeedEvent => ({
  eventId, kind: 'lifecycle', at: new Date().toISOString(), orgId, areaId, residentId: 'r', alarmId: randomUUID(), cause: 'acknowledge', alarm: null, device: null,
})

t.test('two console instances push every event once, in order, to each browser; a browser joining mid-stream catches up without gaps or repeats; scope is enforced', async t => {
  const db = await testDatabase(t, await testStack())
  const { logger } = testLogger('feed')
  const hubs = [new FeedHub({ pool: db.pool, logger, schema: db.schema, pollMs: 5000 }), new FeedHub({ pool: db.pool, logger, schema: db.schema, pollMs: 5000 })]
  for (const hub of hubs) {
    await hub.start()
    t.teardown(() => hub.stop())
  }
  const append = (events: NewFeedEvent[]) => withTransaction(db.pool, client => appendFeedEvents(client, events))

  const early: FeedEvent[] = []
  const areaOnly: FeedEvent[] = []
  const otherOrg: FeedEvent[] = []
  await hubs[0]!.subscribe({ user: user('org-a', null), send: e => early.push(e), resync: () => {} }, '0')
  await hubs[1]!.subscribe({ user: user('org-a', 'area-1'), send: e => areaOnly.push(e), resync: () => {} }, '0')
  await hubs[1]!.subscribe({ user: user('org-b', null), send: e => otherOrg.push(e), resync: () => {} }, '0')

  // Writers in parallel (two console consumers), and a browser that joins halfway at the position it had.
  const writers = Array.from({ length: 4 }, async (_v, w) => {
    for (let i = 0; i < 25; i++) await append([event('org-a', i % 2 ? 'area-1' : 'area-2'), ...(i % 5 === 0 ? [event('org-b', null)] : [])])
    return w
  })
  await waitUntil(async () => early.length >= 40, 10000)
  const joinAt = early[19]!.seq
  const late: FeedEvent[] = []
  await hubs[1]!.subscribe({ user: user('org-a', null), send: e => late.push(e), resync: () => {} }, joinAt)
  await Promise.all(writers)

  const orgA = await db.pool.query<{ seq: string }>(`SELECT seq FROM console_feed WHERE org_id = 'org-a' ORDER BY seq`)
  t.equal(orgA.rowCount, 100)
  t.ok(await waitUntil(async () => early.length === 100 && late.length === 100 - 20, 10000), 'everyone gets everything (the late one from where it was)')
  t.same(early.map(e => e.seq), orgA.rows.map(r => r.seq), 'in order, once each')
  t.same(late.map(e => e.seq), orgA.rows.slice(20).map(r => r.seq), 'the late browser: exactly the events after its position')
  const area1 = await db.pool.query<{ seq: string }>(`SELECT seq FROM console_feed WHERE org_id = 'org-a' AND area_id = 'area-1' ORDER BY seq`)
  t.ok(await waitUntil(async () => areaOnly.length === area1.rowCount, 5000))
  t.same(areaOnly.map(e => e.seq), area1.rows.map(r => r.seq), 'area staff see their area only')
  t.ok(await waitUntil(async () => otherOrg.length === 20, 5000))
  t.ok(otherOrg.every(e => e.orgId === 'org-b'), 'another organisation sees only its own')
})

t.test('a redelivered Kafka message is recorded once', async t => {
  const db = await testDatabase(t, await testStack())
  const once = event('org-a', null, 'lifecycle:fixed-id')
  t.equal(await withTransaction(db.pool, client => appendFeedEvents(client, [once])), 1)
  t.equal(await withTransaction(db.pool, client => appendFeedEvents(client, [once])), 0)
  const rows = await db.pool.query(`SELECT 1 FROM console_feed WHERE event_id = 'lifecycle:fixed-id'`)
  t.equal(rows.rowCount, 1)
})

t.test('a browser back after the retention is told to reload its snapshot, then gets what is kept', async t => {
  const db = await testDatabase(t, await testStack())
  const { logger } = testLogger('feed')
  const hub = new FeedHub({ pool: db.pool, logger, schema: db.schema, pollMs: 5000 })
  await hub.start()
  t.teardown(() => hub.stop())
  const append = (events: NewFeedEvent[]) => withTransaction(db.pool, client => appendFeedEvents(client, events))
  await append([event('org-a', null), event('org-a', null)])
  await db.pool.query(`UPDATE console_feed SET created_at = now() - interval '8 days'`)
  await append([event('org-a', null)])
  t.equal(await pruneFeed(db.pool, 7), 2, 'events older than the retention go')
  const kept = await db.pool.query<{ seq: string }>('SELECT seq FROM console_feed')
  let resynced = 0
  const seen: FeedEvent[] = []
  await hub.subscribe({ user: user('org-a', null), send: e => seen.push(e), resync: () => resynced++ }, '1')
  t.equal(resynced, 1, 'position 1 is gone: reload')
  t.same(seen.map(e => e.seq), kept.rows.map(r => r.seq))
  let fresh = 0
  await hub.subscribe({ user: user('org-a', null), send: () => {}, resync: () => fresh++ }, String(BigInt(kept.rows[0]!.seq) - 1n))
  t.equal(fresh, 0, 'a position just before what is kept needs no reload')
})
