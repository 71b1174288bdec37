import argon2 from 'argon2'

/**
 * argon2id with the library's defaults (64 MiB, 3 passes): the OWASP-recommended password hash. The options
 * travel inside the hash, so raising them later still verifies old hashes.
 */
export async function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id })
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain)
  } catch {
    return false
  }
}

// Verified against when the username does not exist, so an unknown name costs as long as a wrong password
// and the answer time does not reveal which usernames exist.
let decoy: Promise<string> | null = null
export async function verifyAgainstDecoy(plain: string): Promise<false> {
  decoy ??= hashPassword('decoy-password-that-matches-nothing')
  await verifyPassword(await decoy, plain)
  return false
}
