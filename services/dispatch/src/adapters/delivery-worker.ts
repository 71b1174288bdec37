import type pg from 'pg'
import type { Logger } from '@anxin/logging'
import { WakeableLoop } from '@anxin/service-kit'
import type { DeliveryChannel, NotificationChannel, OutgoingMessage, SendResult } from '../channels/channel.ts'
import { DEFAULT_RETRY_POLICY, type AttemptOutcome, type RetryPolicy } from '../domain/delivery-retry.ts'
import { loadSettings } from './dispatch-settings.ts'
import { claimDue, recordAttempt, type ClaimedDelivery } from './delivery-store.ts'
import { targetFor } from './recipient-reach.ts'

export type DeliveryObserver = (event: { channel: DeliveryChannel; outcome: AttemptOutcome; seconds: number; sinceQueuedSeconds: number; fallback: DeliveryChannel | null }) => void

/**
 * One lane per channel: it keeps up to `concurrency` provider calls in flight and claims more as calls
 * finish. Lanes share nothing but the database, so a provider that hangs until its timeout fills only its own
 * lane, and every other channel keeps going.
 */
export class DeliveryWorker {
  private readonly pool: pg.Pool
  private readonly channel: NotificationChannel
  private readonly concurrency: number
  private readonly timeoutMs: number
  private readonly retryPolicy: RetryPolicy
  private readonly log: Logger
  private readonly now: () => Date
  private readonly observe: DeliveryObserver
  private readonly loop: WakeableLoop
  private readonly inFlight = new Set<Promise<void>>()

  constructor(options: {
    pool: pg.Pool; channel: NotificationChannel; concurrency: number; timeoutMs: number; logger: Logger
    retryPolicy?: RetryPolicy; now?: () => Date; observe?: DeliveryObserver; idleMs?: number
  }) {
    this.pool = options.pool
    this.channel = options.channel
    this.concurrency = options.concurrency
    this.timeoutMs = options.timeoutMs
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY
    this.log = options.logger.child({ component: 'delivery-worker', channel: options.channel.name })
    this.now = options.now ?? (() => new Date())
    this.observe = options.observe ?? (() => {})
    this.loop = new WakeableLoop({
      step: () => this.claimAndSend(),
      idleMs: options.idleMs ?? 500,
      onError: (error, failures) => this.log.warn({ err: (error as Error).message, failures }, 'claiming deliveries failed'),
    })
  }

  get name(): DeliveryChannel {
    return this.channel.name
  }

  start(): void {
    this.loop.start()
  }

  kick(): void {
    this.loop.kick()
  }

  /** Stops claiming, then lets the calls under way finish and record their result. */
  async stop(): Promise<void> {
    await this.loop.stop()
    await Promise.allSettled([...this.inFlight])
  }

  private async claimAndSend(): Promise<boolean> {
    const free = this.concurrency - this.inFlight.size
    if (free <= 0) return false
    const leaseSeconds = Math.ceil((this.timeoutMs * 2) / 1000) + 10
    const claimed = await claimDue(this.pool, this.channel.name, free, leaseSeconds)
    for (const delivery of claimed) {
      const work = this.deliver(delivery).finally(() => {
        this.inFlight.delete(work)
        // Claim again once half the lane is free, not after every call: one claim query per few deliveries.
        if (this.inFlight.size <= this.concurrency / 2) this.loop.kick()
      })
      this.inFlight.add(work)
    }
    return claimed.length === free && this.inFlight.size < this.concurrency
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const started = Date.now()
    try {
      const result = await this.send(delivery)
      const recorded = await recordAttempt(this.pool, delivery, result, { policy: this.retryPolicy, random: Math.random, now: this.now().toISOString() })
      this.observe({
        channel: this.channel.name, outcome: recorded.outcome, seconds: (Date.now() - started) / 1000,
        sinceQueuedSeconds: (Date.now() - delivery.queuedAt.getTime()) / 1000, fallback: recorded.fallback,
      })
      if (recorded.outcome.startsWith('failed')) {
        this.log.warn({ deliveryId: delivery.id, alarmId: delivery.alarmId, attempt: delivery.attempts, outcome: recorded.outcome, fallback: recorded.fallback }, 'delivery failed')
      }
    } catch (error) {
      // The result could not be recorded (database gone): the lease expires and the delivery is tried again.
      this.log.error({ deliveryId: delivery.id, err: (error as Error).message }, 'recording a delivery attempt failed')
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<SendResult> {
    // Only the webhook's address lives in the organisation's settings.
    const settings = this.channel.name === 'webhook' ? await loadSettings(this.pool, delivery.orgId) : null
    const target = await targetFor(this.pool, this.channel.name, delivery.recipient, settings)
    if (!target) return { outcome: 'failed', retryable: false, providerAnswer: `no ${this.channel.name} address for this recipient any more` }
    const message: OutgoingMessage = {
      deliveryId: delivery.id,
      target,
      recipient: { kind: delivery.recipient.kind, id: delivery.recipient.id, name: delivery.recipient.name },
      locale: delivery.message.locale,
      subject: delivery.message.subject,
      text: delivery.message.text,
      link: delivery.message.link,
      urgent: delivery.critical,
      data: { ...delivery.message.data, deliveryId: delivery.id },
    }
    try {
      return await this.channel.send(message, AbortSignal.timeout(this.timeoutMs))
    } catch (error) {
      // Adapters report failures as results; one that throws anyway is treated as a provider we could not reach.
      return { outcome: 'failed', retryable: true, providerAnswer: `adapter error: ${(error as Error).name}` }
    }
  }
}
