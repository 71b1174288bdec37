// A position on a Leaflet map. Tiles come from the deployment's `mapTileUrl` (many sites have no internet
// map provider or block it); with none, or when tiles fail, the marker sits on a plain background and the
// coordinates plus a link to an online map are always shown, so the page never depends on the tiles.
import L from 'leaflet'
import { useEffect, useRef, useState } from 'preact/hooks'
import { useI18n } from '../i18n/i18n.tsx'
import { coords, mapLink } from '../lib/format.ts'

export function LocationMap({ lat, lon, accuracyM, tileUrl, caption, height = 240 }: {
  lat: number
  lon: number
  accuracyM?: number | null
  tileUrl: string | null
  caption?: string
  height?: number
}) {
  const tr = useI18n()
  const box = useRef<HTMLDivElement>(null)
  const [tilesFailed, setTilesFailed] = useState(false)

  useEffect(() => {
    const el = box.current
    if (el === null) return
    setTilesFailed(false)
    let map: L.Map | null = null
    try {
      map = L.map(el, { attributionControl: tileUrl !== null, scrollWheelZoom: false }).setView([lat, lon], 16)
      if (tileUrl !== null) {
        let failures = 0
        const layer = L.tileLayer(tileUrl, { maxZoom: 19, attribution: '' })
        layer.on('tileerror', () => {
          failures += 1
          if (failures >= 2) setTilesFailed(true)
        })
        layer.addTo(map)
      }
      if (accuracyM !== null && accuracyM !== undefined && accuracyM > 0) {
        L.circle([lat, lon], { radius: accuracyM, color: '#1f6fb2', weight: 1, fillOpacity: 0.12 }).addTo(map)
      }
      L.circleMarker([lat, lon], { radius: 9, color: '#ffffff', weight: 3, fillColor: '#b42318', fillOpacity: 1 }).addTo(map)
    } catch {
      setTilesFailed(true)
    }
    return () => {
      map?.remove()
    }
  }, [lat, lon, accuracyM, tileUrl])

  return (
    <div class="location" data-testid="location-map">
      <div ref={box} class={`map ${tileUrl === null || tilesFailed ? 'map-plain' : ''}`} style={{ height: `${height}px` }} />
      <div class="map-info">
        <span class="mono" data-testid="location-coords">{coords(lat, lon)}</span>
        <a href={mapLink(lat, lon)} target="_blank" rel="noopener noreferrer" data-testid="location-link">
          {tr.t('app.openMap')} ↗
        </a>
        {caption !== undefined && <span class="muted">{caption}</span>}
        {tileUrl === null && <span class="muted">{tr.t('detail.noTiles')}</span>}
        {tilesFailed && <span class="warn-text">{tr.t('detail.tilesFailed')}</span>}
      </div>
    </div>
  )
}
