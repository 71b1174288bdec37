import Fastify, { type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type pg from 'pg'
import { alarmLifecycleEventSchema, deviceEnvelopeSchema, kafkaTopicNames, registryChangeSchema } from '@anxin/contracts'
import { assertTopicsExist, createProducer, OutboxRelay, runConsumer, type Kafka, type Producer, type RunningConsumer } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { registerHealthRoutes } from '@anxin/service-kit'
import type { ResidentRuleStates } from './domain/resident-rules.ts'
import { AlertProcessor } from './adapters/alert-processor.ts'
import { AlarmStore } from './adapters/alarm-store.ts'
import { DeviceTestStore } from './adapters/device-test-store.ts'
import { DeviceTestWatch } from './adapters/device-test-watch.ts'
import { ContactSignals } from './adapters/contact-signals.ts'
import { ContactWatch } from './adapters/contact-watch.ts'
import { lastSeenByDevice } from './adapters/last-seen.ts'
import { createAlertMetrics, type AlertMetrics } from './adapters/metrics.ts'
import { ProfileCache } from './adapters/profile-cache.ts'
import { RuleStateStore } from './adapters/rule-state-store.ts'
import type { AlertConfig } from './config.ts'

export type AlertDeps = { pool: pg.Pool; redis: Redis; kafka: Kafka; logger: Logger; now?: () => Date }
export type AlertService = {
  http: FastifyInstance
  metrics: AlertMetrics
  processor: AlertProcessor
  profiles: ProfileCache
  /** The weekly device test check (every 5 minutes and at start); tests call `check()` to run a pass at once. */
  deviceTestWatch: DeviceTestWatch
  /** The daily-contact cut-off check (null until started); tests call `check()` to run a pass at once. */
  contactWatch: ContactWatch | null
  start: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * The alert service: device envelopes in, alarms out. SOS and fall come on their own topic through their own
 * consumer, so they never wait behind telemetry; the silence rules run from a timer.
 */
export function buildAlert(deps: AlertDeps, config: AlertConfig): AlertService {
  const log = deps.logger
  const metrics = createAlertMetrics()
  const topics = kafkaTopicNames(config.KAFKA_TOPIC_SUFFIX)
  const profiles = new ProfileCache(deps.pool)
  const states = new RuleStateStore<ResidentRuleStates>(deps.redis, config.REDIS_KEY_PREFIX)
  const alarms = new AlarmStore(deps.pool)
  const deviceTests = new DeviceTestStore(deps.pool)
  const deviceTestWatch = new DeviceTestWatch({ store: deviceTests, processor: () => service.processor, logger: log, now: deps.now })
  let producer: Producer | null = null
  let relay: OutboxRelay | null = null
  let processor: AlertProcessor | null = null
  const contacts = new ContactSignals(deps.pool)
  let contactWatch: ContactWatch | null = null
  const consumers: RunningConsumer[] = []
  let timer: NodeJS.Timeout | null = null
  let checking: Promise<void> = Promise.resolve()

  const http = Fastify({ logger: false })
  registerHealthRoutes(http, { metrics: metrics.registry, ready: () => ({ kafka: consumers.length === 4 && consumers.every(c => c.healthy()), redis: deps.redis.status === 'ready' }) })

  const service: AlertService = {
    http,
    metrics,
    profiles,
    deviceTestWatch,
    get processor() {
      if (!processor) throw new Error('alert service not started')
      return processor
    },
    get contactWatch() {
      return contactWatch
    },
    start: async () => {
      await assertTopicsExist(deps.kafka, [topics.deviceAlarm, topics.deviceTelemetry, topics.deviceEvent, topics.alarm, topics.alarmLifecycle, topics.registry, topics.deadLetter])
      await profiles.start()
      producer = await createProducer(deps.kafka)
      relay = new OutboxRelay({ pool: deps.pool, producer, table: 'alarm_outbox', topicFor: () => topics.alarm, logger: log, onPublished: n => metrics.published.inc(n) })
      relay.start()
      const p = new AlertProcessor({ profiles, states, alarms, relay, metrics, logger: log, fallGraceSeconds: config.FALL_GRACE_SECONDS, now: deps.now, deviceTests, contacts })
      processor = p
      for (const id of await states.knownResidents()) p.residents.add(id)
      const now = (deps.now?.() ?? new Date()).toISOString()
      await p.seedSupervision((await lastSeenByDevice(deps.pool)).map(d => ({ ...d, lastSeenAt: d.lastSeenAt ?? now })))
      const common = { kafka: deps.kafka, schema: deviceEnvelopeSchema, deadLetterProducer: producer, deadLetterTopic: topics.deadLetter, logger: log }
      consumers.push(
        // The shortest session Kafka allows by default (6 s): after a crash, SOS handling resumes that soon.
        await runConsumer({ ...common, groupId: `${config.ALERT_GROUP_ID}-urgent`, topics: [topics.deviceAlarm], sessionTimeoutMs: 6000, handle: m => p.handleUrgent(m.map(x => x.value)) }),
        await runConsumer({ ...common, groupId: config.ALERT_GROUP_ID, topics: [topics.deviceTelemetry, topics.deviceEvent], handle: m => p.handle(m.map(x => x.value)) }),
        // A person resolving an alarm closes the alert service's record of it, so the next press raises a new one.
        await runConsumer({
          ...common, schema: alarmLifecycleEventSchema, groupId: `${config.ALERT_GROUP_ID}-lifecycle`, topics: [topics.alarmLifecycle],
          handle: async m => {
            for (const x of m) await contacts.observeLifecycle(x.value)
            await p.closeHandled(m.map(x => x.value))
          },
        }),
        // Registry changes made anywhere (another database's NOTIFY never reaches us) drop the cached profiles of
        // the residents concerned. Each instance has its own cache, so each has its own group and sees every change.
        await runConsumer({
          ...common, schema: registryChangeSchema, groupId: `${config.ALERT_GROUP_ID}-registry-${config.ALERT_INSTANCE_ID}`, topics: [topics.registry],
          handle: async m => {
            for (const change of m) for (const residentId of change.value.residentIds) profiles.invalidate(residentId)
          },
        }),
      )
      timer = setInterval(() => {
        checking = checking
          .then(() => p.checkSilence([...p.residents]))
          .catch(error => log.warn({ err: (error as Error).message }, 'silence check failed; retrying at the next tick'))
      }, config.ALERT_CHECK_INTERVAL_MS)
      contactWatch = new ContactWatch({ pool: deps.pool, raiser: p, logger: log, now: deps.now ?? (() => new Date()) })
      contactWatch.start()
      deviceTestWatch.start()
      log.info({ residents: p.residents.size }, 'alert started')
    },
    stop: async () => {
      if (timer) clearInterval(timer)
      await deviceTestWatch.stop()
      await contactWatch?.stop()
      await checking
      for (const c of consumers.splice(0)) await c.stop()
      await relay?.stop()
      await producer?.disconnect()
      await profiles.stop()
      await http.close()
    },
  }
  return service
}
