import { existsSync } from 'node:fs'
import { readStackSettings, isPortOpen, freePort } from '@anxin/infra/stack'

/**
 * Where the servers for integration tests are. With a reachable Docker engine, testcontainers starts
 * them (TimescaleDB, Kafka, Redis) for this test process; otherwise the project's local stack
 * (`pnpm stack up`) is used. If neither is there, tests fail loudly: they never skip.
 */
export type TestStack = {
  source: 'testcontainers' | 'local'
  kafkaBrokers: string[]
  databaseUrl: string
  redisUrl: string
  /** How integration tests run a Mosquitto of their own. */
  broker: 'process' | 'container'
}

let cached: Promise<TestStack> | null = null

export function testStack(): Promise<TestStack> {
  cached ??= resolveStack()
  return cached
}

async function dockerAvailable(): Promise<boolean> {
  if (process.env.ANXIN_TEST_STACK === 'local') return false
  if (!existsSync('/var/run/docker.sock') && !process.env.DOCKER_HOST) return false
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await getContainerRuntimeClient()
    return true
  } catch {
    return false
  }
}

async function resolveStack(): Promise<TestStack> {
  if (await dockerAvailable()) return startContainers()
  const settings = readStackSettings()
  if (!settings) {
    throw new Error('integration tests need servers: no Docker engine answers and the local stack was never started (run "pnpm stack up")')
  }
  const checks = {
    kafka: Number(settings.KAFKA_PORT),
    postgres: Number(new URL(settings.DATABASE_URL).port || 5432),
    redis: Number(new URL(settings.REDIS_URL).port || 6379),
  }
  const down = []
  for (const [name, port] of Object.entries(checks)) if (!(await isPortOpen(port))) down.push(`${name} (:${port})`)
  if (down.length > 0) throw new Error(`local stack is not running: ${down.join(', ')} — run "pnpm stack up"`)
  return {
    source: 'local',
    kafkaBrokers: [settings.KAFKA_BROKERS],
    databaseUrl: settings.DATABASE_URL,
    redisUrl: settings.REDIS_URL,
    broker: 'process',
  }
}

async function startContainers(): Promise<TestStack> {
  const { GenericContainer, Wait } = await import('testcontainers')
  const postgres = await new GenericContainer('timescale/timescaledb:2.23.0-pg17')
    .withEnvironment({ POSTGRES_PASSWORD: 'anxin', POSTGRES_DB: 'anxin' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start()
  const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start()
  // Same port inside and outside, so the address Kafka advertises works from the host.
  const kafkaPort = await freePort()
  await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start()
  return {
    source: 'testcontainers',
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    databaseUrl: `postgres://postgres:anxin@${postgres.getHost()}:${postgres.getMappedPort(5432)}/anxin`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}/0`,
    broker: 'container',
  }
}
