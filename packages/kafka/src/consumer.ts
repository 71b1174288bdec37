import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs'
import type { z } from 'zod'
import { describeIssues, describeJsonError } from '@anxin/contracts'
import { errorCode, isRetryable } from '@anxin/errors'
import type { Logger } from '@anxin/logging'
import { backoffDelay, sleep } from './backoff.ts'
import { publishDeadLetter } from './dead-letter.ts'

export type DecodedMessage<T> = { topic: string; partition: number; offset: string; key: string | null; value: T }

export type ConsumerOptions<T> = {
  kafka: Kafka
  groupId: string
  topics: string[]
  /** Messages that do not match are dead-lettered with the validation issues, never handed to `handle`. */
  schema: z.ZodType<T>
  /** Processes a batch from one partition. Offsets are committed only after it resolves. */
  handle: (messages: DecodedMessage<T>[]) => Promise<void>
  deadLetterProducer: Producer
  deadLetterTopic: string
  logger: Logger
  partitionsConsumedConcurrently?: number
  /**
   * How soon the group notices a member that died without leaving (kill -9) and hands its partitions to
   * another: a restarted instance waits this long for them. Heartbeats continue while a batch is retried.
   */
  sessionTimeoutMs?: number
  /**
   * At most this many messages per `handle` call (default: the whole batch). A handler that takes a while per
   * message sets it, so the consumer commits and heartbeats between chunks: a batch of a thousand commands
   * must not outlast the session and get the member thrown out of its group halfway through.
   */
  maxMessagesPerHandle?: number
  onProcessed?: (count: number, topic: string) => void
  onDeadLetter?: (reason: string) => void
}

/** `healthy` turns false if kafkajs gives up on the consumer; readiness reports it so the instance is replaced. */
export type RunningConsumer = { consumer: Consumer; healthy: () => boolean; stop: () => Promise<void> }

/** Errors a commit meets when the group has moved on: the batch goes to the partition's new owner, no crash. */
const REBALANCE_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR'])

/**
 * At-least-once consumption: a batch is committed only after `handle` has finished, so a crash replays it
 * (handlers are idempotent). A failing batch is retried with backoff while the error is transient; a
 * permanent failure is narrowed down message by message and only the poison message is dead-lettered.
 */
export async function runConsumer<T>(options: ConsumerOptions<T>): Promise<RunningConsumer> {
  const log = options.logger.child({ component: 'consumer', groupId: options.groupId })
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10000,
    heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 10000) / 6)),
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  })
  const stopping = new AbortController()
  let healthy = true
  consumer.on(consumer.events.CRASH, event => {
    if (event.payload.restart) return
    healthy = false
    log.error({ err: event.payload.error.message }, 'consumer crashed and kafkajs will not restart it; reporting not ready')
  })
  await consumer.connect()
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true })

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
    eachBatch: async payload => {
      const { batch } = payload
      const size = options.maxMessagesPerHandle ?? Math.max(1, batch.messages.length)
      for (let from = 0; from < batch.messages.length; from += size) {
        const chunk = batch.messages.slice(from, from + size)
        const valid: DecodedMessage<T>[] = []
        for (const message of chunk) {
          const decoded = decode(options.schema, message)
          const base = { topic: batch.topic, partition: batch.partition, offset: message.offset }
          if (decoded.ok) {
            valid.push({ ...base, key: message.key?.toString() ?? null, value: decoded.value })
          } else {
            await deadLetter(options, base, message, decoded.reason, decoded.detail)
          }
        }
        const done = await processWithRetry(options, valid, payload, stopping.signal, log)
        if (!done) return
        for (const m of chunk) payload.resolveOffset(m.offset)
        try {
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(chunk.at(-1)!.offset) + 1n).toString() }])
        } catch (error) {
          const type = protocolErrorType(error)
          if (!REBALANCE_ERRORS.has(type)) throw error
          // Processed but not committed: the partition's next owner handles these again (handlers are idempotent).
          log.warn({ topic: batch.topic, partition: batch.partition, type }, 'commit refused during a rebalance; the batch will be redelivered')
          return
        }
        options.onProcessed?.(chunk.length, batch.topic)
        await payload.heartbeat().catch(() => {})
      }
    },
  })

  return {
    consumer,
    healthy: () => healthy,
    stop: async () => {
      stopping.abort()
      await consumer.disconnect()
    },
  }
}

