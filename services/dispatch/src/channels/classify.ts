/**
 * The one place that decides "try again" or "give up" for a provider's answer, so every channel retries the
 * same things: a busy or broken provider (HTTP 408/425/429/5xx, SMTP 4xx, network errors, timeouts) is
 * retryable; a refusal of this message (other HTTP 4xx, SMTP 5xx) is permanent.
 * The answer is kept short and human-readable for the delivery log, with contact details taken out: a
 * provider may echo the address or number, and those must never reach a log.
 */
import type { SendResult } from './channel.ts'

export type SendFailure = Extract<SendResult, { outcome: 'failed' }>

const SNIPPET_CHARS = 200

export function failure(retryable: boolean, providerAnswer: string): SendFailure {
  return { outcome: 'failed', retryable, providerAnswer }
}

/** Replaces the given contact details, and anything shaped like an e-mail address or a phone number. */
export function redact(text: string, contacts: readonly string[] = []): string {
  let out = text
  for (const contact of contacts) if (contact !== '') out = out.replaceAll(contact, '<recipient>')
  return out
    .replace(/[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g, '<address>')
    .replace(/\+?\d[\d ()-]{5,}\d/g, '<number>')
}

function snippet(text: string, contacts: readonly string[]): string {
  return redact(text.replace(/\s+/g, ' ').trim(), contacts).slice(0, SNIPPET_CHARS)
}

export function isRetryableHttpStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500
}

/** A non-2xx HTTP answer. 3xx lands here too (we never follow redirects): a moved endpoint is a configuration error. */
export function httpFailure(status: number, statusText: string, body = '', contacts: readonly string[] = []): SendFailure {
  const head = statusText === '' ? `HTTP ${status}` : `HTTP ${status} ${statusText}`
  const text = snippet(body, contacts)
  return failure(isRetryableHttpStatus(status), text === '' ? head : `${head}: ${text}`)
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = error; e !== null && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e)
  return chain
}

function isTimeout(error: unknown): boolean {
  return causes(error).some(e => (e as { name?: unknown }).name === 'TimeoutError')
}

/** The errno-style code (ECONNREFUSED, ENOTFOUND...) rather than the message, which may name the host or URL. */
function errorCode(error: unknown): string {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return code
  }
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : 'unknown error'
}

/** fetch rejected: no HTTP answer at all, so the provider may simply be unreachable for now. */
export function requestErrorFailure(error: unknown, timeoutMs: number): SendFailure {
  if (isTimeout(error)) return failure(true, `timeout after ${timeoutMs} ms`)
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return failure(true, 'aborted before the provider answered')
  return failure(true, `network error: ${errorCode(error)}`)
}

type SmtpError = { code?: unknown; originalCode?: unknown; responseCode?: unknown; response?: unknown }

/** Nodemailer errors that no retry can fix: the message or its envelope is invalid, or the setup is. */
const PERMANENT_SMTP_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS', 'ECONFIG', 'EREQUIRETLS'])

export function smtpFailure(error: unknown, timeoutMs: number, contacts: readonly string[] = []): SendFailure {
  const e = (error ?? {}) as SmtpError
  if (typeof e.responseCode === 'number') {
    const response = typeof e.response === 'string' && e.response !== '' ? e.response : String(e.responseCode)
    // RFC 5321: 5yz is a permanent refusal, 4yz a transient one; 503 (bad sequence of commands) reports the
    // session's state, not a verdict on the message, so a new connection can succeed.
    const permanent = e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503
    return failure(!permanent, `SMTP ${snippet(response, contacts)}`)
  }
  if (isTimeout(error) || e.code === 'ETIMEDOUT') return failure(true, `timeout after ${timeoutMs} ms`)
  if (e.code === 'EABORT') return failure(true, 'aborted before the SMTP server answered')
  if (typeof e.code === 'string' && PERMANENT_SMTP_CODES.has(e.code)) return failure(false, `SMTP error ${e.code}`)
  // Nodemailer wraps socket errors as ESOCKET and keeps the telling one (ECONNREFUSED...) in originalCode.
  const code = typeof e.originalCode === 'string' ? e.originalCode : errorCode(error)
  return failure(true, `SMTP connection error: ${code}`)
}
