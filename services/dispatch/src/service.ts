import Fastify, { type FastifyInstance } from 'fastify'
import type pg from 'pg'
import { alarmLifecycleEventSchema, kafkaTopicNames, notifyCommandSchema } from '@anxin/contracts'
import { assertTopicsExist, createProducer, runConsumer, type Kafka, type Producer, type RunningConsumer } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { registerHealthRoutes, WakeableLoop } from '@anxin/service-kit'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { NotificationChannel } from './channels/channel.ts'
import { channelsFromConfig } from './channels/from-config.ts'
import { handleLifecycleEvent, handleNotifyCommands } from './adapters/command-handlers.ts'
import type { DispatchContext } from './adapters/dispatch-context.ts'
import { sweepDeliveries } from './adapters/delivery-store.ts'
import { DeliveryWorker } from './adapters/delivery-worker.ts'
import { EscalationCaller } from './adapters/escalation-calls.ts'
import { TaskDesk } from './adapters/task-desk.ts'
import { DEFAULT_RETRY_POLICY } from './domain/delivery-retry.ts'
import { registerApiRoutes } from './http/api-routes.ts'
import { GATEWAY_CALLBACK_PATH, registerProviderRoutes } from './http/provider-routes.ts'
import { registerResponderRoutes } from './http/responder-routes.ts'
import { registerFormParser, registerSecurityHeaders } from './http/security-headers.ts'
import type { DispatchConfig } from './config.ts'

export type DispatchDeps = { pool: pg.Pool; kafka: Kafka; logger: Logger; now?: () => Date; channels?: NotificationChannel[] }
export type DispatchService = { http: FastifyInstance; context: DispatchContext; tasks: TaskDesk; start: () => Promise<void>; stop: () => Promise<void> }

export function buildDispatch(deps: DispatchDeps, config: DispatchConfig): DispatchService {
  const log = deps.logger
  const topics = kafkaTopicNames(config.KAFKA_TOPIC_SUFFIX)
  const now = deps.now ?? (() => new Date())
  const channels = deps.channels ?? channelsFromConfig(config, `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}${GATEWAY_CALLBACK_PATH}`)

  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_dispatch_' })
  const attempts = new Counter({ name: 'anxin_dispatch_delivery_attempts_total', help: 'Delivery attempts by channel and outcome', labelNames: ['channel', 'outcome'] as const, registers: [registry] })
  const providerSeconds = new Histogram({
    name: 'anxin_dispatch_provider_seconds', help: 'Time a provider took to answer', labelNames: ['channel'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  })
  const fallbacks = new Counter({ name: 'anxin_dispatch_fallbacks_total', help: 'Fallback channels started, by the channel that failed', labelNames: ['from'] as const, registers: [registry] })

  const retryPolicy = {
    ...DEFAULT_RETRY_POLICY, maxAttempts: config.RETRY_MAX_ATTEMPTS, baseDelayMs: config.RETRY_BASE_DELAY_MS,
    confirmSeconds: config.CONFIRM_SECONDS, confirmSecondsCritical: config.CONFIRM_SECONDS_CRITICAL,
  }
  const workers: DeliveryWorker[] = []
  const caller = new EscalationCaller({ pool: deps.pool, escalationUrl: config.ESCALATION_URL, logger: log })
  const context: DispatchContext = {
    pool: deps.pool, logger: log, configured: new Set(channels.map(c => c.name)), linkSecrets: config.LINK_SECRETS, publicBaseUrl: config.PUBLIC_BASE_URL, now,
    allowLocalEndpoints: config.ALLOW_LOCAL_ENDPOINTS,
    kick: channels => {
      for (const w of workers) if (!channels || channels.has(w.name)) w.kick()
      if (!channels) caller.kick()
    },
  }
  const tasks = new TaskDesk(context)
  for (const channel of channels) {
    workers.push(
      new DeliveryWorker({
        pool: deps.pool, channel, concurrency: config.CHANNEL_CONCURRENCY, timeoutMs: config.PROVIDER_TIMEOUT_MS, logger: log, now, retryPolicy,
        observe: event => {
          attempts.inc({ channel: event.channel, outcome: event.outcome })
          providerSeconds.observe({ channel: event.channel }, event.seconds)
          if (event.fallback) {
            fallbacks.inc({ from: event.channel })
            context.kick()
          }
        },
      }),
    )
  }
  const sweeper = new WakeableLoop({
    step: async () => {
      const touched = (await sweepDeliveries(deps.pool, now().toISOString())) + (await tasks.sweep())
      if (touched > 0) context.kick()
      return false
    },
    idleMs: config.SWEEP_INTERVAL_MS,
    onError: (error, failures) => log.warn({ err: (error as Error).message, failures }, 'dispatch sweep failed'),
  })

  const consumers: RunningConsumer[] = []
  let producer: Producer | null = null
  // Action links carry their signed claims in the path (about 250 characters); fastify's default limit is 100.
  const http = Fastify({ logger: false, bodyLimit: 64 * 1024, routerOptions: { maxParamLength: 2048 } })
  registerSecurityHeaders(http)
  registerFormParser(http)
  registerHealthRoutes(http, { metrics: registry, ready: () => ({ kafka: consumers.length === 2 && consumers.every(c => c.healthy()) }) })
  registerResponderRoutes(http, { context, tasks, caller, vapidPublicKey: config.VAPID_PUBLIC_KEY ?? null })
  registerProviderRoutes(http, { context, caller, callbackSecret: config.SMS_GATEWAY_CALLBACK_SECRET ?? null })
  registerApiRoutes(http, { context, tasks, caller })

  return {
    http,
    context,
    tasks,
    start: async () => {
      await assertTopicsExist(deps.kafka, [topics.dispatchCommand, topics.alarmLifecycle, topics.deadLetter])
      producer = await createProducer(deps.kafka)
      for (const w of workers) w.start()
      caller.start()
      sweeper.start()
      // Commands are handled one by one (a few database round trips each): commit and heartbeat every 50.
      const common = { kafka: deps.kafka, deadLetterProducer: producer, deadLetterTopic: topics.deadLetter, logger: log, sessionTimeoutMs: 6000, maxMessagesPerHandle: 50 }
      consumers.push(
        await runConsumer({
          ...common, groupId: config.DISPATCH_GROUP_ID, topics: [topics.dispatchCommand], schema: notifyCommandSchema,
          handle: messages => handleNotifyCommands(context, messages.map(m => m.value)),
        }),
      )
      consumers.push(
        await runConsumer({
          ...common, groupId: `${config.DISPATCH_GROUP_ID}-lifecycle`, topics: [topics.alarmLifecycle], schema: alarmLifecycleEventSchema,
          handle: async messages => {
            for (const m of messages) await handleLifecycleEvent(context, tasks, m.value)
          },
        }),
      )
      log.info({ channels: channels.map(c => c.name) }, 'dispatch started')
    },
    stop: async () => {
      for (const c of consumers.splice(0)) await c.stop()
      await sweeper.stop()
      await Promise.all(workers.map(w => w.stop()))
      await caller.stop()
      for (const c of channels) await c.close?.()
      await producer?.disconnect()
      await http.close()
    },
  }
}
