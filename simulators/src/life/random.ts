import { seededRandom } from '../vitals-model.ts'

/** Draws from one seeded stream; every helper consumes the stream, so call order is part of the output. */
export type Rng = {
  next(): number
  between(min: number, max: number): number
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number
  chance(p: number): boolean
  normal(mean: number, sd: number): number
  /** How many times an event with this mean rate happens in one period (Knuth; rates here are small). */
  poisson(mean: number): number
  pick<T>(items: readonly T[]): T
}

/**
 * A stream named by the run's seed and a path of labels (resident, day, purpose). Naming each stream keeps
 * one resident's day stable when another resident, another day or another purpose draws more numbers.
 */
export function rngFor(seed: number, ...labels: ReadonlyArray<string | number>): Rng {
  const next = seededRandom(labelSeed(seed, labels.join('/')))
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: p => next() < p,
    normal: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    poisson: mean => {
      const limit = Math.exp(-mean)
      let count = 0
      for (let product = next(); product > limit; product *= next()) count++
      return count
    },
    pick: items => items[Math.floor(next() * items.length)]!,
  }
}

/** FNV-1a of the label mixed with the seed, then an avalanche so near-identical labels give unrelated seeds. */
export function labelSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193) >>> 0
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0
  return (hash ^ (hash >>> 16)) >>> 0
}
