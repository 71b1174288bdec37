import type { TestBroker } from './broker.ts'
import type { TestDatabase } from './database.ts'
import type { TestTopics } from './kafka.ts'
import type { TestStack } from './stack.ts'

/**
 * The environment that points the platform's services at one test's (or benchmark's) own schema, topics,
 * broker and Redis key prefix. Each service reads the keys it knows.
 */
export function pipelineEnv(parts: { stack: TestStack; db: TestDatabase; topics: TestTopics; broker: TestBroker; prefix: string }): Record<string, string> {
  const { stack, db, topics, broker, prefix } = parts
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    REDIS_URL: stack.redisUrl,
    MQTT_URL: broker.url,
    MQTT_USERNAME: broker.ingestion.username,
    MQTT_PASSWORD: broker.ingestion.password,
    HTTP_PORT: '0',
    INGESTION_INSTANCE_ID: `ingestion-${prefix}`,
    RECORDER_GROUP_ID: `recorder-${prefix}`,
    KAFKA_TOPIC_SUFFIX: topics.suffix,
    REDIS_KEY_PREFIX: `anxin-test:${prefix}:`,
    LOG_LEVEL: 'info',
  }
}
