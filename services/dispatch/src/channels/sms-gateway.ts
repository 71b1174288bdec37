/**
 * SMS and voice calls through our HTTP gateway (in front of the telecom operator). One class, two channels:
 * 'sms' sends a text, 'phone' places a call that reads the text aloud.
 *
 * The gateway contract:
 * - We send `POST <url>/messages` with `authorization: Bearer <token>`, `idempotency-key: <deliveryId>` (the
 *   gateway must not text or call twice for the same key) and the JSON body
 *   `{ reference: deliveryId, type: 'sms' | 'voice', to: '+86…', text, urgent, callbackUrl: string | null,
 *   acknowledgeDigit?: '1' }`; acknowledgeDigit is sent for voice only: the callee presses 1 to acknowledge.
 * - It answers 200/201/202 with `{ id: string, status: string }`. Status 'delivered' means it already reached
 *   the handset; anything else ('queued', 'ringing'...) means it was taken. Other statuses are failures,
 *   classified by classify.ts.
 * - Later it POSTs to callbackUrl the JSON `{ reference, id?, status: 'delivered' | 'failed' | 'answered' |
 *   'no_answer', digits?, detail? }` (digits: what the callee pressed), signed with the scheme in packages/contracts/src/webhook-signature.ts in
 *   the header `x-anxin-signature` with a secret shared with the gateway. The callback route checks that
 *   signature on the raw body, then reads it with parseGatewayCallback.
 */
import { z } from 'zod'
import type { NotificationChannel, OutgoingMessage, SendResult } from './channel.ts'
import { failure, httpFailure, redact, requestErrorFailure } from './classify.ts'

export type SmsGatewayChannelOptions = {
  channel: 'sms' | 'phone'
  url: string
  token: string
  callbackUrl: string | null
  timeoutMs?: number
}

const accepted = z.object({ id: z.string().min(1), status: z.string() })

export class SmsGatewayChannel implements NotificationChannel {
  readonly name: 'sms' | 'phone'
  readonly #endpoint: string
  readonly #token: string
  readonly #callbackUrl: string | null
  readonly #timeoutMs: number

  constructor({ channel, url, token, callbackUrl, timeoutMs = 5000 }: SmsGatewayChannelOptions) {
    this.name = channel
    this.#endpoint = `${url.replace(/\/+$/, '')}/messages`
    this.#token = token
    this.#callbackUrl = callbackUrl
    this.#timeoutMs = timeoutMs
  }

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    const { target } = message
    if (target.channel !== this.name || !('phone' in target)) return failure(false, `not a ${this.name} target: ${target.channel}`)
    const voice = this.name === 'phone'
    const body = JSON.stringify({
      reference: message.deliveryId,
      type: voice ? 'voice' : 'sms',
      to: target.phone,
      text: message.text,
      urgent: message.urgent,
      callbackUrl: this.#callbackUrl,
      ...(voice ? { acknowledgeDigit: '1' } : {}),
    })
    try {
      const response = await fetch(this.#endpoint, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          authorization: `Bearer ${this.#token}`,
          'content-type': 'application/json',
          'idempotency-key': message.deliveryId,
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      })
      const answer = await response.text()
      // Gateways echo the number back in errors; it must not reach the delivery log.
      if (![200, 201, 202].includes(response.status)) return httpFailure(response.status, response.statusText, answer, [target.phone])
      const parsed = accepted.safeParse(parseJson(answer))
      // The gateway took the message even if its answer is off-contract: report it sent, never send it twice.
      if (!parsed.success) return { outcome: 'sent', providerMessageId: null, providerAnswer: `HTTP ${response.status} (unexpected body)` }
      const { id, status } = parsed.data
      return {
        outcome: status === 'delivered' ? 'delivered' : 'sent',
        providerMessageId: id,
        providerAnswer: `HTTP ${response.status} ${redact(status, [target.phone]).slice(0, 50)}`,
      }
    } catch (error) {
      return requestErrorFailure(error, this.#timeoutMs)
    }
  }
}

const callback = z.object({
  reference: z.string().min(1).max(200),
  id: z.string().min(1).max(200).nullish(),
  status: z.enum(['delivered', 'failed', 'answered', 'no_answer']),
  digits: z.string().regex(/^[0-9*#]{1,32}$/).nullish(),
  detail: z.string().nullish(),
})

export type GatewayCallback = {
  reference: string
  providerMessageId: string | null
  status: 'delivered' | 'failed' | 'answered' | 'no_answer'
  digits: string | null
  detail: string | null
}

/** The body of a gateway callback, or null for anything off-contract. Check the signature before calling this. */
export function parseGatewayCallback(rawBody: string): GatewayCallback | null {
  const parsed = callback.safeParse(parseJson(rawBody))
  if (!parsed.success) return null
  const { reference, id, status, digits, detail } = parsed.data
  return {
    reference,
    providerMessageId: id ?? null,
    status,
    digits: digits ?? null,
    detail: detail == null ? null : redact(detail).slice(0, 200),
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
