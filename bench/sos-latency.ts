import { deviceEventId, alarmEventSchema } from '@anxin/contracts'
import { connectFleet, runFleet } from '@anxin/simulators'
import { pipelineEnv, startServiceProcess, registerTestDevices, testBroker, testDatabase, testLogger, testStack, testTopics, uniqueId, type Teardown } from '@anxin/testing'

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * SOS press to alarm out: a device publishes an SOS over MQTT while the rest of the fleet sends telemetry in
 * the background; the time is taken when the alert service's "raised" event for that SOS is read from Kafka
 * (ingestion and alert run as their own processes, as in production).
 */
export async function benchSosLatency(t: Teardown, options: { presses: number; backgroundMsgsPerS: number; devices: number }) {
  const stack = await testStack()
  const { logger } = testLogger('bench')
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  const prefix = uniqueId('s')
  const { bound } = await registerTestDevices(db.pool, { count: options.devices + options.presses, prefix })
  const broker = await testBroker(t, stack, bound.map(d => ({ username: d.deviceId, password: d.password })))
  const env = { ...pipelineEnv({ stack, db, topics, broker, prefix }), ALERT_GROUP_ID: `alert-${prefix}`, LOG_LEVEL: 'info' }
  const ingestion = await startServiceProcess('services/ingestion/src/main.ts', env, 'ingestion started')
  t.teardown(() => void ingestion.kill('SIGTERM'))
  const alert = await startServiceProcess('services/alert/src/main.ts', env, 'alert started')
  t.teardown(() => void alert.kill('SIGTERM'))

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

  const background = await connectFleet(broker.url, 'test-fleet-secret', bound.slice(0, options.devices).map(d => d.deviceId))
  const pressers = await connectFleet(broker.url, 'test-fleet-secret', bound.slice(options.devices).map(d => d.deviceId))
  t.teardown(() => Promise.all([...background, ...pressers].map(d => d.close())))
  const seconds = Math.max(10, Math.ceil(options.presses / 4))
  const load = runFleet({ url: broker.url, fleetSecret: '', deviceIds: [], ratePerSecond: options.backgroundMsgsPerS, durationSeconds: seconds + 4 }, background)
  await new Promise(r => setTimeout(r, 2000))
  const pressedAt = new Map<string, number>()
  for (const device of pressers) {
    const messageId = device.nextMessageId()
    pressedAt.set(deviceEventId(device.deviceId, messageId), performance.now())
    void device.pressSos({ messageId, maxAttempts: 5 }).catch(() => {})
    await new Promise(r => setTimeout(r, (seconds * 1000) / options.presses))
  }
  const report = await load
  const deadline = Date.now() + 15000
  while (raisedAt.size < pressedAt.size && Date.now() < deadline) await new Promise(r => setTimeout(r, 50))
  const latencies = [...pressedAt].filter(([id]) => raisedAt.has(id)).map(([id, at]) => raisedAt.get(id)! - at).sort((a, b) => a - b)
  return {
    presses: pressedAt.size,
    alarmsRaised: latencies.length,
    lost: pressedAt.size - latencies.length,
    p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    maxMs: Math.round((latencies.at(-1) ?? Number.NaN) * 10) / 10,
    backgroundMsgsPerS: Math.round(report.telemetrySent / (report.elapsedMs / 1000)),
  }
}
