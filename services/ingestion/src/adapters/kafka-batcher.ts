import type { Producer } from '@anxin/kafka'
import { backoffDelay, sleep, toKafkaMessage, type OutgoingRecord } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'

type Pending = { topic: string; record: OutgoingRecord; resolve: () => void }

/**
 * Collects records for a short moment and writes them in one request (acks=all), which is what lets the
 * telemetry lane carry thousands of messages a second. A failed write is retried, in order, until it
 * succeeds; while the queue is above its high-water mark, `waitForCapacity` holds the MQTT connection so the
 * broker, not this process, buffers the excess.
 */
export class KafkaBatcher {
  private queue: Pending[] = []
  private flushing = false
  private closed = false
  private readonly waiters: Array<() => void> = []
  private timer: NodeJS.Timeout | null = null
  private readonly producer: Producer
  private readonly log: Logger
  private readonly options: { maxBatch: number; lingerMs: number; highWater: number; onRetry?: () => void }

  constructor(
    producer: Producer,
    logger: Logger,
    options: Partial<{ maxBatch: number; lingerMs: number; highWater: number; onRetry: () => void }> = {},
  ) {
    this.producer = producer
    this.log = logger.child({ component: 'kafka-batcher' })
    this.options = { maxBatch: options.maxBatch ?? 2000, lingerMs: options.lingerMs ?? 5, highWater: options.highWater ?? 20000, onRetry: options.onRetry }
  }

  get pending(): number {
    return this.queue.length
  }

  /** Queues a record; the promise resolves once Kafka has durably acknowledged it. */
  add(topic: string, record: OutgoingRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('batcher is closed'))
    return new Promise(resolve => {
      this.queue.push({ topic, record, resolve })
      if (this.queue.length >= this.options.maxBatch) void this.flush()
      else this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs)
    })
  }

  async waitForCapacity(): Promise<void> {
    while (this.queue.length >= this.options.highWater) await new Promise<void>(r => this.waiters.push(r))
  }

  /** Writes everything queued; new records are refused from now on. */
  async close(): Promise<void> {
    this.closed = true
    while (this.queue.length > 0 || this.flushing) {
      await this.flush()
      await sleep(5)
    }
  }

  private async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.flushing || this.queue.length === 0) return
    this.flushing = true
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, this.options.maxBatch)
        await this.writeUntilAcknowledged(batch)
        this.queue = this.queue.slice(batch.length)
        for (const item of batch) item.resolve()
        while (this.queue.length < this.options.highWater && this.waiters.length > 0) this.waiters.shift()!()
      }
    } finally {
      this.flushing = false
    }
  }

  private async writeUntilAcknowledged(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, OutgoingRecord[]>()
    for (const item of batch) {
      const records = byTopic.get(item.topic)
      if (records) records.push(item.record)
      else byTopic.set(item.topic, [item.record])
    }
    const topicMessages = [...byTopic].map(([topic, records]) => ({ topic, messages: records.map(toKafkaMessage) }))
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer.sendBatch({ topicMessages, acks: -1, timeout: 10000 })
        return
      } catch (error) {
        this.options.onRetry?.()
        const delay = backoffDelay(attempt, { maxMs: 5000 })
        this.log.warn({ err: (error as Error).message, records: batch.length, attempt, delay }, 'kafka write failed, retrying')
        await sleep(delay)
      }
    }
  }
}
