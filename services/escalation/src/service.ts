import Fastify, { type FastifyInstance } from 'fastify'
import type pg from 'pg'
import { alarmEventSchema, kafkaTopicNames, type KafkaTopicKey } from '@anxin/contracts'
import { assertTopicsExist, createProducer, OutboxRelay, runConsumer, type Kafka, type Producer, type RunningConsumer } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { registerHealthRoutes } from '@anxin/service-kit'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { EscalationEngine } from './adapters/escalation-engine.ts'
import { TimerRunner } from './adapters/timer-runner.ts'
import { auditStalledEscalations } from './adapters/stall-auditor.ts'
import { registerLifecycleRoutes } from './http/routes.ts'
import type { EscalationConfig } from './config.ts'

export type EscalationDeps = { pool: pg.Pool; kafka: Kafka; logger: Logger; now?: () => Date }
export type EscalationService = { http: FastifyInstance; engine: EscalationEngine; start: () => Promise<void>; stop: () => Promise<void> }

export function buildEscalation(deps: EscalationDeps, config: EscalationConfig): EscalationService {
  const log = deps.logger
  const topics = kafkaTopicNames(config.KAFKA_TOPIC_SUFFIX)
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_escalation_' })
  const fired = new Counter({ name: 'anxin_escalation_timers_fired_total', help: 'Escalation timers fired, by kind', labelNames: ['kind'] as const, registers: [registry] })
  const lateness = new Histogram({
    name: 'anxin_escalation_timer_late_seconds',
    help: 'Fire time minus due time',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [registry],
  })
  let relay: OutboxRelay | null = null
  let runner: TimerRunner | null = null
  let producer: Producer | null = null
  let consumer: RunningConsumer | null = null
  let auditTimer: NodeJS.Timeout | null = null
  const stalled = new Counter({
    name: 'anxin_escalation_stalled_total',
    help: 'Alarms found escalating without a pending timer, by state and whether they were repaired',
    labelNames: ['state', 'repaired'] as const,
    registers: [registry],
  })
  const engine = new EscalationEngine({ pool: deps.pool, logger: log, now: deps.now, onCommitted: () => (relay?.kick(), runner?.kick()) })
  const http = Fastify({ logger: false })
  registerHealthRoutes(http, { metrics: registry, ready: () => ({ kafka: consumer?.healthy() ?? false, timers: runner !== null }) })
  registerLifecycleRoutes(http, engine, deps.pool)

  return {
    http,
    engine,
    start: async () => {
      await assertTopicsExist(deps.kafka, [topics.alarm, topics.alarmLifecycle, topics.dispatchCommand, topics.deadLetter])
      producer = await createProducer(deps.kafka)
      relay = new OutboxRelay({ pool: deps.pool, producer, table: 'escalation_outbox', logger: log, topicFor: row => topics[row.topic as KafkaTopicKey] })
      relay.start()
      runner = new TimerRunner({
        pool: deps.pool,
        logger: log,
        workers: config.TIMER_WORKERS,
        handle: (timer, client) => engine.onTimer(timer, client),
        onFired: (timer, lateMs) => {
          fired.inc({ kind: timer.kind })
          lateness.observe(Math.max(0, lateMs) / 1000)
          relay?.kick()
        },
      })
      runner.start()
      consumer = await runConsumer({
        kafka: deps.kafka,
        groupId: config.ESCALATION_GROUP_ID,
        topics: [topics.alarm],
        schema: alarmEventSchema,
        deadLetterProducer: producer,
        deadLetterTopic: topics.deadLetter,
        logger: log,
        sessionTimeoutMs: 6000,
        // Alarm events are handled one by one in their own transactions: commit and heartbeat every 50.
        maxMessagesPerHandle: 50,
        handle: async messages => {
          for (const m of messages) await engine.onAlarmEvent(m.value)
        },
      })
      auditTimer = setInterval(() => {
        auditStalledEscalations(deps.pool, {
          graceSeconds: config.STALL_GRACE_SECONDS,
          logger: log,
          onStalled: (state, repaired) => stalled.inc({ state, repaired: String(repaired) }),
        }).then(
          found => found > 0 && runner?.kick(),
          error => log.warn({ err: (error as Error).message }, 'stall audit failed'),
        )
      }, config.STALL_AUDIT_INTERVAL_MS)
      log.info('escalation started')
    },
    stop: async () => {
      if (auditTimer) clearInterval(auditTimer)
      await consumer?.stop()
      await runner?.stop()
      await relay?.stop()
      await producer?.disconnect()
      await http.close()
    },
  }
}
