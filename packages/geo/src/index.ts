export type LatLon = { lat: number; lon: number }

/** Mean Earth radius (IUGG); the spherical model's error at a district's scale is far below GPS error. */
const EARTH_RADIUS_M = 6_371_008.8

/** Great-circle (haversine) distance in metres: geofences, the nearest responder, the dispatch picker. */
export function distanceMetres(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  // min(1, …) guards asin against rounding just above 1 for antipodal points.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}
