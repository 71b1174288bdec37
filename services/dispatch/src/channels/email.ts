/**
 * E-mail through an SMTP relay with nodemailer. The relay accepting the message is "sent", not "delivered":
 * mailbox delivery happens later and out of our sight. The Message-ID is derived from the delivery id, so a
 * retried send carries the same Message-ID and mail clients and relays can recognise the repeat.
 */
import { createTransport } from 'nodemailer'
import type { Mail } from 'nodemailer'
import type { NotificationChannel, OutgoingMessage, SendResult } from './channel.ts'
import { failure, redact, smtpFailure } from './classify.ts'

export type EmailChannelOptions = {
  /** smtp://user:pass@host:port, or smtps:// for implicit TLS. */
  smtpUrl: string
  from: string
  timeoutMs?: number
  pool?: boolean
}

export class EmailChannel implements NotificationChannel {
  readonly name = 'email'
  readonly #transport: Mail
  readonly #from: string
  readonly #timeoutMs: number

  constructor({ smtpUrl, from, timeoutMs = 10000, pool = true }: EmailChannelOptions) {
    this.#from = from
    this.#timeoutMs = timeoutMs
    this.#transport = createTransport({
      url: smtpUrl,
      pool,
      // Nodemailer waits minutes by default; an alarm cannot.
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    })
  }

  async send(message: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    const { target } = message
    if (target.channel !== 'email') return failure(false, `not an email target: ${target.channel}`)
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to: target.email,
        subject: message.subject,
        text: message.text,
        html: toHtml(message.text, message.link, message.locale),
        messageId: messageIdOf(message.deliveryId),
        headers: { 'X-Anxin-Delivery': message.deliveryId },
        priority: message.urgent ? 'high' : 'normal',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      })
      const response = typeof info.response === 'string' ? redact(info.response, [target.email]) : 'SMTP accepted'
      return { outcome: 'sent', providerMessageId: info.messageId, providerAnswer: response }
    } catch (error) {
      return smtpFailure(error, this.#timeoutMs, [target.email])
    }
  }

  async close(): Promise<void> {
    this.#transport.close()
  }
}

/**
 * `<deliveryId@anxin.local>`. Characters a Message-ID may not hold (a ':' in `alarm:escalate:1`, spaces,
 * non-ASCII) are written as =XX per UTF-8 byte, so distinct delivery ids keep distinct Message-IDs.
 */
export function messageIdOf(deliveryId: string): string {
  const local = deliveryId.replace(/[^A-Za-z0-9_-]/gu, char =>
    [...Buffer.from(char, 'utf8')].map(byte => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  )
  return `<${local}@anxin.local>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

/** The plain text as paragraphs, with the action link made clickable. */
function toHtml(text: string, link: string | null, locale: string): string {
  let body = escapeHtml(text)
    .split(/\n{2,}/)
    .map(paragraph => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('\n')
  if (link !== null) {
    const href = escapeHtml(link)
    const anchor = `<a href="${href}">${href}</a>`
    body = body.includes(href) ? body.replaceAll(href, anchor) : `${body}\n<p>${anchor}</p>`
  }
  return `<!doctype html>\n<html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"></head><body>\n${body}\n</body></html>\n`
}
