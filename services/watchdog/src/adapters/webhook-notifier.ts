import { signatureHeader } from '@anxin/contracts'
import { backoffDelay, sleep } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import type { SystemAlarm } from '../domain/system-alarm.ts'

export type AlarmEvent = { event: 'raised' | 'cleared'; alarm: SystemAlarm }

export type WebhookOptions = { url: string; secret?: string; logger: Logger; maxAttempts?: number; timeoutMs?: number; now?: () => Date }

/**
 * Pages the on-call engineer: every raised and cleared alarm is POSTed as JSON `{ event, alarm }`, signed
 * (x-anxin-signature) when a secret is set. Deliveries run one after another in the background, in order
 * (a "cleared" never overtakes its "raised"), retried with backoff; `notify` never waits, so a slow pager
 * cannot hold up the probing.
 */
export class WebhookNotifier {
  private readonly options: WebhookOptions
  private readonly queue: AlarmEvent[] = []
  private readonly stopping = new AbortController()
  private worker: Promise<void> | null = null

  constructor(options: WebhookOptions) {
    this.options = options
  }

  notify(event: AlarmEvent): void {
    if (this.stopping.signal.aborted) return
    this.queue.push(event)
    this.worker ??= this.drain().finally(() => {
      this.worker = null
    })
  }

  /** Stops retrying; a delivery in flight finishes or times out. */
  async stop(): Promise<void> {
    this.stopping.abort()
    await this.worker
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next && !this.stopping.signal.aborted; next = this.queue.shift()) await this.deliver(next)
  }

  private async deliver(event: AlarmEvent): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8
    const body = JSON.stringify(event)
    for (let attempt = 0; attempt < maxAttempts && !this.stopping.signal.aborted; attempt++) {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (this.options.secret) headers['x-anxin-signature'] = signatureHeader(this.options.secret, body, (this.options.now?.() ?? new Date()).getTime() / 1000)
      let failure: string
      try {
        const response = await fetch(this.options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) })
        await response.arrayBuffer().catch(() => {})
        if (response.ok) return
        failure = `http_${response.status}`
      } catch (error) {
        failure = (error as Error).name
      }
      this.options.logger.warn({ alarmId: event.alarm.id, event: event.event, attempt: attempt + 1, failure }, 'system alarm webhook failed')
      await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 30000 }), this.stopping.signal)
    }
    if (!this.stopping.signal.aborted) this.options.logger.error({ alarmId: event.alarm.id, event: event.event, attempts: maxAttempts }, 'system alarm webhook gave up')
  }
}
