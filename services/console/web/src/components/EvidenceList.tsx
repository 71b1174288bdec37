// What made the alarm, in words and units ("按键次数 1", "冲击 3.2 g", "心率 142 次/分"), empty fields left out.
// A device repeating the same reading (an SOS pressed every 30 s) is one line with a count, not ten.
import type { Evidence } from '../api/types.ts'
import { useI18n, type Translator } from '../i18n/i18n.tsx'
import { coords, dateTime, distance, duration, timeOfDay } from '../lib/format.ts'
import { Badge } from './common.tsx'

const VITALS = ['heart_rate', 'spo2', 'systolic', 'diastolic', 'temperature', 'glucose'] as const

function num(v: unknown, digits?: number): string {
  return typeof v === 'number' && digits !== undefined ? String(Number(v.toFixed(digits))) : String(v)
}

/** The values of one piece of evidence as short translated phrases; unknown keys shown plainly. */
export function evidenceValues(tr: Translator, kind: string, values: Record<string, unknown>): string[] {
  const { t } = tr
  const v = Object.fromEntries(Object.entries(values ?? {}).filter(([, x]) => x !== null && x !== undefined && x !== ''))
  const out: string[] = []
  const time = (x: unknown): string => (typeof x === 'string' ? dateTime(x, tr.lang) : String(x))
  for (const [key, value] of Object.entries(v)) {
    switch (key) {
      case 'type':
        out.push(value === 'im_ok' ? t('ev.imOk') : tr.tc('alarmType', String(value)))
        break
      case 'pressCount': out.push(t('ev.pressCount', { v: num(value) })); break
      case 'impactG': out.push(t('ev.impactG', { v: num(value, 1) })); break
      case 'confidence': out.push(t('ev.confidence', { v: num(value, 2) })); break
      case 'secondsAfterFall': out.push(t('ev.secondsAfterFall', { v: num(value, 0) })); break
      case 'battery': out.push(t('ev.battery', { v: num(value, 0) })); break
      case 'charging': out.push(value === true ? t('ev.charging') : t('ev.notCharging')); break
      case 'event': out.push(value === 'low_battery' ? t('ev.lowBatteryEvent') : String(value)); break
      case 'worn': out.push(value === true ? t('ev.worn') : t('ev.notWorn')); break
      case 'lastSeenAt': out.push(t('ev.lastSeenAt', { t: time(value) })); break
      case 'silentSeconds': out.push(t('ev.silentSeconds', { d: duration(Number(value), tr.lang) })); break
      case 'notWornSince': out.push(t('ev.notWornSince', { t: time(value) })); break
      case 'lat':
        if (typeof v.lon === 'number' && typeof value === 'number') out.push(t('ev.position', { c: coords(value, v.lon) }))
        break
      case 'lon': break
      case 'accuracyM': out.push(t('ev.accuracyM', { v: num(value, 0) })); break
      case 'nearestZoneDistanceM': out.push(t('ev.nearestZoneDistanceM', { d: distance(Number(value)) ?? String(value) })); break
      case 'activity': out.push(t('ev.activity', { a: tr.tc('activity', String(value)) })); break
      case 'lastActivityAt': out.push(t('ev.lastActivityAt', { t: time(value) })); break
      case 'inactiveMinutes': out.push(t('ev.inactiveMinutes', { v: num(value, 0) })); break
      case 'limitMinutes': out.push(t('ev.limitMinutes', { v: num(value, 0) })); break
      case 'window': out.push(tr.has('ev', `window.${String(value)}`) ? tr.tc('ev', `window.${String(value)}`) : String(value)); break
      default:
        if ((VITALS as readonly string[]).includes(key)) out.push(t(`ev.${key}` as 'ev.spo2', { v: num(value, key === 'temperature' ? 1 : 0) }))
        else out.push(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    }
  }
  // The alarm type repeats the heading of the page for device alarms: keep it only when it says more.
  return kind === 'device_alarm' && out.length > 1 ? out.filter((x) => x !== tr.tc('alarmType', String(v.type))) : out
}

type Run = { first: Evidence; last: Evidence; count: number }

function runs(evidence: Evidence[]): Run[] {
  const out: Run[] = []
  for (const e of evidence) {
    const prev = out[out.length - 1]
    if (prev && prev.last.kind === e.kind && prev.last.role === e.role && JSON.stringify(prev.last.values) === JSON.stringify(e.values)) {
      prev.last = e
      prev.count += 1
    } else {
      out.push({ first: e, last: e, count: 1 })
    }
  }
  return out
}

export function EvidenceList({ evidence }: { evidence: Evidence[] }) {
  const tr = useI18n()
  const { t, tc } = tr
  if (evidence.length === 0) return <div class="muted">{t('detail.noEvidence')}</div>
  return (
    <ul class="evidence" data-testid="evidence">
      {runs(evidence).map(({ first, last, count }) => (
        <li key={`${first.at}-${first.role}`} data-testid="evidence-item" data-kind={first.kind} data-role={first.role}>
          <span class="mono small">{dateTime(first.at, tr.lang)}</span>
          {' '}<Badge tone={first.role === 'raise' ? 'bad' : first.role === 'clear' || first.role === 'cancel' ? 'good' : 'neutral'}>{tc('ev', `role.${first.role}`)}</Badge>
          {' '}<span class="muted small">{tc('ev', `kind.${first.kind}`)}</span>
          {count > 1 && <span class="muted small"> {t('ev.repeated', { n: count, t: timeOfDay(last.at, tr.lang) })}</span>}
          <span class="evidence-values">{evidenceValues(tr, first.kind, first.values).join(' · ')}</span>
        </li>
      ))}
    </ul>
  )
}
