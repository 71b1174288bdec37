// The alarm queue: a snapshot of every open alarm, kept current by the live feed. Highest priority first,
// then oldest first; a new critical alarm sounds, flashes and shows a banner until someone looks.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api } from '../api/client.ts'
import { ALARM_TYPES, SEVERITIES, type AlarmPage, type AlarmSummary, type FeedEvent } from '../api/types.ts'
import { AckTarget } from '../components/AckTarget.tsx'
import { ErrorBox, Loading, SeverityBadge, StateBadge, personName } from '../components/common.tsx'
import { PagedTable } from '../components/PagedTable.tsx'
import { FeedIndicator } from '../components/FeedIndicator.tsx'
import { useI18n } from '../i18n/i18n.tsx'
import { useLoad } from '../lib/async.ts'
import { useFeed, useNow } from '../lib/feed.ts'
import { clock, dateTime, ms } from '../lib/format.ts'
import { useCursorPages } from '../lib/paging.ts'
import { href, navigate } from '../lib/router.ts'
import { audioUnlocked, beep } from '../lib/sound.ts'

const CLOSED_STATES = new Set(['resolved', 'closed'])
const FLASH_MS = 30_000

export function sortQueue(items: AlarmSummary[]): AlarmSummary[] {
  return [...items].sort((a, b) => b.priority - a.priority || (ms(a.raisedAt) ?? 0) - (ms(b.raisedAt) ?? 0))
}

async function loadQueue(): Promise<AlarmPage> {
  const first = await api.get<AlarmPage>('/api/alarms', { view: 'open', limit: 200 })
  const items = [...first.items]
  let cursor = first.nextCursor
  for (let page = 0; cursor !== null && page < 10; page += 1) {
    const next = await api.get<AlarmPage>('/api/alarms', { view: 'open', limit: 200, cursor })
    items.push(...next.items)
    cursor = next.nextCursor
  }
  // The first page's feedSeq is the oldest snapshot position: replaying from it misses nothing.
  return { items, nextCursor: null, feedSeq: first.feedSeq }
}

