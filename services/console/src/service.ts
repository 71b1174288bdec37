import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import { existsSync } from 'node:fs'
import type pg from 'pg'
import type { Redis } from 'ioredis'
import { alarmEventSchema, alarmLifecycleEventSchema, kafkaTopicNames } from '@anxin/contracts'
import { assertTopicsExist, createProducer, OutboxRelay, runConsumer, type Kafka, type Producer, type RunningConsumer } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { registerHealthRoutes, WakeableLoop } from '@anxin/service-kit'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { ConsoleContext } from './adapters/console-context.ts'
import { ConcurrencyGate } from './domain/concurrency-gate.ts'
import { FeedHub } from './adapters/feed-hub.ts'
import { pruneFeed } from './adapters/feed-store.ts'
import { writeAlarmEvents, writeLifecycleEvents } from './adapters/feed-writer.ts'
import { LoginThrottle } from './adapters/login-throttle.ts'
import { ServiceClient } from './adapters/service-client.ts'
import { SessionStore } from './adapters/session-store.ts'
import { registerAlarmRoutes } from './http/alarm-routes.ts'
import { registerCareTeamRoutes } from './http/care-team-routes.ts'
import { registerConsentRoutes } from './http/consent-routes.ts'
import { registerHouseholdRoutes } from './http/household-routes.ts'
import { registerImportRoutes } from './http/import-routes.ts'
import { ApiError } from './http/api-error.ts'
import { registerDeviceRoutes } from './http/device-routes.ts'
import { registerFeedRoutes } from './http/feed-routes.ts'
import { registerLedgerRoutes } from './http/ledger-routes.ts'
import { registerDailyContactRoutes } from './http/daily-contact-routes.ts'
import { registerMaintenanceRoutes } from './http/maintenance-routes.ts'
import { openApiDocument } from './http/openapi.ts'
import { registerPolicyRoutes } from './http/policy-routes.ts'
import { registerReportRoutes } from './http/report-routes.ts'
import { registerResidentRoutes } from './http/resident-routes.ts'
import { registerResponderRoutes } from './http/responder-routes.ts'
import { ApiRouter } from './http/route-kit.ts'
import { registerScheduleRoutes } from './http/schedule-routes.ts'
import { registerSecurityHeaders } from './http/security-headers.ts'
import { registerSessionRoutes, sessionCookie } from './http/session-routes.ts'
import { registerStaffRoutes } from './http/staff-routes.ts'
import { registerSystemAlarmRoutes } from './http/system-alarm-routes.ts'
import type { ConsoleConfig } from './config.ts'

export type ConsoleDeps = { pool: pg.Pool; redis: Redis; kafka: Kafka; logger: Logger; now?: () => Date }
export type ConsoleService = {
  http: FastifyInstance
  api: ApiRouter
  hub: FeedHub
  context: ConsoleContext
  /** Every route registered, as "METHOD url": the OpenAPI test compares them with the document. */
  routes: string[]
  start: () => Promise<void>
  stop: () => Promise<void>
}

export const API_VERSION = '1.0.0'

