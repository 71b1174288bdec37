import type { ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import type pg from 'pg'
import { nameBasedUuid, type NotifyCommandMessage } from '@anxin/contracts'
import { registerTestDevices, startServiceProcess, testDatabase, testLogger, testStack, testTopics, uniqueId, type Teardown } from '@anxin/testing'
import { createProducer, publish } from '../packages/kafka/src/producer.ts'
import { deliveryId } from '../services/dispatch/src/adapters/notification-intake.ts'
import type { DeliveryChannel } from '../services/dispatch/src/channels/channel.ts'
import { smtpSink, webhookReceiver } from '../services/dispatch/test/fixtures/providers.ts'

const WEBHOOK_SECRET = 'bench-webhook-bridge-secret-0123'
const LINK_SECRET = 'bench-link-secret-0123456789abcdef0123456789'
/** Every command asks for both; a critical SOS goes out on every channel asked for at once. */
const CHANNELS: readonly DeliveryChannel[] = ['email', 'webhook']
const PRODUCE_CHUNK = 500

type Staff = { id: string; name: string; phone: string; email: string }

export type PhaseResult = {
  commands: number
  /** Commands that reached no receiver on any channel. */
  lost: number
  /** Deliveries (one per command and channel) that never reached their receiver. */
  undelivered: number
  /** Receipts beyond the first of the same delivery id. */
  duplicates: number
  notificationsPerS: number
  commandsPerS: number
  /** Commands taken in (stored, deliveries queued) per second, from the first produce to the last intake. */
  intakeCommandsPerS: number
  producedPerS: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Produce to the intake transaction that queued the deliveries, and from there to the first receipt. */
  intakeP50Ms: number
  intakeP99Ms: number
  sendP50Ms: number
  sendP99Ms: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const round1 = (n: number): number => Math.round(n * 10) / 10
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/**
 * Notifications per second and command-to-first-delivery latency. The dispatch service runs as its own process
 * (as in production) against a real SMTP server and an organisation's webhook receiver (the fixtures of the
 * dispatch tests). Each notify command is for a critical SOS and asks for e-mail and the webhook, so both go
 * out at once: two deliveries per command. Phases: a paced rate well below saturation (latency of a service
 * that keeps up), a burst produced into Kafka as fast as the producer takes it (throughput), and a few
 * commands after the burst (the service must still be taking commands).
 * Latency is the moment a receiver accepted the command's first delivery minus the moment the command was
 * handed to the Kafka producer (the command's `at`); both clocks are this process's.
 */
export async function benchDispatch(t: Teardown, options: { burst: number; pacedPerS: number; pacedSeconds: number; staff: number; concurrency: number }) {
  const stack = await testStack()
  const { logger } = testLogger('bench')
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  const prefix = uniqueId('d')
  const { bound } = await registerTestDevices(db.pool, { count: 1, prefix })
  const residentId = bound[0]!.residentId!
  const staff: Staff[] = Array.from({ length: options.staff }, (_, i) => {
    const id = `${prefix}-st${i}`
    return { id, name: `护理员${i}`, phone: `1380000${String(i).padStart(4, '0')}`, email: `${id}@anxin.test` }
  })
  await db.pool.query(
    `INSERT INTO staff (id, org_id, full_name, role, phone, email) SELECT id, 'org-test', n, 'carer', p, e FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, n, p, e)`,
    [staff.map(s => s.id), staff.map(s => s.name), staff.map(s => s.phone), staff.map(s => s.email)],
  )

  // Receipts are stamped the moment a receiver accepts a message (the SMTP sink after parsing it, just
  // before it answers 250; the webhook receiver as it answers 200).
  const receipts = new Map<string, number[]>()
  const receive = (id: string, at: number) => void (receipts.get(id) ?? receipts.set(id, []).get(id)!).push(at)
  const smtp = await smtpSink(t)
  onPush(smtp.inbox, mail => receive(String(mail.headers.get('x-anxin-delivery') ?? mail.messageId), Date.now()))
  const webhook = await webhookReceiver(t, WEBHOOK_SECRET)
  let badSignatures = 0
  onPush(webhook.calls, call => {
    if (!call.signatureOk) badSignatures++
    receive(call.deliveryId, call.at)
  })
  await db.pool.query(`INSERT INTO dispatch_settings (org_id, webhook_url, webhook_secret) VALUES ('org-test', $1, $2)`, [webhook.url, WEBHOOK_SECRET])

  const dispatch = await startServiceProcess(
    'services/dispatch/src/main.ts',
    {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','), KAFKA_TOPIC_SUFFIX: topics.suffix, DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema,
      HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'info', DISPATCH_GROUP_ID: `dispatch-${prefix}`,
      // Nobody answers there: no escalation call is made in this benchmark.
      ESCALATION_URL: 'http://127.0.0.1:9', PUBLIC_BASE_URL: 'http://127.0.0.1:8085', LINK_SECRETS: LINK_SECRET,
      SMTP_URL: smtp.url, CHANNEL_CONCURRENCY: String(options.concurrency),
    },
    'http listening',
  )
  t.teardown(() => stopProcess(dispatch))
  // BENCH_DISPATCH_LOG=<file> keeps the service's own log (rebalances, failed batches) for a look afterwards.
  if (process.env.BENCH_DISPATCH_LOG) {
    const log = createWriteStream(process.env.BENCH_DISPATCH_LOG)
    dispatch.stdout!.pipe(log)
    dispatch.stderr!.pipe(log)
  }
  const producer = await createProducer(topics.kafka)
  t.teardown(() => producer.disconnect())

  let alarmSeq = 0
  const runPhase = async (count: number, ratePerS: number | null, idleMs = 10000): Promise<PhaseResult> => {
    const commands = await prepareCommands(db.pool, residentId, staff, count, () => `${prefix}-a${alarmSeq++}`)
    const expected = new Map<string, string>()
    for (const c of commands) for (const channel of CHANNELS) expected.set(deliveryId(c.commandId, channel), c.commandId)
    const producedAt = new Map<string, number>()
    const produce = async (batch: NotifyCommandMessage[]) => {
      const at = Date.now()
      for (const c of batch) producedAt.set(c.commandId, at)
      await publish(producer, topics.names.dispatchCommand, batch.map(c => ({ key: c.alarmId, value: { ...c, at: new Date(at).toISOString() } })))
    }
    const started = Date.now()
    if (ratePerS === null) {
      for (let i = 0; i < commands.length; i += PRODUCE_CHUNK) await produce(commands.slice(i, i + PRODUCE_CHUNK))
    } else {
      for (let sent = 0; sent < commands.length; ) {
        const due = Math.min(commands.length, Math.floor(((Date.now() - started) / 1000) * ratePerS) + 1)
        if (due > sent) await produce(commands.slice(sent, (sent = due)))
        else await sleep(1)
      }
    }
    const producedSeconds = (Date.now() - started) / 1000
    // Done when every delivery arrived, or when nothing new has arrived for `idleMs` (the rest is lost).
    const arrived = () => [...expected.keys()].filter(id => receipts.has(id)).length
    let seen = arrived()
    let lastProgress = Date.now()
    while (seen < expected.size && Date.now() - lastProgress < idleMs) {
      await sleep(100)
      const now = arrived()
      if (now > seen) [seen, lastProgress] = [now, Date.now()]
    }
    await sleep(500) // a late duplicate would show up here

    const firstReceipt = new Map<string, number>()
    let lastReceipt = started
    let duplicates = 0
    for (const [id, commandId] of expected) {
      const times = receipts.get(id)
      if (!times) continue
      duplicates += times.length - 1
      const first = Math.min(...times)
      lastReceipt = Math.max(lastReceipt, first)
      firstReceipt.set(commandId, Math.min(firstReceipt.get(commandId) ?? Infinity, first))
    }
    const latencies = [...firstReceipt].map(([id, at]) => at - producedAt.get(id)!).sort((a, b) => a - b)
    const queued = await queuedTimes(db.pool, commands.map(c => c.commandId))
    const intake = [...queued].map(([id, at]) => at - producedAt.get(id)!).sort((a, b) => a - b)
    const send = [...firstReceipt].filter(([id]) => queued.has(id)).map(([id, at]) => at - queued.get(id)!).sort((a, b) => a - b)
    const windowSeconds = (lastReceipt - started) / 1000
    const lastQueued = queued.size > 0 ? Math.max(...queued.values()) : Number.NaN
    const delivered = arrived()
    return {
      commands: commands.length,
      lost: commands.length - firstReceipt.size,
      undelivered: expected.size - delivered,
      duplicates,
      notificationsPerS: Math.round(delivered / windowSeconds),
      commandsPerS: Math.round(commands.filter(c => CHANNELS.every(ch => receipts.has(deliveryId(c.commandId, ch)))).length / windowSeconds),
      intakeCommandsPerS: Math.round(queued.size / ((lastQueued - started) / 1000)),
      producedPerS: Math.round(commands.length / producedSeconds),
      p50Ms: round1(percentile(latencies, 50)),
      p99Ms: round1(percentile(latencies, 99)),
      maxMs: round1(latencies.at(-1) ?? Number.NaN),
      intakeP50Ms: round1(percentile(intake, 50)),
      intakeP99Ms: round1(percentile(intake, 99)),
      sendP50Ms: round1(percentile(send, 50)),
      sendP99Ms: round1(percentile(send, 99)),
    }
  }

  // The consumer group forms and the SMTP connections open before anything is timed.
  const warmup = await runPhase(options.staff * 5, options.pacedPerS, 30000)
  if (warmup.lost > 0) throw new Error(`dispatch did not deliver the warm-up commands: ${JSON.stringify(warmup)}`)
  // Paced first, on a service that has not been through the burst: latency when it is not saturated.
  const paced = await runPhase(options.pacedPerS * options.pacedSeconds, options.pacedPerS)
  console.error(JSON.stringify({ dispatchPaced: paced }))
  await sleep(1000)
  const burst = await runPhase(options.burst, null)
  console.error(JSON.stringify({ dispatchBurst: burst }))
  // A few commands after the burst: the service must still be taking commands once the backlog is gone.
  const afterBurst = await runPhase(options.staff * 5, options.pacedPerS)
  console.error(JSON.stringify({ dispatchAfterBurst: afterBurst }))
  if (badSignatures > 0) console.error(JSON.stringify({ dispatchWebhookBadSignatures: badSignatures }))
  return { burst, paced, afterBurst, channels: [...CHANNELS], concurrency: options.concurrency, staff: options.staff, pacedPerS: options.pacedPerS, pacedSeconds: options.pacedSeconds, badSignatures }
}

/**
 * One raised critical SOS per `staff.length` commands (escalation calls a whole step's people at once), each
 * with its own scope so the one-open-alarm-per-slot index allows them all, and one command per staff member.
 */
async function prepareCommands(pool: pg.Pool, residentId: string, staff: Staff[], count: number, nextScope: () => string): Promise<NotifyCommandMessage[]> {
  const alarms = Array.from({ length: Math.ceil(count / staff.length) }, () => {
    const scope = nextScope()
    return { id: nameBasedUuid(`bench-alarm\n${scope}`), scope }
  })
  await pool.query(
    `INSERT INTO alarms (id, org_id, resident_id, scope, type, severity, priority, status, incident_id, started_at, raised_at, updated_at)
     SELECT id, 'org-test', $1, scope, 'sos', 'critical', 412, 'open', id, now(), now(), now() FROM unnest($2::uuid[], $3::text[]) AS x(id, scope)`,
    [residentId, alarms.map(a => a.id), alarms.map(a => a.scope)],
  )
  return Array.from({ length: count }, (_, i) => {
    const alarm = alarms[Math.floor(i / staff.length)]!
    const s = staff[i % staff.length]!
    return {
      commandId: `${alarm.id}:escalate:0:staff:${s.id}`, schemaVersion: 1, alarmId: alarm.id, orgId: 'org-test', residentId, alarmType: 'sos', priority: 412,
      level: 0, reason: 'escalation', recipient: { kind: 'staff', id: s.id, role: 'carer', name: s.name, phone: s.phone, email: s.email },
      channels: [...CHANNELS], at: new Date().toISOString(),
    } satisfies NotifyCommandMessage
  })
}

/** When dispatch had queued each command's deliveries (the intake transaction's time), by command id. */
async function queuedTimes(pool: pg.Pool, commandIds: string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ command_id: string; queued_at: Date }>(
    'SELECT command_id, min(queued_at) AS queued_at FROM deliveries WHERE command_id = ANY($1) GROUP BY command_id',
    [commandIds],
  )
  return new Map(rows.map(r => [r.command_id, r.queued_at.getTime()]))
}

/** Calls `seen` for every item the fixture appends to `list`, at the moment it is appended. */
function onPush<T>(list: T[], seen: (item: T) => void): void {
  list.push = (...items: T[]) => {
    for (const item of items) seen(item)
    return Array.prototype.push.apply(list, items)
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise(resolve => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), resolve()), 10000)
    child.once('exit', () => (clearTimeout(timer), resolve()))
    child.kill('SIGTERM')
  })
}
