import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { declaredKafkaTopics } from '@anxin/contracts'
import { createKafka, ensureTopics } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { REPO_ROOT, RUN_DIR, type StackSettings } from './settings.ts'

const script = join(REPO_ROOT, 'infra/kafka/kafka.sh')

function kafkaCommand(command: 'fetch' | 'start' | 'stop' | 'status', settings: StackSettings): number {
  try {
    execFileSync('bash', [script, command], {
      stdio: 'inherit',
      env: { ...process.env, ANXIN_RUN_DIR: RUN_DIR, KAFKA_PORT: settings.KAFKA_PORT },
    })
    return 0
  } catch (error) {
    return (error as { status?: number }).status ?? 1
  }
}

/** Fetches the pinned Kafka jars, starts the broker (KRaft) and creates the declared topics. */
export async function ensureKafka(settings: StackSettings, logger: Logger): Promise<string[]> {
  if (kafkaCommand('fetch', settings) !== 0) throw new Error('kafka: fetching the jars from Maven Central failed')
  if (kafkaCommand('start', settings) !== 0) throw new Error('kafka: the broker did not start (see above)')
  const kafka = createKafka({ brokers: [settings.KAFKA_BROKERS], clientId: 'anxin-stack', logger })
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await ensureTopics(admin, declaredKafkaTopics)
  } finally {
    await admin.disconnect()
  }
}

export function stopKafka(settings: StackSettings): void {
  kafkaCommand('stop', settings)
}

export function kafkaRunning(settings: StackSettings): boolean {
  return kafkaCommand('status', settings) === 0
}
