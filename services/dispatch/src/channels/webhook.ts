/**
 * Posts the notification as signed JSON to a URL the organisation configured: a WeChat Work or DingTalk bot
 * bridge, a care home's own system, any HTTP gateway. A 2xx means the receiving system has the message, so it
 * counts as delivered. The receiver checks `x-anxin-signature` (packages/contracts/src/webhook-signature.ts) and drops repeats by
 * `x-anxin-delivery`, which is the same on every retry of a delivery.
 */
import type { NotificationChannel, OutgoingMessage, SendResult } from './channel.ts'
import { failure, httpFailure, requestErrorFailure } from './classify.ts'
import { signatureHeader } from '@anxin/contracts'

export type WebhookChannelOptions = { timeoutMs?: number; now?: () => Date; userAgent?: string }

export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook'
  readonly #timeoutMs: number
  readonly #now: () => Date
  readonly #userAgent: string

  constructor({ timeoutMs = 5000, now = () => new Date(), userAgent = 'anxin-dispatch' }: WebhookChannelOptions = {}) {
    this.#timeoutMs = timeoutMs
    this.#now = now
    this.#userAgent = userAgent
  }

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    const { target } = message
    if (target.channel !== 'webhook') return failure(false, `not a webhook target: ${target.channel}`)
    if (!isHttpUrl(target.url)) return failure(false, 'webhook URL is not an http(s) URL')
    const sentAt = this.#now()
    const body = JSON.stringify({
      id: message.deliveryId,
      type: 'anxin.notification',
      sentAt: sentAt.toISOString(),
      recipient: message.recipient,
      locale: message.locale,
      subject: message.subject,
      text: message.text,
      link: message.link,
      urgent: message.urgent,
      data: message.data,
    })
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        // A redirect would re-send (or drop) a signed body somewhere nobody configured: report it instead.
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': this.#userAgent,
          'x-anxin-delivery': message.deliveryId,
          'x-anxin-signature': signatureHeader(target.secret, body, Math.floor(sentAt.getTime() / 1000)),
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      })
      const answer = await response.text()
      if (!response.ok) return httpFailure(response.status, response.statusText, answer)
      return {
        outcome: 'delivered',
        providerMessageId: response.headers.get('x-request-id') ?? idOf(answer),
        providerAnswer: `HTTP ${response.status}`,
      }
    } catch (error) {
      return requestErrorFailure(error, this.#timeoutMs)
    }
  }
}

function isHttpUrl(url: string): boolean {
  const parsed = URL.parse(url)
  return parsed !== null && (parsed.protocol === 'https:' || parsed.protocol === 'http:')
}

/** The receiver's own id for the message, when it answered with JSON such as `{ "id": "..." }`. */
function idOf(body: string): string | null {
  try {
    const id: unknown = (JSON.parse(body) as { id?: unknown } | null)?.id
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null
  } catch {
    return null
  }
}
