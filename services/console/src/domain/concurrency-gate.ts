/**
 * At most `limit` jobs at once, at most `queue` waiting; beyond that `run` refuses at once (null). Password
 * checks cost 64 MiB and tens of milliseconds each: without a gate, a burst of sign-in attempts would exhaust
 * memory and CPU, and the operators already signed in would feel it.
 */
export class ConcurrencyGate {
  private readonly limit: number
  private readonly queue: number
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(options: { limit: number; queue: number }) {
    this.limit = options.limit
    this.queue = options.queue
  }

  async run<T>(job: () => Promise<T>): Promise<T | null> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queue) return null
      await new Promise<void>(resolve => this.waiting.push(resolve))
    } else {
      this.running++
    }
    try {
      return await job()
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}
