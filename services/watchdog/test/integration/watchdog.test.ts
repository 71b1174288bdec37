import t from 'tap'
import type { ChildProcess } from 'node:child_process'
import { z } from 'zod'
import Fastify from 'fastify'
import { verifySignature } from '@anxin/contracts'
import { createProducer, runConsumer } from '@anxin/kafka'
import { freePort } from '@anxin/infra/stack'
import { startServiceProcess, testLogger, testStack, testTopics, uniqueId, waitUntil, type Teardown } from '@anxin/testing'
import type { AlarmBoard } from '../../src/domain/alarm-board.ts'

/**
 * The real watchdog, as its own process, against a service it can freeze and make unready, a real consumer
 * group on the real Kafka that stops committing, a disk below its threshold, and a webhook receiver that
 * checks the signature; then a second watchdog pointed at a port where no Kafka listens.
 */
const ENTRY = 'services/watchdog/src/main.ts'
const SECRET = 'watchdog-test-secret-0123456789'

type Mode = 'ok' | 'hang' | 'not_ready'

/** A stand-in service whose health answers we control; `hang` never answers, as a SIGSTOPped process. */
async function fakeService(t: Teardown) {
  let mode: Mode = 'ok'
  const hung = new Set<() => void>()
  const app = Fastify()
  const hold = () => new Promise<void>(resolve => hung.add(resolve))
  app.get('/health/live', async () => {
    if (mode === 'hang') await hold()
    return { status: 'ok' }
  })
  app.get('/health/ready', async (_request, reply) => {
    if (mode === 'hang') await hold()
    if (mode === 'not_ready') return reply.code(503).send({ status: 'unavailable', checks: { kafka: false, redis: true } })
    return { status: 'ok', checks: { kafka: true } }
  })
  const release = () => {
    for (const resolve of hung) resolve()
    hung.clear()
  }
  t.teardown(async () => {
    release()
    await app.close()
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    set: (next: Mode) => {
      mode = next
      if (next !== 'hang') release()
    },
  }
}

type Delivery = { event: string; alarm: { id: string; kind: string }; signature: string }

/** Records webhook deliveries whose signature verifies against the secret; counts the ones that do not. */
async function webhookReceiver(t: Teardown) {
  const delivered: Delivery[] = []
  let badSignatures = 0
  const app = Fastify()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  app.post('/page', async (request, reply) => {
    const raw = request.body as string
    const signature = String(request.headers['x-anxin-signature'] ?? '')
    if (!verifySignature(SECRET, signature, raw, Date.now() / 1000).ok) {
      badSignatures++
      return reply.code(401).send()
    }
    delivered.push({ ...(JSON.parse(raw) as Omit<Delivery, 'signature'>), signature })
    return reply.code(204).send()
  })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/page`, delivered, badSignatures: () => badSignatures }
}

async function startWatchdog(t: Teardown, env: Record<string, string>) {
  const port = await freePort()
  const child: ChildProcess = await startServiceProcess(ENTRY, {
    HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), LOG_LEVEL: 'info', WATCHDOG_INTERVAL_MS: '200', WATCHDOG_PROBE_TIMEOUT_MS: '400', WATCHDOG_UNRESPONSIVE_AFTER: '3',
    ...env,
  }, '"http listening"')
  const output: string[] = []
  child.stdout!.on('data', chunk => output.push(...String(chunk).split('\n').filter(Boolean)))
  t.teardown(() => new Promise<void>(resolve => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  }))
  const base = `http://127.0.0.1:${port}`
  const board = async () => (await (await fetch(`${base}/system-alarms`)).json()) as AlarmBoard
  const activeIds = async () => (await board()).active.map(a => a.id)
  return { base, board, activeIds, output }
}

t.test('the watchdog raises and clears system alarms for a frozen service, a stalled consumer and a full disk, and pages the webhook', async t => {
  const stack = await testStack()
  const { logger } = testLogger('watchdog-test')
  const topics = await testTopics(t, stack, logger)
  const target = await fakeService(t)
  const webhook = await webhookReceiver(t)

  // A real consumer group (the platform's own consumer runner) whose handler we can block: offsets are
  // committed only after the handler returns, so a blocked handler is a consumer that stopped committing.
  const groupId = `watchdog-test-${uniqueId()}`
  const topic = topics.names.deadLetter
  let gateOpen = true
  const waiting = new Set<() => void>()
  const openGate = () => {
    gateOpen = true
    for (const resolve of waiting) resolve()
    waiting.clear()
  }
  const producer = await createProducer(topics.kafka)
  t.teardown(() => producer.disconnect())
  const consumer = await runConsumer({
    kafka: topics.kafka, groupId, topics: [topic], schema: z.unknown(), deadLetterProducer: producer, deadLetterTopic: topics.names.deadLetter, logger,
    sessionTimeoutMs: 30000,
    handle: async () => {
      if (!gateOpen) await new Promise<void>(resolve => waiting.add(resolve))
    },
  })
  t.teardown(async () => {
    openGate()
    await consumer.stop()
  })
  const send = (n: number) => producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: 'k', value: JSON.stringify({ i }) })) })

  // The group has committed once (it is a working consumer), before the watchdog starts.
  const admin = topics.kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const committedSum = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0)
  await send(2)
  t.ok(await waitUntil(async () => (await committedSum()) === 2, 30000), 'the consumer group committed its first messages')

  const watchdog = await startWatchdog(t, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    WATCHDOG_TARGETS: `fake=${target.url}`,
    WATCHDOG_CONSUMER_GROUPS: `testgroup=${groupId}`,
    WATCHDOG_DISK_PATHS: 'tmp=/tmp',
    WATCHDOG_DISK_MIN_FREE_PERCENT: '101',
    WATCHDOG_STALL_AFTER_MS: '1500',
    WATCHDOG_WEBHOOK_URL: webhook.url,
    WATCHDOG_WEBHOOK_SECRET: SECRET,
  })

  // Disk: a threshold no disk can meet makes /tmp "low" on the first round.
  t.ok(await waitUntil(async () => (await watchdog.activeIds()).includes('disk_low:tmp'), 10000), 'disk_low raised')
  const diskAlarm = (await watchdog.board()).active.find(a => a.id === 'disk_low:tmp')!
  t.equal(diskAlarm.severity, 'critical')
  t.match(diskAlarm.detail, /\/tmp: \d+ MiB free \(\d+\.\d %\)/, 'the detail gives free MiB and percent')
  const metrics = await (await fetch(`${watchdog.base}/metrics`)).text()
  t.match(metrics, /anxin_system_alarms_active\{kind="disk_low"\} 1/, 'the Prometheus gauge counts it')
  t.match(metrics, /anxin_system_alarms_active\{kind="consumer_stalled"\} 0/, 'kinds without alarms are exported as 0')

  // Healthy service and a consumer keeping up: no alarm about them over several rounds.
  await new Promise(r => setTimeout(r, 1500))
  t.same((await watchdog.activeIds()).filter(id => id !== 'disk_low:tmp'), [], 'nothing else is wrong yet')

  // Frozen service: unresponsive after 3 failed probes; recovers, cleared.
  target.set('hang')
  t.ok(await waitUntil(async () => (await watchdog.activeIds()).includes('service_unresponsive:fake'), 10000), 'a frozen service is reported unresponsive')
  t.notOk((await watchdog.activeIds()).includes('service_not_ready:fake'), 'one alarm for one fault')
  target.set('ok')
  t.ok(await waitUntil(async () => !(await watchdog.activeIds()).includes('service_unresponsive:fake'), 10000), 'cleared once it answers again')
  const recent = (await watchdog.board()).recent
  t.equal(recent[0]?.id, 'service_unresponsive:fake', 'the cleared alarm is in the recent list')
  t.ok(recent[0]?.clearedAt, 'with the time it cleared')

  // Not ready: a 503 naming a failed check.
  target.set('not_ready')
  t.ok(await waitUntil(async () => (await watchdog.activeIds()).includes('service_not_ready:fake'), 10000), 'a service answering 503 is not ready')
  const notReady = (await watchdog.board()).active.find(a => a.id === 'service_not_ready:fake')!
  t.equal(notReady.severity, 'warning')
  t.match(notReady.detail, 'not ready: kafka', 'names the failing check')
  target.set('ok')

  // Stalled consumer: messages wait, the handler is blocked, the committed offsets do not move.
  gateOpen = false
  await send(5)
  t.ok(await waitUntil(async () => (await watchdog.activeIds()).includes('consumer_stalled:testgroup'), 15000), 'a consumer with lag that stopped committing is stalled')
  t.match((await watchdog.board()).active.find(a => a.id === 'consumer_stalled:testgroup')!.detail, /5 messages waiting/)
  openGate()
  t.ok(await waitUntil(async () => (await committedSum()) === 7, 30000), 'the consumer commits again')
  t.ok(await waitUntil(async () => !(await watchdog.activeIds()).includes('consumer_stalled:testgroup'), 10000), 'and the stall clears')

  // The pager got every raise and clear, in order, signed.
  const expected = [
    ['raised', 'disk_low:tmp'], ['raised', 'service_unresponsive:fake'], ['cleared', 'service_unresponsive:fake'],
    ['raised', 'service_not_ready:fake'], ['cleared', 'service_not_ready:fake'], ['raised', 'consumer_stalled:testgroup'], ['cleared', 'consumer_stalled:testgroup'],
  ]
  t.ok(await waitUntil(() => webhook.delivered.length >= expected.length, 10000), 'the webhook received every event')
  t.same(webhook.delivered.map(d => [d.event, d.alarm.id]), expected, 'raised and cleared, in order, each once')
  t.equal(webhook.badSignatures(), 0, 'every delivery carried a valid signature')

  // Loud: a raise is an error-level log line, a clear a warning.
  const lines = watchdog.output.flatMap(l => { try { return [JSON.parse(l) as { level: number; msg: string; systemAlarm?: { id: string } }] } catch { return [] } })
  t.ok(lines.some(l => l.level === 50 && l.systemAlarm?.id === 'consumer_stalled:testgroup' && /SYSTEM ALARM raised/.test(l.msg)), 'raised is logged at error level')
  t.ok(lines.some(l => l.level === 40 && l.systemAlarm?.id === 'consumer_stalled:testgroup' && /cleared/.test(l.msg)), 'cleared is logged at warn level')
})

t.test('kafka unreachable is raised when no broker answers', async t => {
  const closed = await freePort()
  const watchdog = await startWatchdog(t, { KAFKA_BROKERS: `127.0.0.1:${closed}`, WATCHDOG_CONSUMER_GROUPS: 'recorder=anxin-recorder' })
  t.ok(await waitUntil(async () => (await watchdog.activeIds()).includes('kafka_unreachable:kafka'), 15000), 'kafka_unreachable raised')
  const alarm = (await watchdog.board()).active.find(a => a.id === 'kafka_unreachable:kafka')!
  t.equal(alarm.severity, 'critical')
  t.same((await watchdog.board()).active.map(a => a.id), ['kafka_unreachable:kafka'], 'and no consumer_stalled is guessed while offsets cannot be read')
  const ready = await fetch(`${watchdog.base}/health/ready`)
  t.equal(ready.status, 200, 'the watchdog itself stays ready: it is watching, and what it sees is bad')
})
