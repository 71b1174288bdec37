import t from 'tap'
import { Redis } from 'ioredis'
import { freePort } from '@anxin/infra/stack'
import { testLogger, testStack, uniqueId } from '@anxin/testing'
import { SequenceTracker } from '../../src/adapters/sequence-tracker.ts'

const HOUR = 3600_000
const now = Date.now()

function redisClient(url: string): Redis {
  // As ingestion's own client (main.ts): fail fast, never queue.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 250 })
  redis.on('error', () => {})
  return redis
}

t.test('what one instance learns reaches Redis and guards another instance (or a restart)', async t => {
  const stack = await testStack()
  const redis = redisClient(stack.redisUrl)
  t.teardown(() => redis.disconnect())
  await new Promise(resolve => redis.once('ready', resolve))
  const keyPrefix = `anxin-test:${uniqueId('seq')}:`
  t.teardown(async () => {
    const keys = await redis.keys(`${keyPrefix}*`)
    if (keys.length > 0) await redis.del(...keys)
  })
  const { logger } = testLogger('sequence-tracker')
  const first = new SequenceTracker(redis, { keyPrefix, windowMs: HOUR, logger })
  t.equal((await first.check('W1', { seq: 10, ts: now - 3 * HOUR })).replayed, false)
  t.equal((await first.check('W1', { seq: 11, ts: now })).replayed, false)
  t.equal((await first.check('W1', { seq: 10, ts: now - 3 * HOUR })).replayed, true, 'the same instance refuses the replay at once, from memory')
  await first.stop()
  t.same(await redis.hgetall(`${keyPrefix}ingestion:seq:W1`), { s: '11', t: String(now) }, 'stored under the instance\'s key prefix')
  t.ok((await redis.ttl(`${keyPrefix}ingestion:seq:W1`)) > 7 * 24 * 3600, 'kept longer than the oldest device time accepted')

  const second = new SequenceTracker(redis, { keyPrefix, windowMs: HOUR, logger })
  t.equal((await second.check('W1', { seq: 10, ts: now - 3 * HOUR })).replayed, true, 'a fresh instance refuses it too')
  t.equal((await second.check('W1', { seq: 0, ts: now + 5000 })).replayed, false, 'a reboot is accepted')
  // Merging keeps the highest values even when an instance with an older view writes last.
  const stale = new SequenceTracker(redis, { keyPrefix, windowMs: HOUR, logger })
  await stale.check('W2', { seq: 1, ts: now })
  await redis.hset(`${keyPrefix}ingestion:seq:W2`, 's', 50, 't', now + 1000)
  await stale.flush()
  t.same(await redis.hgetall(`${keyPrefix}ingestion:seq:W2`), { s: '50', t: String(now + 1000) }, 'never goes back')
  t.equal((await stale.check('W2', { seq: 2, ts: now - 2 * HOUR })).replayed, true, 'and the merged values come back to the instance')
  await second.stop()
  await stale.stop()

  // Memory is bounded: the least recently seen devices are forgotten once merged, and read back from Redis.
  const small = new SequenceTracker(redis, { keyPrefix, windowMs: HOUR, logger, maxDevices: 2 })
  for (const id of ['M1', 'M2', 'M3']) {
    await small.check(id, { seq: 10, ts: now })
  }
  await small.flush()
  t.equal(small.size, 2, 'M1 forgotten')
  t.equal((await small.check('M1', { seq: 3, ts: now - 2 * HOUR })).replayed, true, 'yet a replay from M1 is still refused: its state came back from Redis')
  await small.stop()
})

t.test('Redis down never blocks and never refuses: the check fails open to this instance\'s memory', async t => {
  const port = await freePort()
  const redis = redisClient(`redis://127.0.0.1:${port}`)
  t.teardown(() => redis.disconnect())
  const { logger, lines } = testLogger('sequence-tracker')
  const tracker = new SequenceTracker(redis, { keyPrefix: 'anxin-test:down:', windowMs: HOUR, logger })
  t.equal((await tracker.check('W1', { seq: 5, ts: now - 2 * HOUR })).replayed, false)
  t.equal((await tracker.check('W1', { seq: 6, ts: now })).replayed, false)
  t.equal((await tracker.check('W1', { seq: 5, ts: now - 2 * HOUR })).replayed, true, 'what this instance saw still counts')
  await tracker.stop()
  t.equal(lines.filter(l => l.includes('redis unavailable')).length, 1, 'the outage is logged once, not per message')
})
