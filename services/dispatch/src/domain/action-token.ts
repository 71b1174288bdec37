/**
 * Signed, expiring action links (sent by SMS, e-mail, push) and the responder sessions they open. Whether a
 * link was already used is the database's business (single use on tokenId), not this module's.
 *
 * Format: `<kind>.<payload>.<signature>`, URL-safe, where
 * - kind is 'l1' for a link and 's1' for a session; it is signed with the payload, so a session can never be
 *   passed off as a link or the reverse ('wrong_kind'), and rewriting the kind breaks the signature;
 * - payload is base64url of compact JSON with one-letter keys (t tokenId, s sessionId, a alarmId,
 *   r [recipient kind, recipient id], p purpose, e expiry in epoch ms): links go out by SMS, where every
 *   character counts;
 * - signature is base64url(HMAC-SHA256(secret, `${kind}.${payload}`)).
 *
 * Keys: the first secret signs, any listed secret verifies, so a key is rotated by putting the new one first
 * and dropping the old one once its links have expired. An empty list or a secret under 32 characters throws
 * (a weak key must fail at boot: call assertSigningSecrets there).
 *
 * Verification checks, in order: shape ('malformed': not three base64url parts, unknown kind, longer than
 * MAX_TOKEN_LENGTH), signature ('bad_signature', compared in constant time), kind ('wrong_kind', reported for
 * authentic tokens only), claims ('malformed': payload not JSON of the expected shape), expiry ('expired':
 * at expiresAt or later). The payload is only parsed once its signature is known good.
 * expiresAt comes back normalised to UTC with milliseconds ('2025-06-01T12:00:00.000Z').
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

export type LinkPurpose = 'alarm' | 'task_offer' | 'family_update'
export type Recipient = { kind: 'staff' | 'contact'; id: string }
export type LinkClaims = { tokenId: string; alarmId: string; recipient: Recipient; purpose: LinkPurpose; expiresAt: string }
export type SessionClaims = { sessionId: string; tokenId: string; alarmId: string; recipient: Recipient; expiresAt: string }
export type VerifyFailure = { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_kind' }

export const MIN_SECRET_LENGTH = 32
/** Far above any real token (about 300 characters); anything longer is refused before any hashing. */
export const MAX_TOKEN_LENGTH = 2048

const LINK = 'l1'
const SESSION = 's1'
const CSRF = 'c1'
type Kind = typeof LINK | typeof SESSION

const id = z.string().min(1).max(200)
const recipientWire = z.tuple([z.enum(['staff', 'contact']), id])
const expiryWire = z.number().int().min(0).max(8.64e15)
const linkWire = z.object({ t: id, a: id, r: recipientWire, p: z.enum(['alarm', 'task_offer', 'family_update']), e: expiryWire })
const sessionWire = z.object({ s: id, t: id, a: id, r: recipientWire, e: expiryWire })

/** Throws unless there is at least one secret and every secret is long enough. */
export function assertSigningSecrets(secrets: readonly string[]): void {
  if (!Array.isArray(secrets) || secrets.length === 0) throw new RangeError('at least one signing secret is required')
  for (const [i, secret] of secrets.entries()) {
    // The message names the position, never the secret.
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new RangeError(`signing secret #${i + 1} must be at least ${MIN_SECRET_LENGTH} characters`)
    }
  }
}

export function signLink(claims: LinkClaims, secrets: readonly string[]): string {
  assertSigningSecrets(secrets)
  const wire = {
    t: claims.tokenId,
    a: claims.alarmId,
    r: [claims.recipient.kind, claims.recipient.id],
    p: claims.purpose,
    e: parseInstant(claims.expiresAt),
  }
  return sign(LINK, checked(linkWire, wire, 'link'), secrets)
}

export function verifyLink(token: string, secrets: readonly string[], now: string): { ok: true; claims: LinkClaims } | VerifyFailure {
  const opened = open(token, LINK, secrets, now, linkWire)
  if (!opened.ok) return opened
  const w = opened.wire
  const claims: LinkClaims = { tokenId: w.t, alarmId: w.a, recipient: { kind: w.r[0], id: w.r[1] }, purpose: w.p, expiresAt: iso(w.e) }
  return { ok: true, claims }
}

