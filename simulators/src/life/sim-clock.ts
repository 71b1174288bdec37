/**
 * Simulated time that runs `speed` times faster than the wall clock from a chosen starting instant. Both
 * directions are needed: "what time is it in the simulation" and "when on the wall clock is this moment due".
 */
export type SimClock = { simulatedNow(wallNow: number): number; wallTimeOf(simulated: number): number }

export function simClock(simulatedStart: number, wallStart: number, speed: number): SimClock {
  if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`)
  return {
    simulatedNow: wallNow => simulatedStart + (wallNow - wallStart) * speed,
    wallTimeOf: simulated => wallStart + (simulated - simulatedStart) / speed,
  }
}
