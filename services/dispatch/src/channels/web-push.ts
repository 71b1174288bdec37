/**
 * Web Push to the responder app (RFC 8030 / 8291 / 8292): one encrypted, VAPID-signed message per browser
 * subscription of the recipient. A push service accepting the message is "sent", not delivery to the phone.
 *
 * web-push builds the request (encryption, VAPID JWT, TTL and Urgency headers) and we send it with fetch:
 * web-push's own sender cannot be cancelled by an AbortSignal and speaks only https.
 * No Topic header: a topic would let one alarm's notification replace another's on the device.
 */
import webpush from 'web-push'
import type { NotificationChannel, OutgoingMessage, PushSubscription, SendResult } from './channel.ts'
import { failure, httpFailure, requestErrorFailure } from './classify.ts'
import type { SendFailure } from './classify.ts'
import type { RequestDetails } from 'web-push'

export type WebPushChannelOptions = {
  /** Who runs this sender, for push services to contact: a mailto: or https: URL. */
  subject: string
  publicKey: string
  privateKey: string
  timeoutMs?: number
}

export type VapidKeys = { publicKey: string; privateKey: string }

/** A VAPID key pair (base64url), created once per deployment and kept in configuration. */
export function generateVapidKeys(): VapidKeys {
  return webpush.generateVAPIDKeys()
}

type Outcome = { kind: 'accepted'; status: number; location: string | null } | { kind: 'expired' } | ({ kind: 'failed' } & SendFailure)

export class WebPushChannel implements NotificationChannel {
  readonly name = 'responder_app'
  readonly #vapidDetails: { subject: string; publicKey: string; privateKey: string }
  readonly #timeoutMs: number

  constructor({ subject, publicKey, privateKey, timeoutMs = 5000 }: WebPushChannelOptions) {
    this.#vapidDetails = { subject, publicKey, privateKey }
    this.#timeoutMs = timeoutMs
    // Signing a header once checks subject and keys at boot, not at the first alarm.
    webpush.getVapidHeaders('https://push.example', subject, publicKey, privateKey, 'aes128gcm')
  }

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    const { target } = message
    if (target.channel !== 'responder_app') return failure(false, `not a responder_app target: ${target.channel}`)
    if (target.subscriptions.length === 0) return failure(false, 'no push subscriptions')
    const payload = JSON.stringify({ title: message.subject, body: message.text, url: message.link, urgent: message.urgent, data: message.data })
    const sendSignal = AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)])
    const outcomes = await Promise.all(target.subscriptions.map(s => this.#push(s, payload, message.urgent, sendSignal)))

    const expired = target.subscriptions.filter((_, i) => outcomes[i]?.kind === 'expired').map(s => s.endpoint)
    const withExpired = expired.length > 0 ? { expiredSubscriptions: expired } : {}
    const accepted = outcomes.filter(o => o.kind === 'accepted')
    const first = accepted[0]
    if (first !== undefined) {
      return {
        outcome: 'sent',
        providerMessageId: first.location,
        providerAnswer: `HTTP ${first.status} from ${accepted.length} of ${outcomes.length} push services`,
        ...withExpired,
      }
    }
    const failures = outcomes.filter(o => o.kind === 'failed')
    if (failures.length === 0) return { ...failure(false, `all ${expired.length} subscriptions expired`), ...withExpired }
    const answers = [...new Set(failures.map(f => f.providerAnswer))].join('; ')
    return { ...failure(failures.some(f => f.retryable), answers.slice(0, 300)), ...withExpired }
  }

  async #push(subscription: PushSubscription, payload: string, urgent: boolean, signal: AbortSignal): Promise<Outcome> {
    let request: RequestDetails
    try {
      request = webpush.generateRequestDetails(subscription, payload, {
        vapidDetails: this.#vapidDetails,
        TTL: urgent ? 300 : 3600,
        urgency: urgent ? 'high' : 'normal',
        contentEncoding: 'aes128gcm',
      })
    } catch {
      // Malformed keys or endpoint in the stored subscription: it can never work.
      return { kind: 'failed', ...failure(false, 'invalid push subscription') }
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'content-length').map(([name, value]) => [name, String(value)]),
    )
    try {
      const response = await fetch(request.endpoint, { method: 'POST', redirect: 'manual', headers, body: bodyOf(request), signal })
      const answer = await response.text()
      if (response.ok) return { kind: 'accepted', status: response.status, location: response.headers.get('location') }
      // 404/410: the browser unsubscribed or the subscription lapsed; the caller deletes it.
      if (response.status === 404 || response.status === 410) return { kind: 'expired' }
      return { kind: 'failed', ...httpFailure(response.status, response.statusText, answer) }
    } catch (error) {
      return { kind: 'failed', ...requestErrorFailure(error, this.#timeoutMs) }
    }
  }
}

/** A copy as a plain Uint8Array: fetch's types refuse a Buffer that may sit on a SharedArrayBuffer. */
function bodyOf(request: RequestDetails): Uint8Array<ArrayBuffer> | null {
  return request.body === null ? null : new Uint8Array(request.body)
}
