import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Session, SessionUser } from '../domain/session-user.ts'

export type SessionTimes = { idleSeconds: number; maxSeconds: number }

/**
 * Sessions live in Redis under the SHA-256 of their id, so a read of Redis does not hand out usable cookies.
 * A session expires after `idleSeconds` without a request (a console left open at an empty desk) and in any
 * case `maxSeconds` after sign-in (a shift).
 */
export class SessionStore {
  private readonly redis: Redis
  private readonly prefix: string
  private readonly times: SessionTimes

  constructor(redis: Redis, prefix: string, times: SessionTimes) {
    this.redis = redis
    this.prefix = prefix
    this.times = times
  }

  async create(user: SessionUser, now: Date): Promise<Session> {
    const id = randomBytes(32).toString('base64url')
    const session: Session = {
      id, user, csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + this.times.maxSeconds * 1000).toISOString(),
    }
    const stored = { ...session, id: undefined }
    await this.redis.multi().set(this.key(id), JSON.stringify(stored), 'EX', this.times.idleSeconds).sadd(this.staffKey(user.staffId), this.digest(id)).exec()
    return session
  }

  /** The live session for a cookie value, its idle timer restarted; null when unknown or expired. */
  async touch(id: string, now: Date): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null
    const raw = await this.redis.get(this.key(id))
    if (!raw) return null
    const session = { ...(JSON.parse(raw) as Omit<Session, 'id'>), id }
    const remaining = Math.floor((Date.parse(session.expiresAt) - now.getTime()) / 1000)
    if (remaining <= 0) {
      await this.destroy(id, session.user.staffId)
      return null
    }
    await this.redis.expire(this.key(id), Math.min(this.times.idleSeconds, remaining))
    return session
  }

  async destroy(id: string, staffId: string): Promise<void> {
    await this.redis.multi().del(this.key(id)).srem(this.staffKey(staffId), this.digest(id)).exec()
  }

  /** Signs a person out everywhere (account disabled, password changed). */
  async destroyAllOf(staffId: string): Promise<void> {
    const digests = await this.redis.smembers(this.staffKey(staffId))
    const multi = this.redis.multi()
    for (const d of digests) multi.del(`${this.prefix}console:session:${d}`)
    await multi.del(this.staffKey(staffId)).exec()
  }

  private digest(id: string): string {
    return createHash('sha256').update(id).digest('base64url')
  }

  private key(id: string): string {
    return `${this.prefix}console:session:${this.digest(id)}`
  }

  private staffKey(staffId: string): string {
    return `${this.prefix}console:sessions-of:${staffId}`
  }
}