export function signSession(claims: SessionClaims, secrets: readonly string[]): string {
  assertSigningSecrets(secrets)
  const wire = {
    s: claims.sessionId,
    t: claims.tokenId,
    a: claims.alarmId,
    r: [claims.recipient.kind, claims.recipient.id],
    e: parseInstant(claims.expiresAt),
  }
  return sign(SESSION, checked(sessionWire, wire, 'session'), secrets)
}

export function verifySession(token: string, secrets: readonly string[], now: string): { ok: true; claims: SessionClaims } | VerifyFailure {
  const opened = open(token, SESSION, secrets, now, sessionWire)
  if (!opened.ok) return opened
  const w = opened.wire
  const claims: SessionClaims = { sessionId: w.s, tokenId: w.t, alarmId: w.a, recipient: { kind: w.r[0], id: w.r[1] }, expiresAt: iso(w.e) }
  return { ok: true, claims }
}

/**
 * The anti-CSRF token of a session: an HMAC of its id, so the server keeps no state for it and it cannot be
 * forged without the key. Domain-separated ('c1.') from token signatures.
 */
export function csrfToken(sessionId: string, secrets: readonly string[]): string {
  assertSigningSecrets(secrets)
  if (typeof sessionId !== 'string' || sessionId === '') throw new RangeError('csrfToken needs a session id')
  return mac(secrets[0] as string, `${CSRF}.${sessionId}`)
}

export function verifyCsrf(sessionId: string, token: string, secrets: readonly string[]): boolean {
  assertSigningSecrets(secrets)
  if (typeof sessionId !== 'string' || sessionId === '' || typeof token !== 'string') return false
  return secrets.some(secret => sameText(mac(secret, `${CSRF}.${sessionId}`), token))
}

// --- internals --------------------------------------------------------------------------------------------

const BASE64URL = /^[A-Za-z0-9_-]+$/

function sign(kind: Kind, wire: object, secrets: readonly string[]): string {
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url')
  return `${kind}.${payload}.${mac(secrets[0] as string, `${kind}.${payload}`)}`
}

function open<T extends { e: number }>(
  token: string,
  expected: Kind,
  secrets: readonly string[],
  now: string,
  schema: z.ZodType<T>,
): { ok: true; wire: T } | VerifyFailure {
  assertSigningSecrets(secrets)
  const nowMs = parseInstant(now)
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return fail('malformed')
  const parts = token.split('.')
  if (parts.length !== 3) return fail('malformed')
  const [kind, payload, signature] = parts as [string, string, string]
  if ((kind !== LINK && kind !== SESSION) || !BASE64URL.test(payload) || !BASE64URL.test(signature)) return fail('malformed')

  // Compared as text: base64url has several spellings of the same bytes, and only the canonical one is valid.
  if (!secrets.some(secret => sameText(mac(secret, `${kind}.${payload}`), signature))) return fail('bad_signature')
  if (kind !== expected) return fail('wrong_kind')

  let json: unknown
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return fail('malformed')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) return fail('malformed')
  if (nowMs >= parsed.data.e) return fail('expired')
  return { ok: true, wire: parsed.data }
}

const CLAIM_NAMES: Record<string, string> = { t: 'tokenId', s: 'sessionId', a: 'alarmId', r: 'recipient', p: 'purpose', e: 'expiresAt' }

/** Claims that would not verify must not be signed: a programming error, thrown as such. */
function checked<T>(schema: z.ZodType<T>, wire: unknown, what: string): T {
  const parsed = schema.safeParse(wire)
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map(issue => CLAIM_NAMES[String(issue.path[0])] ?? '(claims)'))].join(', ')
    throw new RangeError(`invalid ${what} claims: ${fields}`)
  }
  return parsed.data
}

function mac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data, 'utf8').digest('base64url')
}

/** Constant-time for equal lengths; a length mismatch (public: every MAC is 43 characters) returns at once. */
function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

function fail(reason: VerifyFailure['reason']): VerifyFailure {
  return { ok: false, reason }
}

// An ISO string without an offset would be read in the process's own zone: a hidden input, so it is refused.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

function parseInstant(value: string): number {
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) ? Date.parse(value) : NaN
  if (!Number.isFinite(ms)) throw new RangeError(`expected an ISO instant with an offset, got ${JSON.stringify(value)}`)
  return ms
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