export function buildConsole(deps: ConsoleDeps, config: ConsoleConfig): ConsoleService {
  const log = deps.logger
  const now = deps.now ?? (() => new Date())
  const topics = kafkaTopicNames(config.KAFKA_TOPIC_SUFFIX)
  const https = config.PUBLIC_BASE_URL.startsWith('https:')
  const sessions = new SessionStore(deps.redis, config.REDIS_KEY_PREFIX, { idleSeconds: config.SESSION_IDLE_MINUTES * 60, maxSeconds: config.SESSION_MAX_HOURS * 3600 })
  const throttle = new LoginThrottle(deps.redis, config.REDIS_KEY_PREFIX, {
    perUsername: config.LOGIN_MAX_FAILURES_PER_USERNAME, perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS, windowSeconds: config.LOGIN_WINDOW_SECONDS,
  })
  const context: ConsoleContext = {
    pool: deps.pool, logger: log, now, sessions, mapTileUrl: config.MAP_TILE_URL ?? null, deviceMqttUrl: config.DEVICE_MQTT_URL,
    escalation: new ServiceClient('escalation', config.ESCALATION_URL), dispatch: new ServiceClient('dispatch', config.DISPATCH_URL),
  }
  const hub = new FeedHub({ pool: deps.pool, logger: log, schema: config.DATABASE_SCHEMA })
  const pruner = new WakeableLoop({
    step: async () => (await pruneFeed(deps.pool, config.FEED_RETENTION_DAYS)) > 0,
    idleMs: 3600_000,
    onError: (error, failures) => log.warn({ err: (error as Error).message, failures }, 'feed pruning failed'),
  })

  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'anxin_console_' })
  new Gauge({ name: 'anxin_console_feed_connections', help: 'Browsers following the live feed on this instance', registers: [registry], collect() { this.set(hub.connections) } })

  const http = Fastify({ logger: false, bodyLimit: 256 * 1024, trustProxy: config.TRUST_PROXY })
  const routes: string[] = []
  http.addHook('onRoute', route => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`)
  })
  registerSecurityHeaders(http, { tileOrigin: config.MAP_TILE_URL ? new URL(config.MAP_TILE_URL.replace(/\{[a-z]\}/g, '0')).origin : null, https })
  http.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send({ code: error.code, message: error.message })
    const status = (error as FastifyError).statusCode
    if (status && status >= 400 && status < 500) return reply.code(status).send({ code: (error as FastifyError).code ?? 'invalid_request', message: error.message })
    log.error({ err: error.message, method: request.method, url: request.routeOptions.url }, 'console request failed')
    return reply.code(500).send({ code: 'internal', message: 'something went wrong on our side; try again' })
  })
  http.setNotFoundHandler((request, reply) => reply.code(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }))

  const consumers: RunningConsumer[] = []
  let producer: Producer | null = null
  let registryRelay: OutboxRelay | null = null
  // Registry changes go out as soon as the request that made them has answered (committed), and every second anyway.
  http.addHook('onResponse', async request => {
    if (request.method !== 'GET') registryRelay?.kick()
  })
  registerHealthRoutes(http, { metrics: registry, ready: () => ({ kafka: consumers.length === 2 && consumers.every(c => c.healthy()), redis: deps.redis.status === 'ready' }) })

  const api = new ApiRouter(http, async request => {
    const id = sessionCookie(request)
    return id ? sessions.touch(id, now()) : null
  })
  registerSessionRoutes(api, {
    context, throttle, secureCookie: https, maxSeconds: config.SESSION_MAX_HOURS * 3600,
    passwordGate: new ConcurrencyGate({ limit: config.SIGN_IN_CONCURRENCY, queue: config.SIGN_IN_QUEUE }),
  })
  registerAlarmRoutes(api, context)
  registerFeedRoutes(api, { context, hub, keepAliveMs: 15000 })
  registerResponderRoutes(api, context)
  registerResidentRoutes(api, context)
  registerHouseholdRoutes(api, context)
  registerConsentRoutes(api, context)
  registerImportRoutes(api, context)
  registerLedgerRoutes(api, context)
  registerMaintenanceRoutes(api, context)
  registerDeviceRoutes(api, context)
  registerStaffRoutes(api, context)
  registerCareTeamRoutes(api, context)
  registerScheduleRoutes(api, context)
  registerPolicyRoutes(api, context)
  registerReportRoutes(api, context)
  registerDailyContactRoutes(api, context)
  registerSystemAlarmRoutes(api, { watchdogUrl: config.WATCHDOG_URL ?? null, now })
  const document = openApiDocument(api.operations, { version: API_VERSION })
  http.get('/api/openapi.json', async () => document)

  if (existsSync(config.WEB_ROOT)) {
    void http.register(fastifyStatic, { root: config.WEB_ROOT, prefix: '/', index: ['index.html'] })
  } else {
    log.warn({ webRoot: config.WEB_ROOT }, 'the web UI is not built (pnpm build:web); serving the API only')
  }

  return {
    http, api, hub, context, routes,
    start: async () => {
      await assertTopicsExist(deps.kafka, [topics.alarm, topics.alarmLifecycle, topics.registry, topics.deadLetter])
      await hub.start()
      pruner.start()
      producer = await createProducer(deps.kafka)
      registryRelay = new OutboxRelay({ pool: deps.pool, producer, table: 'registry_outbox', topicFor: () => topics.registry, logger: log })
      registryRelay.start()
      const common = { kafka: deps.kafka, deadLetterProducer: producer, deadLetterTopic: topics.deadLetter, logger: log, sessionTimeoutMs: 6000 }
      consumers.push(
        await runConsumer({
          ...common, groupId: `${config.CONSOLE_GROUP_ID}-alarms`, topics: [topics.alarm], schema: alarmEventSchema,
          handle: async messages => {
            if (await writeAlarmEvents(deps.pool, log, messages.map(m => m.value))) hub.wake()
          },
        }),
      )
      consumers.push(
        await runConsumer({
          ...common, groupId: `${config.CONSOLE_GROUP_ID}-lifecycle`, topics: [topics.alarmLifecycle], schema: alarmLifecycleEventSchema,
          handle: async messages => {
            if (await writeLifecycleEvents(deps.pool, log, messages.map(m => m.value))) hub.wake()
          },
        }),
      )
      log.info('console started')
    },
    stop: async () => {
      for (const c of consumers.splice(0)) await c.stop()
      await hub.stop()
      await pruner.stop()
      await registryRelay?.stop()
      await producer?.disconnect()
      await http.close()
    },
  }
}