/** The broker's error name, also when kafkajs wrapped the protocol error in a retry error. */
function protocolErrorType(error: unknown): string {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.type === 'string') return e.type
  }
  return ''
}

type Decoded<T> = { ok: true; value: T } | { ok: false; reason: 'malformed_json' | 'invalid_payload'; detail: string }

function decode<T>(schema: z.ZodType<T>, message: KafkaMessage): Decoded<T> {
  let json: unknown
  try {
    json = JSON.parse(message.value?.toString('utf8') ?? '')
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: describeJsonError(error) }
  }
  const parsed = schema.safeParse(json)
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: 'invalid_payload', detail: describeIssues(parsed.error) }
}

async function deadLetter<T>(
  options: ConsumerOptions<T>,
  at: { topic: string; partition: number; offset: string },
  message: KafkaMessage,
  reason: 'malformed_json' | 'invalid_payload' | 'processing_failed',
  detail: string,
): Promise<void> {
  await publishDeadLetter(options.deadLetterProducer, options.deadLetterTopic, {
    reason,
    detail,
    origin: { kind: 'kafka', topic: at.topic, partition: at.partition, offset: at.offset, consumerGroup: options.groupId },
    deviceId: message.key?.toString() ?? null,
    payload: message.value ?? Buffer.alloc(0),
  })
  options.onDeadLetter?.(reason)
}

/** Returns false when the consumer is stopping or lost the partition: the batch then stays uncommitted. */
async function processWithRetry<T>(
  options: ConsumerOptions<T>,
  messages: DecodedMessage<T>[],
  payload: EachBatchPayload,
  stopping: AbortSignal,
  log: Logger,
): Promise<boolean> {
  if (messages.length === 0) return true
  for (let attempt = 0; ; attempt++) {
    if (stopping.aborted || !payload.isRunning() || payload.isStale()) return false
    try {
      await options.handle(messages)
      return true
    } catch (error) {
      if (!isRetryable(error)) return isolatePoison(options, messages, payload, stopping, log)
      const delay = backoffDelay(attempt)
      log.warn({ code: errorCode(error), err: (error as Error).message, attempt, delay }, 'batch failed, retrying')
      await sleep(delay, stopping)
      await payload.heartbeat().catch(() => {})
    }
  }
}

async function isolatePoison<T>(
  options: ConsumerOptions<T>,
  messages: DecodedMessage<T>[],
  payload: EachBatchPayload,
  stopping: AbortSignal,
  log: Logger,
): Promise<boolean> {
  for (const message of messages) {
    for (let attempt = 0; ; attempt++) {
      if (stopping.aborted || !payload.isRunning() || payload.isStale()) return false
      try {
        await options.handle([message])
        break
      } catch (error) {
        if (!isRetryable(error)) {
          log.error({ code: errorCode(error), offset: message.offset, topic: message.topic }, 'message dead-lettered')
          const raw = payload.batch.messages.find(m => m.offset === message.offset)
          const at = { topic: message.topic, partition: message.partition, offset: message.offset }
          const original = raw ?? ({ key: null, value: Buffer.from(JSON.stringify(message.value)) } as unknown as KafkaMessage)
          await deadLetter(options, at, original, 'processing_failed', `${errorCode(error)}: ${(error as Error).message}`)
          break
        }
        await sleep(backoffDelay(attempt), stopping)
        await payload.heartbeat().catch(() => {})
      }
    }
  }
  return true
}
