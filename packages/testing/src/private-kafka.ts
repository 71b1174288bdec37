import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { declaredKafkaTopics } from '@anxin/contracts'
import { createKafka, ensureTopics } from '@anxin/kafka'
import { freePort, REPO_ROOT } from '@anxin/infra/stack'
import type { Logger } from '@anxin/logging'
import type { Teardown } from './teardown.ts'

const run = promisify(execFile)
const script = join(REPO_ROOT, 'infra/kafka/kafka.sh')

export type PrivateKafka = {
  brokers: string
  /** The folder holding the broker's state (its log segments are under `<dir>/kafka/data`). */
  dir: string
  pid: () => number | null
  /** kill -9 of the broker's JVM: nothing is flushed or closed. */
  kill: () => Promise<void>
  /** Starts it again on the same ports with the same data; resolves once a client round trip succeeds. */
  start: () => Promise<void>
}

/**
 * A Kafka broker of this test's own (the project's pinned jars, KRaft, state in `dir`), for tests that kill
 * it or fill its disk, which must not disturb the shared broker other tests use. Creates the declared topics.
 */
export async function privateKafka(t: Teardown, options: { dir: string; logger: Logger }): Promise<PrivateKafka> {
  const [port, controllerPort] = [await freePort(), await freePort()]
  mkdirSync(options.dir, { recursive: true })
  const env = { ...process.env, ANXIN_RUN_DIR: options.dir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m' }
  const command = (action: string) => run('bash', [script, action], { env, maxBuffer: 10 * 1024 * 1024 })
  const pid = () => {
    try {
      return Number(readFileSync(join(options.dir, 'kafka', 'kafka.pid'), 'utf8').trim()) || null
    } catch {
      return null
    }
  }
  const start = async () => {
    try {
      await command('start')
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string }
      throw new Error(`private kafka did not start:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
    }
  }
  const kill = async () => {
    const p = pid()
    if (p === null) return
    try {
      process.kill(p, 'SIGKILL')
    } catch {
      return
    }
    while (isAlive(p)) await new Promise(r => setTimeout(r, 50))
  }
  await command('fetch')
  await start()
  t.teardown(async () => {
    await kill()
  })
  const brokers = `127.0.0.1:${port}`
  const admin = createKafka({ brokers: [brokers], clientId: 'anxin-private-kafka', logger: options.logger }).admin()
  await admin.connect()
  try {
    await ensureTopics(admin, declaredKafkaTopics)
  } finally {
    await admin.disconnect()
  }
  return { brokers, dir: options.dir, pid, kill, start }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}
