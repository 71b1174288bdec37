// A small seeded pseudo-random generator for the demo seed. The seed must reproduce byte for byte on every
// machine and Node version, so nothing here may touch Math.random, the clock or the locale.

export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  /** Picks a value with probability proportional to its weight; weights need not sum to 1. */
  weightedPick<T>(entries: ReadonlyArray<readonly [T, number]>): T
  chance(p: number): boolean
  normal(mean: number, sd: number): number
  /** A shuffled copy (Fisher-Yates); the input is left alone. */
  shuffle<T>(items: readonly T[]): T[]
  /**
   * An independent stream named by a label. Giving each resident (and each phase) its own stream keeps a
   * record stable when an unrelated part of the generator draws more or fewer numbers.
   */
  fork(label: string): Random
}

/** FNV-1a over the label's UTF-16 code units, mixed with the parent seed: a cheap, stable 32-bit hash. */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  // A final avalanche so that labels differing in one character give unrelated streams.
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b) >>> 0
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0
  hash ^= hash >>> 16
  return hash >>> 0
}

/** mulberry32: 32 bits of state, full period 2^32, good enough for demo data and trivially portable. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`)
  const rootSeed = Math.trunc(seed) >>> 0
  const next = mulberry32(rootSeed)

  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): need integers with min <= max`)
    }
    return min + Math.floor(next() * (max - min + 1))
  }

  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick from an empty array')
    return items[Math.floor(next() * items.length)] as T
  }

  const weightedPick = <T>(entries: ReadonlyArray<readonly [T, number]>): T => {
    let total = 0
    for (const [, weight] of entries) {
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`weight must be finite and >= 0, got ${weight}`)
      total += weight
    }
    if (total <= 0) throw new RangeError('weightedPick needs at least one positive weight')
    let target = next() * total
    for (const [value, weight] of entries) {
      if (target < weight) return value
      target -= weight
    }
    // Floating-point leftovers can walk past the end; the last positive entry is the right answer then.
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!
      if (entry[1] > 0) return entry[0]
    }
    throw new Error('unreachable')
  }

  const chance = (p: number): boolean => next() < p

  // Box-Muller; 1 - next() keeps the logarithm's argument in (0, 1].
  const normal = (mean: number, sd: number): number => {
    const u = 1 - next()
    const v = next()
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = items.slice()
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      const tmp = copy[i] as T
      copy[i] = copy[j] as T
      copy[j] = tmp
    }
    return copy
  }

  const fork = (label: string): Random => createRandom(deriveSeed(rootSeed, label))

  return { next, int, pick, weightedPick, chance, normal, shuffle, fork }
}
