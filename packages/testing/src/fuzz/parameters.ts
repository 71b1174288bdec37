import type fc from 'fast-check'

/** The seed every property test and fuzz run uses unless FUZZ_SEED names another (to explore, or to replay a CI failure). */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261122

/**
 * fast-check parameters for a property: a fixed seed, so a run is reproducible and a failure reports the seed
 * and counterexample path to replay it, and a run count sized for a busy 2-core machine.
 * FUZZ_RUNS_FACTOR scales every run count (e.g. 10 for a long soak).
 */
export function fuzzParameters<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const factor = process.env.FUZZ_RUNS_FACTOR ? Number(process.env.FUZZ_RUNS_FACTOR) : 1
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * factor)), ...extra }
}
