/**
 * Scenario time. A scenario is played `speed` times as fast as it is written: scenario millisecond `s` after
 * the start is wall time `wallStart + s / speed`.
 *
 * Two ways the platform is made to follow:
 * - wall (the default): every service keeps the real clock; the runner divides the durations the platform
 *   is configured with (escalation policy, vital-sign sustain, fall grace) by the speed. Timelines, SLA
 *   figures and the order of events are then exactly what the services recorded.
 * - accelerated: for rules measured in whole minutes and days on the platform's own timers (device offline,
 *   not worn, inactivity, daily contact, weekly device test) nothing can be divided, so ingestion, the alert
 *   service and the devices run on `epochNow()`, a clock that goes `speed` times as fast from `epochStart`.
 *   Escalation and dispatch keep the real clock (their timers fire on the database's clock) with the scaled
 *   policy, so their steps land at the same scenario times.
 */
export class ScenarioClock {
  readonly speed: number
  /** Where the accelerated clock stands at the scenario start (a whole minute, fixed before the start). */
  readonly epochStart: number
  private started: number | null = null

  constructor(speed: number, epochStart = Math.ceil((Date.now() + 90_000) / 60_000) * 60_000) {
    this.speed = speed
    this.epochStart = epochStart
  }

  /** The scenarios start now. Until then the accelerated clock is the wall clock, which is behind epochStart. */
  begin(): void {
    if (Date.now() > this.epochStart) throw new Error('the platform took longer than 90 s to start; the accelerated clock cannot begin')
    this.started = Date.now()
  }

  get wallStart(): number {
    if (this.started === null) throw new Error('the scenario clock has not begun')
    return this.started
  }

  /** Scenario milliseconds since the start, now. */
  elapsed(wall = Date.now()): number {
    return (wall - this.wallStart) * this.speed
  }

  wallAt(offsetMs: number): number {
    return this.wallStart + offsetMs / this.speed
  }

  /** The accelerated clock (accelerated scenarios' ingestion, alert service and devices). */
  epochNow = (): Date => (this.started === null ? new Date() : new Date(this.epochStart + this.elapsed()))

  /** A wall-clock instant (escalation, dispatch; everything in wall mode) as scenario milliseconds. */
  fromWall(at: Date | string | number): number {
    return this.elapsed(new Date(at).getTime())
  }

  /** An accelerated-clock instant (what the alert service stamps in accelerated mode) as scenario ms. */
  fromEpoch(at: Date | string | number): number {
    return new Date(at).getTime() - this.epochStart
  }

  /** Seconds of scenario time as wall seconds (fractions kept). */
  scale(seconds: number): number {
    return seconds / this.speed
  }

  /** For integer settings: whole wall seconds, at least `min`. */
  scaleWhole(seconds: number, min = 1): number {
    return Math.max(min, Math.round(seconds / this.speed))
  }

  async sleepUntil(offsetMs: number): Promise<void> {
    const ms = this.wallAt(offsetMs) - Date.now()
    if (ms > 0) await new Promise(r => setTimeout(r, ms))
  }
}
