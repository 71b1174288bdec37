import { pbkdf2Sync, randomBytes } from 'node:crypto'

/**
 * Mosquitto 2's password-file hash: `$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512>`, the format
 * `mosquitto_passwd` writes. Producing it here lets the registry hold device credentials as hashes only and
 * render the broker's password file from them.
 */
const ITERATIONS = 101

export function mosquittoPasswordHash(password: string, salt: Buffer = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512')
  return `$7$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`
}

export function verifyMosquittoPassword(password: string, stored: string): boolean {
  const [, kind, iterations, salt, hash] = stored.split('$')
  if (kind !== '7' || !iterations || !salt || !hash) return false
  const computed = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 64, 'sha512')
  return computed.toString('base64') === hash
}