export function QueuePage() {
  const tr = useI18n()
  const { t, tc } = tr
  const [alarms, setAlarms] = useState<Map<string, AlarmSummary>>(new Map())
  const [feedSeq, setFeedSeq] = useState<number | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const [flashing, setFlashing] = useState<Map<string, number>>(new Map())
  const [banner, setBanner] = useState<AlarmSummary[]>([])
  const [type, setType] = useState('')
  const [severity, setSeverity] = useState('')
  const [area, setArea] = useState('')
  const known = useRef<Map<string, AlarmSummary>>(new Map())
  const now = useNow(1000)
  const [view, setView] = useState<'live' | 'test'>('live')

  const load = useCallback(() => {
    setLoading(true)
    setFeedSeq(null)
    loadQueue().then(
      (page) => {
        const map = new Map(page.items.map((a) => [a.id, a]))
        known.current = map
        setAlarms(map)
        setFeedSeq(Number(page.feedSeq))
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        setError(err)
        setLoading(false)
      },
    )
  }, [])
  useEffect(load, [load])

  const onEvent = useCallback((event: FeedEvent) => {
    const alarm = event.alarm
    // Test alarms belong to the test list, never the live queue.
    if (alarm === null || alarm.test === true) return
    const current = known.current.get(alarm.id)
    if (current !== undefined && alarm.version < current.version) return
    const next = new Map(known.current)
    if (CLOSED_STATES.has(alarm.state)) {
      next.delete(alarm.id)
    } else {
      next.set(alarm.id, alarm)
      if (current === undefined && alarm.severity === 'critical') {
        beep()
        setBanner((b) => [alarm, ...b.filter((x) => x.id !== alarm.id)].slice(0, 5))
        setFlashing((f) => new Map(f).set(alarm.id, Date.now() + FLASH_MS))
      }
    }
    known.current = next
    setAlarms(next)
    // Once handled, a banner entry has done its job.
    if (!['raised', 'notified'].includes(alarm.state)) setBanner((b) => b.filter((x) => x.id !== alarm.id))
  }, [])

  const status = useFeed(feedSeq, onEvent, load)

  const all = useMemo(() => sortQueue([...alarms.values()]), [alarms])
  const areas = useMemo(() => {
    const m = new Map<string, string>()
    for (const a of all) m.set(a.areaId, a.areaName)
    return [...m.entries()].sort((a, b) => a[1].localeCompare(b[1]))
  }, [all])
  const shown = all.filter((a) => (type === '' || a.type === type) && (severity === '' || a.severity === severity) && (area === '' || a.areaId === area))
  const banners = banner.filter((b) => alarms.has(b.id))

  const open = (id: string): void => {
    setFlashing((f) => {
      const n = new Map(f)
      n.delete(id)
      return n
    })
    navigate(href('alarms', id))
  }

  return (
    <div class="queue">
      <div class="page-head">
        <h1>{t('queue.title')}</h1>
        <span class="muted" data-testid="queue-count">{t('queue.count', { n: all.length })}</span>
        <FeedIndicator status={status} />
        {!audioUnlocked() && <span class="muted small">{t('queue.soundHint')}</span>}
      </div>
      <div class="tabs" role="tablist" data-testid="queue-tabs">
        <button type="button" role="tab" class="tab" aria-selected={view === 'live'} data-testid="queue-tab-live" onClick={() => setView('live')}>{t('queue.title')}</button>
        <button type="button" role="tab" class="tab" aria-selected={view === 'test'} data-testid="queue-tab-test" onClick={() => setView('test')}>{t('testQueue.tab')}</button>
      </div>
      {view === 'test' ? <TestAlarms /> : <>

      {banners.length > 0 && (
        <div class="critical-banner" role="alert" data-testid="new-critical-banner" data-alarm-id={banners[0]!.id}>
          <span class="critical-icon" aria-hidden="true">!</span>
          <span class="critical-text">
            {t('queue.newCritical', { type: tc('alarmType', banners[0]!.type), name: banners[0]!.residentName })}
            {banners.length > 1 && <span> (+{banners.length - 1})</span>}
          </span>
          <a class="btn btn-danger" href={href('alarms', banners[0]!.id)} data-testid="new-critical-open">{t('queue.newCriticalOpen')}</a>
          <button type="button" class="btn" onClick={() => setBanner([])} data-testid="new-critical-dismiss">{t('queue.dismiss')}</button>
        </div>
      )}

      <div class="filters" data-testid="queue-filters">
        <label>
          {t('queue.filterType')}
          <select value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid="filter-type">
            <option value="">{t('app.all')}</option>
            {ALARM_TYPES.map((x) => <option key={x} value={x}>{tc('alarmType', x)}</option>)}
          </select>
        </label>
        <label>
          {t('queue.filterSeverity')}
          <select value={severity} onChange={(e) => setSeverity(e.currentTarget.value)} data-testid="filter-severity">
            <option value="">{t('app.all')}</option>
            {SEVERITIES.map((x) => <option key={x} value={x}>{tc('severity', x)}</option>)}
          </select>
        </label>
        <label>
          {t('queue.filterArea')}
          <select value={area} onChange={(e) => setArea(e.currentTarget.value)} data-testid="filter-area">
            <option value="">{t('app.all')}</option>
            {areas.map(([id, name]) => <option key={id} value={id}>{name}</option>)}
          </select>
        </label>
      </div>

      <ErrorBox error={error} onRetry={load} />
      {loading && alarms.size === 0 ? <Loading /> : (
        <table class="table queue-table" data-testid="alarm-queue">
          <thead>
            <tr>
              <th>{t('queue.colSeverity')}</th>
              <th>{t('queue.colType')}</th>
              <th>{t('queue.colResident')}</th>
              <th>{t('queue.colElapsed')}</th>
              <th>{t('queue.colTarget')}</th>
              <th>{t('queue.colState')}</th>
              <th>{t('queue.colHandler')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr><td colSpan={7} class="empty" data-testid="queue-empty">{t('queue.empty')}</td></tr>
            )}
            {shown.map((a) => {
              const flash = (flashing.get(a.id) ?? 0) > now
              return (
                <tr
                  key={a.id}
                  class={`alarm-row sevrow-${a.severity} ${flash ? 'flash' : ''}`}
                  data-testid="alarm-row"
                  data-alarm-id={a.id}
                  data-state={a.state}
                  data-type={a.type}
                  data-severity={a.severity}
                  tabIndex={0}
                  onClick={() => open(a.id)}
                  onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(a.id) } }}
                >
                  <td><SeverityBadge severity={a.severity} /></td>
                  <td class="type-cell">
                    <strong>{tc('alarmType', a.type)}</strong>
                    {a.occurrences > 1 && <span class="badge badge-neutral">{t('queue.occurrences', { n: a.occurrences })}</span>}
                    {a.escalationLevel > 0 && <span class="badge badge-warn">{t('queue.escalationLevel', { n: a.escalationLevel })}</span>}
                  </td>
                  <td>
                    <a href={href('alarms', a.id)} onClick={(e) => e.stopPropagation()} class="resident-link">{a.residentName}</a>
                    <div class="muted small">{a.areaName}</div>
                  </td>
                  <td class="mono elapsed" data-testid="elapsed">{clock((now - (ms(a.raisedAt) ?? now)) / 1000)}</td>
                  <td><AckTarget alarm={a} now={now} /></td>
                  <td><StateBadge state={a.state} /></td>
                  <td class="small">
                    {a.acknowledgedBy && <div>{t('detail.acknowledgedBy')}: {personName(tr, a.acknowledgedBy)}</div>}
                    {a.responder && <div>{t('detail.responder')}: {personName(tr, a.responder)}</div>}
                    {!a.acknowledgedBy && !a.responder && <span class="muted">—</span>}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      </>}
    </div>
  )
}

/** Alarms from devices in test mode (weekly tests, installation): their own list, nobody was notified. */
function TestAlarms() {
  const tr = useI18n()
  const { t, tc } = tr
  const pages = useCursorPages()
  const list = useLoad(() => api.get<AlarmPage>('/api/alarms', { view: 'test', limit: 50, cursor: pages.cursor }), [pages.cursor])
  return (
    <div data-testid="test-queue">
      <div class="notice" role="note">
        {t('testQueue.intro')}
        <button type="button" class="btn btn-small" data-testid="test-queue-reload" onClick={list.reload}>{t('app.reload')}</button>
      </div>
      <PagedTable list={list} pages={pages} testid="test-alarm-list"
        columns={[t('queue.colSeverity'), t('queue.colType'), t('queue.colResident'), t('testQueue.device'), t('testQueue.raisedAt'), t('queue.colState')]}
        empty={t('testQueue.empty')} emptyTestid="test-queue-empty"
        row={(a) => (
          <tr key={a.id} data-testid="test-alarm-row" data-alarm-id={a.id} data-type={a.type} data-device-id={a.deviceId ?? ''}>
            <td><SeverityBadge severity={a.severity} /> <span class="badge badge-warn">{t('deviceLife.testBadge')}</span></td>
            <td><a href={href('alarms', a.id)}>{tc('alarmType', a.type)}</a></td>
            <td>{a.residentName}<div class="muted small">{a.areaName}</div></td>
            <td class="mono">{a.deviceId ? <a href={href('devices', a.deviceId)}>{a.deviceId}</a> : '—'}</td>
            <td class="small">{dateTime(a.raisedAt, tr.lang)}</td>
            <td><StateBadge state={a.state} /></td>
          </tr>
        )} />
    </div>
  )
}
