/**
 * The one HMAC scheme for HTTP bodies we send (webhooks) and receive (provider callbacks):
 * `x-anxin-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC so an old request cannot be replayed with a fresh time; several `v1=`
 * entries are allowed so a sender can sign with the old and the new secret while a secret is rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'stale' }

function mac(secret: string, timestampSeconds: number, rawBody: string): Buffer {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest()
}

export function signatureHeader(secret: string, rawBody: string, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds)
  return `t=${t},v1=${mac(secret, t, rawBody).toString('hex')}`
}

export function verifySignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' }
  let t: number | null = null
  const candidates: Buffer[] = []
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=')
    if (value === undefined || rest.length > 0) return { ok: false, reason: 'malformed' }
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || t !== null) return { ok: false, reason: 'malformed' }
      t = Number(value)
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return { ok: false, reason: 'malformed' }
      candidates.push(Buffer.from(value, 'hex'))
    }
    // Unknown keys (a future v2=) are ignored, so a new scheme can be added next to v1.
  }
  if (t === null || candidates.length === 0) return { ok: false, reason: 'malformed' }
  const expected = mac(secret, t, rawBody)
  if (!candidates.some(candidate => timingSafeEqual(candidate, expected))) return { ok: false, reason: 'bad_signature' }
  // Checked after the MAC: "stale" then means a genuine request replayed or delayed, not a forgery.
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: 'stale' }
  return { ok: true }
}
