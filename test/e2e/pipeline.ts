import { Redis } from 'ioredis'
import { buildIngestion, type IngestionService } from '@anxin/ingestion'
import { loadIngestionConfig } from '../../services/ingestion/src/config.ts'
import { buildRecorder, type RecorderService } from '@anxin/recorder'
import { buildAlert, type AlertService } from '@anxin/alert'
import { loadAlertConfig } from '../../services/alert/src/config.ts'
import { buildEscalation, loadEscalationConfig, type EscalationService } from '@anxin/escalation'
import { loadRecorderConfig } from '../../services/recorder/src/config.ts'
import { buildDispatch, loadDispatchConfig, type DispatchService } from '@anxin/dispatch'
import { buildConsole, loadConsoleConfig, type ConsoleService } from '@anxin/console'
import { freePort } from '@anxin/infra/stack'
import {
  pipelineEnv,
  registerTestDevices,
  testBroker,
  testDatabase,
  testLogger,
  testStack,
  testTopics,
  uniqueId,
  type FixtureDevice,
  type Teardown,
  type TestBroker,
  type TestDatabase,
  type TestStack,
  type TestTopics,
} from '@anxin/testing'
import { SimulatedDevice } from '@anxin/simulators'

export type Pipeline = {
  stack: TestStack
  db: TestDatabase
  topics: TestTopics
  broker: TestBroker
  devices: FixtureDevice[]
  unboundDevices: FixtureDevice[]
  /** A device known to the broker (it can log in) but absent from the registry. */
  strangerDevice: FixtureDevice
  ingestionEnv: Record<string, string>
  redisPrefix: string
  logLines: string[]
  /** `instance` distinguishes several ingestion instances sharing the load. */
  startIngestion: (instance?: string) => Promise<IngestionService>
  startRecorder: () => Promise<RecorderService>
  /** `now` lets a test move the alert service's clock forward (silence rules); `instance` starts a fresh one. */
  startAlert: (options?: { now?: () => Date; checkIntervalMs?: number }) => Promise<AlertService>
  startEscalation: (options?: { now?: () => Date; env?: Record<string, string> }) => Promise<EscalationService>
  /** Escalation answering HTTP on a free port (dispatch calls its lifecycle API). */
  startEscalationHttp: (options?: { now?: () => Date; env?: Record<string, string> }) => Promise<{ service: EscalationService; url: string }>
  /** Dispatch answering HTTP on a free port; `env` names its providers (SMTP_URL, SMS_GATEWAY_URL, ...). */
  startDispatch: (options: { escalationUrl: string; env?: Record<string, string>; now?: () => Date }) => Promise<{ service: DispatchService; url: string }>
  /** The console (API, feed, and the web UI when built) listening on a free port in front of escalation and dispatch. */
  startConsole: (options: { escalationUrl: string; dispatchUrl: string; env?: Record<string, string> }) => Promise<{ service: ConsoleService; url: string }>
  device: (d: FixtureDevice) => Promise<SimulatedDevice>
}

/** A link secret for tests (32+ characters, as the service demands). */
export const TEST_LINK_SECRET = 'test-link-secret-0123456789abcdef0123456789'

/**
 * The real pipeline for one test: its own database schema, Kafka topics, Mosquitto and Redis key prefix,
 * with the ingestion and recorder services built in this process against them.
 */
