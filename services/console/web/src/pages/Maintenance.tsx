// The weekly device test (每周测试): buttons and wearables that missed their test (due) or the grace period
// after it too (overdue: a device-fault alarm for the resident), most overdue first, with an export.
import { useState } from 'preact/hooks'
import { api, withQuery } from '../api/client.ts'
import type { MaintenanceItem, Page } from '../api/types.ts'
import { PagedTable } from '../components/PagedTable.tsx'
import { Battery } from '../components/DeviceTable.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { dateTime } from '../lib/format.ts'
import { useCursorPages } from '../lib/paging.ts'
import { href } from '../lib/router.ts'

export function MaintenancePage() {
  const tr = useI18n()
  const { t, tc } = tr
  const [status, setStatus] = useState('')
  const pages = useCursorPages()
  const list = useLoad(
    () => api.get<Page<MaintenanceItem>>('/api/devices/maintenance', { status, limit: 50, cursor: pages.cursor }),
    [status, pages.cursor],
  )
  const exportHref = withQuery('/api/devices/maintenance.csv', { status, lang: tr.lang === 'en' ? 'en' : undefined })
  return (
    <div data-testid="maintenance-page">
      <div class="page-head">
        <h1>{t('maintenance.title')}</h1>
        <span class="muted small">{t('maintenance.intro')}</span>
        <a class="btn" href={exportHref} download data-testid="maintenance-export">{t('maintenance.export')}</a>
      </div>
      <div class="filters">
        <label>
          {t('maintenance.status')}
          <select value={status} onChange={(e) => { pages.reset(); setStatus(e.currentTarget.value) }} data-testid="maintenance-filter-status">
            <option value="">{t('app.all')}</option>
            <option value="due">{t('maintenance.due')}</option>
            <option value="overdue">{t('maintenance.overdue')}</option>
          </select>
        </label>
      </div>
      <PagedTable list={list} pages={pages} testid="maintenance-table"
        columns={[t('maintenance.device'), t('device.type'), t('maintenance.resident'), t('maintenance.lastTest'), t('maintenance.dueAt'), t('maintenance.status'), t('maintenance.link'), t('maintenance.battery')]}
        empty={t('maintenance.empty')} emptyTestid="maintenance-empty"
        row={(d) => (
          <tr key={d.deviceId} data-testid="maintenance-row" data-device-id={d.deviceId} data-status={d.status}>
            <td><a class="mono" href={href('devices', d.deviceId)}>{d.deviceId}</a> <span class="muted small">{d.model ?? ''}</span></td>
            <td>{tc('deviceType', d.type)}</td>
            <td>{d.residentId ? <a href={href('residents', d.residentId)}>{d.residentName ?? d.residentId}</a> : <span class="muted">{t('maintenance.unbound')}</span>}</td>
            <td>{d.lastTestAt ? dateTime(d.lastTestAt, tr.lang) : <span class="muted">{t('maintenance.never')}</span>}</td>
            <td>{dateTime(d.dueAt, tr.lang)}</td>
            <td>
              <span class={`badge ${d.status === 'overdue' ? 'badge-bad' : 'badge-warn'}`} data-testid="maintenance-status">{t(d.status === 'overdue' ? 'maintenance.overdue' : 'maintenance.due')}</span>
              {d.alarmId && <> <a href={href('alarms', d.alarmId)} data-testid="maintenance-alarm">{t('maintenance.alarm')}</a></>}
            </td>
            <td>{d.offline ? <span class="badge badge-warn">{t('maintenance.offline')}</span> : t('maintenance.online')}</td>
            <td><Battery level={d.battery} /></td>
          </tr>
        )} />
    </div>
  )
}
