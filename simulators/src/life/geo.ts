import type { Rng } from './random.ts'

export type LatLon = { lat: number; lon: number }

const METRES_PER_DEGREE_LAT = 111_320

export function offsetBy(from: LatLon, northM: number, eastM: number): LatLon {
  const metresPerDegreeLon = METRES_PER_DEGREE_LAT * Math.cos((from.lat * Math.PI) / 180)
  return { lat: from.lat + northM / METRES_PER_DEGREE_LAT, lon: from.lon + eastM / metresPerDegreeLon }
}

/** Great-circle distance (haversine), in metres. */
export function distanceM(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h))
}

/** A walk out along a street-like path and back the same way; `outward` starts at home. */
export type Route = { outward: LatLon[]; reachM: number }

const ROUTE_POINTS = 12

/**
 * A path that heads away on one bearing with a gentle sideways wander (at most 5 % of the reach), so the
 * farthest point is the turning point and its distance from home is, within a few metres, `reachM`.
 */
export function outAndBack(home: LatLon, reachM: number, rng: Rng): Route {
  const bearing = rng.between(0, 2 * Math.PI)
  const sway = rng.between(-0.05, 0.05) * reachM
  const bends = rng.int(1, 3)
  const outward = Array.from({ length: ROUTE_POINTS }, (_, i) => {
    const along = (i / (ROUTE_POINTS - 1)) * reachM
    const side = sway * Math.sin((Math.PI * bends * i) / (ROUTE_POINTS - 1))
    return offsetBy(home, along * Math.cos(bearing) - side * Math.sin(bearing), along * Math.sin(bearing) + side * Math.cos(bearing))
  })
  return { outward, reachM }
}

/** Where the walker is after `fraction` (0 to 1) of the whole round trip: out for the first half, back after. */
export function positionAlong(route: Route, fraction: number): LatLon {
  const leg = Math.min(1, Math.max(0, fraction < 0.5 ? fraction * 2 : (1 - fraction) * 2))
  const exact = leg * (route.outward.length - 1)
  const i = Math.min(route.outward.length - 2, Math.floor(exact))
  const a = route.outward[i]!
  const b = route.outward[i + 1]!
  const f = exact - i
  return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f }
}
