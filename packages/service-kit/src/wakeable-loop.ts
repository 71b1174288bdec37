/**
 * Runs `step` over and over: again at once while it reports work done, otherwise after `idleMs` or as soon as
 * someone calls `kick()` (new work committed). A failing step is retried after a growing pause, so a database
 * restart slows the loop down instead of spinning or stopping it. `stop()` waits for the running step.
 */
export class WakeableLoop {
  private readonly step: () => Promise<boolean>
  private readonly idleMs: number
  private readonly onError: (error: unknown, failures: number) => void
  private wake: (() => void) | null = null
  private kicked = false
  private running = false
  private loop: Promise<void> | null = null

  constructor(options: { step: () => Promise<boolean>; idleMs: number; onError: (error: unknown, failures: number) => void }) {
    this.step = options.step
    this.idleMs = options.idleMs
    this.onError = options.onError
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  kick(): void {
    this.kicked = true
    this.wake?.()
  }

  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
  }

  private async run(): Promise<void> {
    let failures = 0
    while (this.running) {
      this.kicked = false
      let pause = this.idleMs
      try {
        const didWork = await this.step()
        failures = 0
        if (didWork) continue
      } catch (error) {
        failures++
        this.onError(error, failures)
        pause = Math.min(5000, 100 * 2 ** Math.min(failures, 6))
      }
      // Stopped while the step ran: stop() is waiting for this loop, not for the idle period (it was 60 s).
      if (!this.running) break
      // A kick that arrived while the step ran must not wait for the next idle period.
      if (this.kicked && failures === 0) continue
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, pause)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }
}
