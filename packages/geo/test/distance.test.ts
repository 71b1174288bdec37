import t from 'tap'
import { distanceMetres } from '../src/index.ts'

t.test('haversine distances', async t => {
  t.equal(distanceMetres({ lat: 31.23, lon: 121.47 }, { lat: 31.23, lon: 121.47 }), 0, 'the same point')
  // One degree of latitude on the mean sphere: 2πR/360.
  t.ok(Math.abs(distanceMetres({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }) - 111195.08) < 0.01)
  // People's Square to the Bund, Shanghai: about 1.6 km.
  const d = distanceMetres({ lat: 31.2304, lon: 121.4737 }, { lat: 31.2400, lon: 121.4900 })
  t.ok(d > 1800 && d < 1950, `${d}`)
  t.equal(distanceMetres({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }), Math.PI * 6_371_008.8, 'antipodes stay finite')
})
