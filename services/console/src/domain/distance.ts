export type Position = { lat: number; lon: number }

const EARTH_RADIUS_M = 6371008.8

/** Great-circle distance (haversine): at a district's scale it is within centimetres of the ellipsoid's. */
export function distanceMetres(a: Position, b: Position): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}