export async function pipeline(t: Teardown, options: { devices: number; logLevel?: string }): Promise<Pipeline> {
  const stack = await testStack()
  const { logger, lines } = testLogger('e2e', options.logLevel)
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  const prefix = uniqueId('e')
  const { bound, unbound } = await registerTestDevices(db.pool, { count: options.devices, prefix, unbound: 1 })
  const strangerDevice = { deviceId: `${prefix}X00001`, password: 'stranger-password', residentId: null }
  const broker = await testBroker(t, stack, [...bound, ...unbound, strangerDevice].map(d => ({ username: d.deviceId, password: d.password })))
  const ingestionEnv = pipelineEnv({ stack, db, topics, broker, prefix })
  const redisPrefix = ingestionEnv.REDIS_KEY_PREFIX!

  return {
    stack,
    db,
    topics,
    broker,
    devices: bound,
    unboundDevices: unbound,
    strangerDevice,
    ingestionEnv,
    redisPrefix,
    logLines: lines,
    startIngestion: async (instance = '1') => {
      const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 250 })
      redis.on('error', () => {})
      t.teardown(() => redis.disconnect())
      const env = { ...ingestionEnv, INGESTION_INSTANCE_ID: `${ingestionEnv.INGESTION_INSTANCE_ID}-${instance}` }
      const service = buildIngestion({ pool: db.pool, redis, kafka: topics.kafka, logger }, loadIngestionConfig(env))
      t.teardown(() => service.stop())
      await service.start()
      return service
    },
    startRecorder: async () => {
      const config = loadRecorderConfig(ingestionEnv)
      const service = buildRecorder({ pool: db.pool, kafka: topics.kafka, logger }, config)
      t.teardown(() => service.stop())
      await service.start()
      return service
    },
    startAlert: async (options = {}) => {
      const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 2, commandTimeout: 2000 })
      redis.on('error', () => {})
      t.teardown(() => redis.disconnect())
      const config = loadAlertConfig({
        ...ingestionEnv,
        ALERT_GROUP_ID: `alert-${prefix}`,
        ALERT_CHECK_INTERVAL_MS: String(options.checkIntervalMs ?? 200),
      })
      const service = buildAlert({ pool: db.pool, redis, kafka: topics.kafka, logger, now: options.now }, config)
      t.teardown(() => service.stop())
      await service.start()
      return service
    },
    startEscalation: async (options = {}) => {
      const config = loadEscalationConfig({ ...ingestionEnv, ESCALATION_GROUP_ID: `escalation-${prefix}`, ...options.env })
      const service = buildEscalation({ pool: db.pool, kafka: topics.kafka, logger, now: options.now }, config)
      t.teardown(() => service.stop())
      await service.start()
      return service
    },
    startEscalationHttp: async (options = {}) => {
      const config = loadEscalationConfig({ ...ingestionEnv, ESCALATION_GROUP_ID: `escalation-${prefix}`, ...options.env })
      const service = buildEscalation({ pool: db.pool, kafka: topics.kafka, logger, now: options.now }, config)
      t.teardown(() => service.stop())
      await service.start()
      const address = await service.http.listen({ host: '127.0.0.1', port: 0 })
      return { service, url: address }
    },
    startDispatch: async options => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}`
      const config = loadDispatchConfig({
        ...ingestionEnv, DISPATCH_GROUP_ID: `dispatch-${prefix}`, ESCALATION_URL: options.escalationUrl, PUBLIC_BASE_URL: url,
        LINK_SECRETS: TEST_LINK_SECRET, SWEEP_INTERVAL_MS: '200', ALLOW_LOCAL_ENDPOINTS: 'true', ...options.env,
      })
      const service = buildDispatch({ pool: db.pool, kafka: topics.kafka, logger, now: options.now }, config)
      t.teardown(() => service.stop())
      await service.start()
      await service.http.listen({ host: '127.0.0.1', port })
      return { service, url }
    },
    startConsole: async options => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}`
      const config = loadConsoleConfig({
        ...ingestionEnv, CONSOLE_GROUP_ID: `console-${prefix}`, ESCALATION_URL: options.escalationUrl, DISPATCH_URL: options.dispatchUrl, PUBLIC_BASE_URL: url, ...options.env,
      })
      const redis = new Redis(stack.redisUrl)
      const service = buildConsole({ pool: db.pool, redis, kafka: topics.kafka, logger }, config)
      t.teardown(async () => {
        await service.stop()
        redis.disconnect()
      })
      await service.start()
      await service.http.listen({ host: '127.0.0.1', port })
      return { service, url }
    },
    device: async d => {
      const device = new SimulatedDevice({ url: broker.url, deviceId: d.deviceId, password: d.password, ackTimeoutMs: 2000 })
      await device.connect()
      t.teardown(() => device.close())
      return device
    },
  }
}
