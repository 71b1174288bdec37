import { createHash } from 'node:crypto'
import { z } from 'zod'

/** Device ids appear inside MQTT topics and usernames, so they must never contain `/`, `+` or `#`. */
export const deviceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, 'device id: 3-64 letters, digits, "-" or "_"')

/** A device's own id for one message: unique per device, reused verbatim on every retry of that message. */
export const deviceMessageIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, 'message id: printable ASCII without spaces')

const EVENT_NAMESPACE = '6f1c7a52-3d0e-4b8a-9c1e-5a2f4e7b9d10'

/**
 * A name-based (RFC 9562 version 5) UUID. The same device message always yields the same event id, so a
 * retried or redelivered message can be recognised everywhere downstream (unique constraints, dedupe keys).
 */
export function nameBasedUuid(name: string, namespace: string = EVENT_NAMESPACE): string {
  const namespaceBytes = Buffer.from(namespace.replaceAll('-', ''), 'hex')
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest()
  const bytes = hash.subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function deviceEventId(deviceId: string, messageId: string): string {
  return nameBasedUuid(`device-message\n${deviceId}\n${messageId}`)
}
