// Service levels for a period: the share of alarms acknowledged within 60 s and 180 s against the
// 97.5 % / 99 % standards, time to acknowledge and to arrive, open work, and when and what alarms come.
import { useState } from 'preact/hooks'
import { api, withQuery } from '../api/client.ts'
import type { ServiceLevels } from '../api/types.ts'
import { ColumnChart, HBarChart } from '../components/charts.tsx'
import { ErrorBox, Loading } from '../components/common.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { duration, isoDate, percent } from '../lib/format.ts'

function range(fromDate: string, toDate: string): { from: string; to: string } {
  const from = new Date(`${fromDate}T00:00:00`)
  const to = new Date(`${toDate}T00:00:00`)
  to.setDate(to.getDate() + 1) // the "to" day is included
  return { from: from.toISOString(), to: to.toISOString() }
}

export function DashboardPage() {
  const tr = useI18n()
  const { t, tc } = tr
  const today = new Date()
  const weekAgo = new Date(today.getTime() - 6 * 86_400_000)
  const [fromDate, setFromDate] = useState(isoDate(weekAgo))
  const [toDate, setToDate] = useState(isoDate(today))
  const [applied, setApplied] = useState(() => range(isoDate(weekAgo), isoDate(today)))
  const report = useLoad(() => api.get<ServiceLevels>('/api/reports/service-levels', applied), [applied.from, applied.to])
  const r = report.data

  return (
    <div class="dashboard">
      <div class="page-head"><h1>{t('dash.title')}</h1></div>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setApplied(range(fromDate, toDate)) }}>
        <label>{t('dash.from')}<input type="date" value={fromDate} max={toDate} onInput={(e) => setFromDate(e.currentTarget.value)} data-testid="dash-from" /></label>
        <label>{t('dash.to')}<input type="date" value={toDate} min={fromDate} onInput={(e) => setToDate(e.currentTarget.value)} data-testid="dash-to" /></label>
        <button type="submit" class="btn btn-primary" data-testid="dash-apply">{t('dash.apply')}</button>
        <a class="btn" href={withQuery('/api/reports/service-levels.csv', applied)} download data-testid="export-csv">⤓ {t('dash.export')}</a>
      </form>
      <ErrorBox error={report.error} onRetry={report.reload} />
      {r === null ? (report.loading ? <Loading /> : null) : (
        <>
          <div class="tiles" data-testid="service-tiles">
            <ShareTile testid="tile-ack60" label={t('dash.ack60')} share={r.acknowledgedWithin60s} standard={0.975} />
            <ShareTile testid="tile-ack180" label={t('dash.ack180')} share={r.acknowledgedWithin180s} standard={0.99} />
            <div class="tile" data-testid="tile-ack-time">
              <div class="tile-label">{t('dash.ackTime')}</div>
              <div class="tile-pair">
                <span><small>{t('dash.median')}</small><b>{duration(r.ackSeconds.median, tr.lang)}</b></span>
                <span><small>{t('dash.p90')}</small><b>{duration(r.ackSeconds.p90, tr.lang)}</b></span>
              </div>
            </div>
            <div class="tile" data-testid="tile-arrival-time">
              <div class="tile-label">{t('dash.arrivalTime')}</div>
              <div class="tile-pair">
                <span><small>{t('dash.median')}</small><b>{duration(r.arrivalSeconds.median, tr.lang)}</b></span>
                <span><small>{t('dash.p90')}</small><b>{duration(r.arrivalSeconds.p90, tr.lang)}</b></span>
              </div>
            </div>
            <div class="tile" data-testid="tile-alarms"><div class="tile-label">{t('dash.alarms')}</div><div class="tile-value">{r.alarms}</div></div>
            <div class={`tile ${r.openTasks > 0 ? 'tile-warn' : ''}`} data-testid="tile-open-tasks"><div class="tile-label">{t('dash.openTasks')}</div><div class="tile-value">{r.openTasks}</div></div>
            <div class={`tile ${r.offlineDevices > 0 ? 'tile-warn' : ''}`} data-testid="tile-offline-devices"><div class="tile-label">{t('dash.offlineDevices')}</div><div class="tile-value">{r.offlineDevices}</div></div>
          </div>
          <div class="chart-grid">
            <section class="card"><div class="card-body">
              <HBarChart testid="chart-by-type" title={t('dash.byType')}
                items={[...r.byType].sort((a, b) => b.count - a.count).map((x) => ({ label: tc('alarmType', x.type), value: x.count }))} />
            </div></section>
            <section class="card"><div class="card-body">
              <ColumnChart testid="chart-by-hour" title={r.timeZone ? t('dash.byHourTz', { tz: r.timeZone }) : t('dash.byHour')}
                items={Array.from({ length: 24 }, (_, h) => ({ label: String(h).padStart(2, '0'), value: r.byHour.find((x) => x.hour === h)?.count ?? 0 }))} />
            </div></section>
          </div>
        </>
      )}
    </div>
  )
}

function ShareTile({ label, share, standard, testid }: { label: string; share: number | null; standard: number; testid: string }) {
  const { t } = useI18n()
  const known = share !== null && share !== undefined && Number.isFinite(share)
  const meets = known && share >= standard
  return (
    <div class={`tile ${!known ? '' : meets ? 'tile-good' : 'tile-bad'}`} data-testid={testid} data-meets={known ? String(meets) : 'unknown'}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{percent(share)}</div>
      <div class="tile-foot">
        {t('dash.standard', { p: percent(standard) })}
        {known && <> · <b>{meets ? `✓ ${t('dash.meets')}` : `✗ ${t('dash.misses')}`}</b></>}
      </div>
    </div>
  )
}
