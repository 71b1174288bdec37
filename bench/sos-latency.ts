import { deviceEventId, alarmEventSchema } from '@anxin/contracts'
import { connectFleet, LoadFleet } from '@anxin/simulators'
import { hashPassword } from '@anxin/credentials'
import { freePort } from '@anxin/infra/stack'
import {
  followFeed, pipelineEnv, signIn, startServiceProcess, registerTestDevices, testBroker, testDatabase, testLogger, testStack, testTopics, uniqueId, type Teardown,
} from '@anxin/testing'
import { UNTHROTTLED_DEVICES } from './load/platform-under-load.ts'

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * SOS press to alarm on the operator's screen: a device publishes an SOS over MQTT while the rest of the fleet
 * sends telemetry in the background; the time is taken when the console's live feed (SSE, as a browser gets
 * it) pushes the alarm to a signed-in operator. Ingestion, alert and the console run as their own processes,
 * as in production. The alert service's "raised" event read from Kafka is timed too, to show where time goes.
 */
export async function benchSosLatency(t: Teardown, options: { presses: number; backgroundMsgsPerS: number; devices: number; warmUpSeconds: number }) {
  const stack = await testStack()
  const { logger } = testLogger('bench')
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  const prefix = uniqueId('s')
  const { bound } = await registerTestDevices(db.pool, { count: options.devices + options.presses, prefix })
  const broker = await testBroker(t, stack, bound.map(d => ({ username: d.deviceId, password: d.password })))
  const env = { ...pipelineEnv({ stack, db, topics, broker, prefix }), ...UNTHROTTLED_DEVICES, ALERT_GROUP_ID: `alert-${prefix}`, LOG_LEVEL: 'info' }
  const ingestion = await startServiceProcess('services/ingestion/src/main.ts', env, 'ingestion started')
  t.teardown(() => void ingestion.kill('SIGTERM'))
  const alert = await startServiceProcess('services/alert/src/main.ts', env, 'alert started')
  t.teardown(() => void alert.kill('SIGTERM'))
  const consolePort = await freePort()
  const console_ = await startServiceProcess(
    'services/console/src/main.ts',
    { ...env, HTTP_PORT: String(consolePort), HTTP_HOST: '127.0.0.1', CONSOLE_GROUP_ID: `console-${prefix}`, ESCALATION_URL: 'http://127.0.0.1:9', DISPATCH_URL: 'http://127.0.0.1:9' },
    'http listening',
  )
  t.teardown(() => void console_.kill('SIGTERM'))
  await db.pool.query(`INSERT INTO staff (id, org_id, full_name, role) VALUES ('bench-operator', 'org-test', '值班员', 'operator')`)
  await db.pool.query(`INSERT INTO console_accounts (staff_id, username, password_hash) VALUES ('bench-operator', 'bench-operator', $1)`, [await hashPassword('bench-password')])
  const consoleUrl = `http://127.0.0.1:${consolePort}`
  const operator = await signIn(consoleUrl, 'bench-operator', 'bench-password')
  const onScreenAt = new Map<string, number>()
  const feed = followFeed(consoleUrl, operator.cookie, {
    onMessage: m => {
      if (m.data.kind === 'alarm' && m.data.cause === 'raised' && m.data.alarm?.type === 'sos' && m.data.residentId) onScreenAt.set(m.data.residentId, performance.now())
    },
  })
  t.teardown(() => feed.close())

  const raisedAt = new Map<string, number>()
  const consumer = topics.kafka.consumer({ groupId: `latency-${prefix}`, maxWaitTimeInMs: 5 })
  await consumer.connect()
  t.teardown(() => consumer.disconnect())
  await consumer.subscribe({ topic: topics.names.alarm, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = alarmEventSchema.parse(JSON.parse(message.value!.toString()))
      if (event.type === 'sos' && event.kind === 'raised' && event.causeEventId) raisedAt.set(event.causeEventId, performance.now())
    },
  })

  // The background is the same lean telemetry load as the throughput benchmark; the pressers are full
  // simulated devices that send again until the centre acknowledges.
  const background = await LoadFleet.connect(broker.url, bound.slice(0, options.devices).map(d => ({ deviceId: d.deviceId, password: d.password })))
  t.teardown(() => background.close())
  const pressers = await connectFleet(broker.url, 'test-fleet-secret', bound.slice(options.devices).map(d => d.deviceId))
  t.teardown(() => Promise.all(pressers.map(d => d.close())))
  // Warm-up, untimed: the JVM's JIT, the services' caches and the feed path see traffic before any press counts.
  await background.play(options.backgroundMsgsPerS, options.warmUpSeconds)
  const seconds = Math.max(10, Math.ceil(options.presses / 5))
  const load = background.play(options.backgroundMsgsPerS, seconds + 4)
  await new Promise(r => setTimeout(r, 2000))
  const pressedAt = new Map<string, number>()
  const residentOf = new Map(bound.map(d => [d.deviceId, d.residentId!]))
  const pressedByResident = new Map<string, number>()
  for (const device of pressers) {
    const messageId = device.nextMessageId()
    const at = performance.now()
    pressedAt.set(deviceEventId(device.deviceId, messageId), at)
    pressedByResident.set(residentOf.get(device.deviceId)!, at)
    void device.pressSos({ messageId, maxAttempts: 5 }).catch(() => {})
    await new Promise(r => setTimeout(r, (seconds * 1000) / options.presses))
  }
  const report = await load
  const deadline = Date.now() + 15000
  while ((raisedAt.size < pressedAt.size || onScreenAt.size < pressedByResident.size) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50))
  const toKafka = [...pressedAt].filter(([id]) => raisedAt.has(id)).map(([id, at]) => raisedAt.get(id)! - at).sort((a, b) => a - b)
  const latencies = [...pressedByResident].filter(([id]) => onScreenAt.has(id)).map(([id, at]) => onScreenAt.get(id)! - at).sort((a, b) => a - b)
  const ms = (v: number | undefined) => Math.round((v ?? Number.NaN) * 10) / 10
  return {
    presses: pressedAt.size,
    alarmsRaised: toKafka.length,
    lost: pressedAt.size - latencies.length,
    p50Ms: ms(percentile(latencies, 50)),
    p99Ms: ms(percentile(latencies, 99)),
    maxMs: ms(latencies.at(-1)),
    raisedP50Ms: ms(percentile(toKafka, 50)),
    raisedP99Ms: ms(percentile(toKafka, 99)),
    backgroundMsgsPerS: report.generatorMsgsPerS,
  }
}
