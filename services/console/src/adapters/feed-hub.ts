import type pg from 'pg'
import { listenForChanges, type ChangeListener } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import { WakeableLoop } from '@anxin/service-kit'
import type { SessionUser } from '../domain/session-user.ts'
import { FEED_CHANNEL, feedAfter, latestFeedSeq, oldestFeedSeq, type FeedEvent } from './feed-store.ts'

export type FeedSubscriber = {
  user: SessionUser
  send: (event: FeedEvent) => void
  /** The position asked for is older than what the feed keeps: the browser must reload its snapshot. */
  resync: () => void
}

type Subscription = FeedSubscriber & { lastSeq: bigint; catchingUp: boolean; queued: FeedEvent[] }

const PAGE = 500

export const inScope = (user: SessionUser, event: FeedEvent): boolean => event.orgId === user.orgId && (user.areaId === null || event.areaId === user.areaId)

/**
 * Follows the feed table and pushes each new event to the browsers connected to this instance. Every instance
 * follows the same table (woken by NOTIFY, with a poll as a safety net), so it does not matter which instance
 * consumed the Kafka message. A browser that reconnects says where it was (Last-Event-ID) and gets everything
 * after it from the table before going live, each event once: nothing lost, nothing twice.
 */
export class FeedHub {
  private readonly pool: pg.Pool
  private readonly logger: Logger
  private readonly schema: string
  private readonly subscriptions = new Set<Subscription>()
  private readonly loop: WakeableLoop
  private listener: ChangeListener | null = null
  private headSeq = 0n

  constructor(options: { pool: pg.Pool; logger: Logger; schema: string; pollMs?: number }) {
    this.pool = options.pool
    this.logger = options.logger
    this.schema = options.schema
    this.loop = new WakeableLoop({
      step: () => this.pump(),
      idleMs: options.pollMs ?? 1000,
      onError: (error, failures) => this.logger.warn({ err: (error as Error).message, failures }, 'feed pump failed'),
    })
  }

  get connections(): number {
    return this.subscriptions.size
  }

  async start(): Promise<void> {
    this.headSeq = BigInt(await latestFeedSeq(this.pool))
    this.listener = await listenForChanges(this.pool, [FEED_CHANNEL], {
      onNotification: (_channel, payload) => {
        if (payload === this.schema) this.loop.kick()
      },
      onReconnected: () => this.loop.kick(),
    })
    this.loop.start()
  }

  async stop(): Promise<void> {
    await this.listener?.stop()
    await this.loop.stop()
    this.subscriptions.clear()
  }

  /** Called by the local writer so this instance does not wait for its own NOTIFY. */
  wake(): void {
    this.loop.kick()
  }

  /** Starts pushing to a browser from just after `afterSeq`; returns the function that ends it. */
  async subscribe(subscriber: FeedSubscriber, afterSeq: string): Promise<() => void> {
    const sub: Subscription = { ...subscriber, lastSeq: BigInt(afterSeq), catchingUp: true, queued: [] }
    this.subscriptions.add(sub)
    const unsubscribe = (): void => void this.subscriptions.delete(sub)
    try {
      const oldest = await oldestFeedSeq(this.pool)
      if (sub.lastSeq > 0n && oldest !== null && sub.lastSeq < BigInt(oldest) - 1n) subscriber.resync()
      // Catch up from the table until it has nothing more; events the pump sees meanwhile wait in `queued`.
      for (;;) {
        const page = await feedAfter(this.pool, sub.lastSeq.toString(), PAGE, sub.user.orgId)
        for (const event of page) this.deliver(sub, event)
        if (page.length < PAGE) break
      }
      for (const event of sub.queued.splice(0)) this.deliver(sub, event)
      sub.catchingUp = false
    } catch (error) {
      unsubscribe()
      throw error
    }
    return unsubscribe
  }

  private async pump(): Promise<boolean> {
    const page = await feedAfter(this.pool, this.headSeq.toString(), PAGE)
    for (const event of page) {
      this.headSeq = BigInt(event.seq)
      for (const sub of this.subscriptions) {
        if (sub.catchingUp) sub.queued.push(event)
        else this.deliver(sub, event)
      }
    }
    // A full page: there may be more; go again at once.
    return page.length === PAGE
  }

  private deliver(sub: Subscription, event: FeedEvent): void {
    const seq = BigInt(event.seq)
    if (seq <= sub.lastSeq) return
    sub.lastSeq = seq
    if (inScope(sub.user, event)) sub.send(event)
  }
}
