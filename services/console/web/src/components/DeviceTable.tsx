// Device status rows: online, battery, worn, last seen. Used by the alarm and resident pages.
import type { DeviceSummary } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { dateTime } from '../lib/format.ts'
import { href } from '../lib/router.ts'
import { Badge } from './common.tsx'

export function Battery({ level }: { level: number | null }) {
  if (level === null) return <span class="muted">—</span>
  const tone = level <= 15 ? 'bad' : level <= 30 ? 'warn' : 'good'
  return (
    <span class={`battery battery-${tone}`} data-battery={level}>
      <span class="battery-body" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(100, level))}%` }} /></span>
      {level}%
    </span>
  )
}

export function OnlineBadge({ device }: { device: DeviceSummary }) {
  const tr = useI18n()
  if (device.status === 'revoked') return <Badge tone="neutral">{tr.t('device.revoked')}</Badge>
  return device.online ? <Badge tone="good">● {tr.t('device.online')}</Badge> : <Badge tone="bad">○ {tr.t('device.offline')}</Badge>
}

export function WornText({ worn }: { worn: boolean | null }) {
  const tr = useI18n()
  if (worn === null) return <span class="muted">—</span>
  return worn ? <span>{tr.t('device.wornYes')}</span> : <span class="warn-text">{tr.t('device.wornNo')}</span>
}

export function DeviceTable({ devices, testid = 'device-status' }: { devices: DeviceSummary[]; testid?: string }) {
  const tr = useI18n()
  const { t, tc } = tr
  if (devices.length === 0) return <div class="muted">{t('app.noData')}</div>
  return (
    <table class="table compact" data-testid={testid}>
      <thead>
        <tr>
          <th>{t('device.id')}</th>
          <th>{t('device.type')}</th>
          <th>{t('device.status')}</th>
          <th>{t('device.battery')}</th>
          <th>{t('device.worn')}</th>
          <th>{t('device.lastSeen')}</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id} data-device-id={d.id}>
            <td class="mono"><a href={href('devices', d.id)}>{d.id}</a></td>
            <td>{tc('deviceType', d.type)}</td>
            <td><OnlineBadge device={d} /></td>
            <td><Battery level={d.battery} /></td>
            <td><WornText worn={d.worn} /></td>
            <td class="small">{d.lastSeenAt ? dateTime(d.lastSeenAt, tr.lang) : t('device.never')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
