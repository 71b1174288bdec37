// Times, durations and distances as an operator reads them.
import type { Lang } from '../i18n/dict.ts'

export function ms(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null
  const t = Date.parse(iso)
  return Number.isFinite(t) ? t : null
}

/** mm:ss below an hour, h:mm:ss above. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`
}

/** A short human duration: 45 s, 3 min, 2 h 5 min, 3 d. */
export function duration(seconds: number | null | undefined, lang: Lang): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.round(seconds)
  const zh = lang === 'zh-CN'
  if (s < 60) return zh ? `${s} 秒` : `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return zh ? `${m} 分 ${s % 60} 秒` : `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  if (h < 48) return zh ? `${h} 小时 ${m % 60} 分` : `${h} h ${m % 60} min`
  return zh ? `${Math.floor(h / 24)} 天` : `${Math.floor(h / 24)} d`
}

export function dateTime(iso: string | null | undefined, lang: Lang): string {
  const t = ms(iso)
  if (t === null) return '—'
  return new Date(t).toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export function timeOfDay(iso: string | null | undefined, lang: Lang): string {
  const t = ms(iso)
  if (t === null) return '—'
  return new Date(t).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export function distance(m: number | null | undefined): string | null {
  if (m === null || m === undefined || !Number.isFinite(m)) return null
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(m < 10_000 ? 1 : 0)} km`
}

export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—'
  return `${(share * 100).toFixed(digits)}%`
}

export function initials(name: string): string {
  const trimmed = name.trim()
  if (trimmed === '') return '?'
  // Chinese names: the given name (last one or two characters) is what carers call people by.
  if (/[\u3400-\u9fff]/.test(trimmed)) return trimmed.length <= 2 ? trimmed : trimmed.slice(-2)
  const words = trimmed.split(/\s+/)
  return words.slice(0, 2).map((w) => w[0]?.toUpperCase() ?? '').join('')
}

export function mapLink(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`
}

export function coords(lat: number, lon: number): string {
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}`
}

/** yyyy-mm-dd of a Date in local time (for <input type="date">). */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** A local datetime-local input value to an ISO instant, and back. */
export function localInputToIso(value: string): string {
  return new Date(value).toISOString()
}
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso)
  return `${isoDate(d)}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/** yyyy-mm-dd of an instant in a time zone (the organisation's day, not the browser's). */
export function dateInZone(d: Date, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d)
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
    return `${get('year')}-${get('month')}-${get('day')}`
  } catch {
    return isoDate(d) // an unknown zone: the browser's day is the best guess
  }
}

/** hh:mm of an instant in a time zone. */
export function timeInZone(iso: string | null | undefined, timeZone: string, lang: Lang): string {
  const t = ms(iso)
  if (t === null) return '—'
  try {
    return new Date(t).toLocaleTimeString(lang, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false })
  } catch {
    return timeOfDay(iso, lang)
  }
}
