import { MINUTE_MS } from './local-time.ts'
import type { LifeRates } from './rates.ts'
import type { Rng } from './random.ts'

/** A stretch when a device cannot reach the broker: it keeps what it says and sends it on reconnecting. */
export type Outage = { deviceId: string; from: number; until: number }

/** One device's drop-outs on one day, kept apart and within the day so each day stands alone. */
export function plannedOutages(deviceId: string, rates: LifeRates, dayStart: number, dayEnd: number, rng: Rng): Outage[] {
  const outages: Outage[] = []
  const starts = Array.from({ length: rng.poisson(rates.dropoutsPerDay) }, () => Math.round(rng.between(dayStart, dayEnd))).sort((a, b) => a - b)
  for (const from of starts) {
    const until = Math.min(dayEnd - 1, from + Math.round(rng.between(rates.dropoutMinutes[0], rates.dropoutMinutes[1]) * MINUTE_MS))
    const previous = outages.at(-1)
    if (previous && from <= previous.until) previous.until = Math.max(previous.until, until)
    else outages.push({ deviceId, from, until })
  }
  return outages.filter(o => o.until > o.from)
}

/** When a message said at `at` actually leaves the device: at once, or when its outage ends. */
export function deliveryTime(outages: readonly Outage[], at: number): number {
  return outages.find(o => o.from <= at && at < o.until)?.until ?? at
}
