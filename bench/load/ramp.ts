import type { StepResult } from './platform-under-load.ts'

/**
 * Whether the platform kept up with a step: the generator held the rate (else the generator, not the platform,
 * was the limit), nothing is missing, and the backlog cleared within a second of the last send (consumer lag
 * stayed bounded). A step that drains later was absorbed as a burst, not sustained.
 */
export function keptUp(step: StepResult): boolean {
  return step.sendFailed === 0 && step.behind === 0 && step.generatorMsgsPerS >= step.targetMsgsPerS * 0.95 && step.drainSeconds <= 1
}

/**
 * Steps the rate up until the platform falls behind, then holds the best rate it kept up with for
 * `holdSeconds` (a short step can be absorbed by buffers; a minute cannot). If the hold fails, the rate
 * 10 % lower is held instead, once. Returns every step in order and the held one, if any.
 */
export async function rampAndHold(
  step: (rate: number, seconds: number) => Promise<StepResult>,
  options: { rates: number[]; rampSeconds: number; holdSeconds: number },
  onStep: (s: StepResult) => void = () => {},
): Promise<{ steps: StepResult[]; held: StepResult | null }> {
  const steps: StepResult[] = []
  let best: number | null = null
  for (const rate of options.rates) {
    const s = await step(rate, options.rampSeconds)
    steps.push(s)
    onStep(s)
    if (!keptUp(s)) break
    best = rate
  }
  if (best === null) return { steps, held: null }
  for (const rate of [best, Math.round((best * 0.9) / 100) * 100]) {
    const s = await step(rate, options.holdSeconds)
    steps.push(s)
    onStep(s)
    if (keptUp(s)) return { steps, held: s }
  }
  return { steps, held: null }
}
