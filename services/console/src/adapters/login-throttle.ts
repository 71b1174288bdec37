import type { Redis } from 'ioredis'

export type ThrottleLimits = { perUsername: number; perAddress: number; windowSeconds: number }
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/**
 * Failed sign-ins counted in Redis per username and per client address over a window. A username with too
 * many failures is locked for the rest of the window whatever the password (guessing one account), and so is
 * an address (guessing many). Shared by every console instance, so a second instance is no way around it.
 */
export class LoginThrottle {
  private readonly redis: Redis
  private readonly prefix: string
  private readonly limits: ThrottleLimits

  constructor(redis: Redis, prefix: string, limits: ThrottleLimits) {
    this.redis = redis
    this.prefix = prefix
    this.limits = limits
  }

  async check(username: string, address: string): Promise<ThrottleVerdict> {
    const keys = this.keys(username, address)
    const [user, addr] = await this.redis.mget(keys.user, keys.address)
    const blocked = Number(user ?? 0) >= this.limits.perUsername ? keys.user : Number(addr ?? 0) >= this.limits.perAddress ? keys.address : null
    if (!blocked) return { allowed: true }
    const ttl = await this.redis.ttl(blocked)
    return { allowed: false, retryAfterSeconds: ttl > 0 ? ttl : this.limits.windowSeconds }
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address)
    const multi = this.redis.multi()
    for (const key of [keys.user, keys.address]) {
      multi.incr(key)
      // NX: the window starts at the first failure and is not extended by later ones.
      multi.expire(key, this.limits.windowSeconds, 'NX')
    }
    await multi.exec()
  }

  async recordSuccess(username: string): Promise<void> {
    await this.redis.del(this.keys(username, '').user)
  }

  private keys(username: string, address: string): { user: string; address: string } {
    return { user: `${this.prefix}console:login-fail:user:${username.toLowerCase()}`, address: `${this.prefix}console:login-fail:addr:${address}` }
  }
}
