// One alarm, everything an operator needs to decide and act: who, what, where, vitals, devices, what has
// been done so far, and the lifecycle actions the state and the role allow. Kept live by the feed, so a
// responder accepting or arriving shows without a reload; every action names the version it was decided
// on, and a conflict (someone acted first) reloads and says what changed.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, ApiError, enc } from '../api/client.ts'
import type { AlarmDetail, AlarmPage, AlarmSummary, FeedEvent, TimelineEntry, Vitals } from '../api/types.ts'
import { ActionPanel } from '../components/ActionPanel.tsx'
import { VitalsCharts } from '../components/charts.tsx'
import { Badge, ErrorBox, Facts, Loading, Section, SeverityBadge, StateBadge, errorText, personName } from '../components/common.tsx'
import { DeviceTable } from '../components/DeviceTable.tsx'
import { EvidenceList } from '../components/EvidenceList.tsx'
import { FeedIndicator } from '../components/FeedIndicator.tsx'
import { LocationMap } from '../components/LocationMap.tsx'
import { ResidentCard } from '../components/ResidentCard.tsx'
import { Timeline } from '../components/Timeline.tsx'
import { useI18n, type Translator } from '../i18n/i18n.tsx'
import { useFeed, useNow } from '../lib/feed.ts'
import { clock, dateTime, ms } from '../lib/format.ts'
import { useSession } from '../lib/session.tsx'
import { collectNames } from '../lib/timeline-story.ts'

// Kept as a function of the translator so switching language re-words a notice already on screen.
type Notice = { tone: 'ok' | 'error'; text: (tr: Translator) => string } | null

export function AlarmDetailPage({ id }: { id: string }) {
  const tr = useI18n()
  const { t, tc } = tr
  const session = useSession()
  const [detail, setDetail] = useState<AlarmDetail | null>(null)
  const [timeline, setTimeline] = useState<TimelineEntry[] | null>(null)
  const [vitals, setVitals] = useState<Vitals | null>(null)
  const [vitalsError, setVitalsError] = useState<unknown>(null)
  const [error, setError] = useState<unknown>(null)
  const [feedSeq, setFeedSeq] = useState<number | null>(null)
  const [notice, setNotice] = useState<Notice>(null)
  const versionRef = useRef(0)
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const now = useNow(1000)

  const loadDetail = useCallback(async () => {
    const [d, tl] = await Promise.all([
      api.get<AlarmDetail>(`/api/alarms/${enc(id)}`),
      api.get<{ items: TimelineEntry[] }>(`/api/alarms/${enc(id)}/timeline`),
    ])
    versionRef.current = d.alarm.version
    setDetail(d)
    setTimeline(tl.items)
    setError(null)
  }, [id])

  const reload = useCallback(() => {
    loadDetail().catch((err: unknown) => setError(err))
  }, [loadDetail])

  useEffect(() => {
    let cancelled = false
    // Take the feed position first, then the snapshot: events in between are replayed and are harmless,
    // because an event older than the version on screen is ignored.
    api.get<AlarmPage>('/api/alarms', { view: 'open', limit: 1 }).then(
      (p) => { if (!cancelled) setFeedSeq(Number(p.feedSeq)) },
      () => undefined,
    ).finally(() => {
      if (!cancelled) reload()
    })
    api.get<Vitals>(`/api/alarms/${enc(id)}/vitals`, { hours: 24 }).then(
      (v) => { if (!cancelled) setVitals(v) },
      (err: unknown) => { if (!cancelled) setVitalsError(err) },
    )
    return () => {
      cancelled = true
      if (reloadTimer.current !== null) clearTimeout(reloadTimer.current)
    }
  }, [id, reload])

  const names = useMemo(() => (detail === null || timeline === null ? new Map() : collectNames(timeline, {
    residentId: detail.resident.id,
    assignedCarer: detail.resident.assignedCarer,
    familyDoctor: detail.resident.familyDoctor,
    contacts: detail.resident.contacts,
    tasks: detail.tasks,
  })), [detail, timeline])

  const onEvent = useCallback((event: FeedEvent) => {
    if (event.alarmId !== id) return
    const alarm = event.alarm
    if (alarm !== null && alarm.version >= versionRef.current) {
      versionRef.current = alarm.version
      setDetail((d) => (d === null ? d : { ...d, alarm }))
    }
    // Tasks and the timeline are not in the event: fetch them, once for a burst of events.
    if (reloadTimer.current !== null) clearTimeout(reloadTimer.current)
    reloadTimer.current = setTimeout(reload, 400)
  }, [id, reload])
  const status = useFeed(feedSeq, onEvent, reload)

  const act = useCallback(async (path: string, body: Record<string, unknown>, withVersion = true): Promise<boolean> => {
    setNotice(null)
    try {
      const payload = withVersion ? { ...body, expectedVersion: versionRef.current } : body
      const res = await api.post<{ alarm?: AlarmSummary }>(`/api/alarms/${enc(id)}${path}`, payload)
      if (res?.alarm) {
        const alarm = res.alarm
        versionRef.current = Math.max(versionRef.current, alarm.version)
        setDetail((d) => (d === null ? d : { ...d, alarm }))
      }
      setNotice({ tone: 'ok', text: (x) => x.t('detail.done') })
      reload()
      return true
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const { message, code } = err
        setNotice({ tone: 'error', text: (x) => x.t('detail.conflictReloaded', { msg: message || x.tc('error', code) }) })
        reload()
      } else {
        setNotice({ tone: 'error', text: (x) => errorText(x, err) })
      }
      return false
    }
  }, [id, reload])

  if (detail === null) {
    return error !== null ? <ErrorBox error={error} onRetry={reload} /> : <Loading />
  }

  const { alarm, resident, evidence, tasks, devices, location, recommendation } = detail
  const raised = ms(alarm.raisedAt) ?? now

  return (
    <div class="detail" data-testid="alarm-detail" data-alarm-id={alarm.id} data-version={alarm.version}>
      <div class={`detail-head sevhead-${alarm.severity}`}>
        <div class="detail-title">
          <SeverityBadge severity={alarm.severity} />
          <h1>{tc('alarmType', alarm.type)} · {alarm.residentName}</h1>
          <StateBadge state={alarm.state} testid="alarm-state" />
          {alarm.outcome && <Badge tone="info">{tc('outcome', alarm.outcome)}</Badge>}
        </div>
        <div class="detail-meta">
          <span>{t('detail.raisedAt')}: {dateTime(alarm.raisedAt, tr.lang)}</span>
          {!alarm.resolvedAt && <span class="mono">{clock((now - raised) / 1000)}</span>}
          <span>{t('detail.version')}: <span data-testid="alarm-version">{alarm.version}</span></span>
          <FeedIndicator status={status} />
        </div>
      </div>

      {recommendation.call120 && alarm.state !== 'resolved' && alarm.state !== 'closed' && (
        <div class="call120" role="alert" data-testid="call120">
          <strong>☎ {t('detail.call120')}</strong>
          <span>{t('detail.call120Hint')}</span>
          <a class="btn btn-danger" href="tel:120">120</a>
        </div>
      )}

      {notice && (
        <div class={`notice ${notice.tone === 'error' ? 'notice-error' : 'notice-ok'}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="action-notice" data-tone={notice.tone}>
          {notice.text(tr)}
        </div>
      )}
      <ErrorBox error={error} onRetry={reload} />

      <div class="detail-grid">
        <div class="col">
          <ActionPanel alarm={alarm} role={session.user.role} act={act} />
          <Section title={t('detail.whatHappened')} testid="what-happened">
            <Facts rows={[
              [t('queue.colType'), tc('alarmType', alarm.type)],
              [t('queue.colSeverity'), <SeverityBadge severity={alarm.severity} />],
              [t('detail.priority'), alarm.priority],
              [t('detail.raisedAt'), dateTime(alarm.raisedAt, tr.lang)],
              [t('detail.occurrences'), alarm.occurrences],
              [t('detail.alertStatus'), tc('alertStatus', alarm.alertStatus)],
              [t('detail.escalationLevel'), alarm.escalationLevel],
              [t('detail.acknowledgedBy'), alarm.acknowledgedBy ? `${personName(tr, alarm.acknowledgedBy)} · ${dateTime(alarm.acknowledgedAt, tr.lang)}` : '—'],
              [t('detail.responder'), alarm.responder ? `${personName(tr, alarm.responder)}${alarm.arrivedAt ? ` · ${t('state.on_scene')} ${dateTime(alarm.arrivedAt, tr.lang)}` : ''}` : '—'],
            ]} />
            <h3>{t('detail.evidence')}</h3>
            <EvidenceList evidence={evidence} />
          </Section>
          {tasks.length > 0 && (
            <Section title={t('detail.tasks')} testid="alarm-tasks">
              <table class="table compact">
                <tbody>
                  {tasks.map((task) => (
                    <tr key={task.taskId} data-task-id={task.taskId} data-state={task.state}>
                      <td>#{task.sequence}</td>
                      <td><Badge tone={task.state === 'cancelled' ? 'neutral' : task.state === 'completed' ? 'good' : 'info'}>{tc('taskState', task.state)}</Badge></td>
                      <td>{task.responderName ?? '—'}</td>
                      <td class="small muted">{task.arrivalDueAt ? t('resp.arrivalDue', { t: dateTime(task.arrivalDueAt, tr.lang) }) : dateTime(task.updatedAt, tr.lang)}</td>
                      <td class="small">{task.outcome ? tc('outcome', task.outcome) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          )}
          <Section title={t('detail.timeline')} testid="timeline-section">
            {timeline === null ? <Loading /> : <Timeline entries={timeline} names={names} />}
          </Section>
        </div>
        <div class="col">
          <ResidentCard resident={resident} />
          <Section title={t('detail.location')} testid="location-section">
            {location === null ? <div class="muted">{t('detail.noLocation')}</div> : (
              <LocationMap
                lat={location.lat}
                lon={location.lon}
                accuracyM={location.accuracyM}
                tileUrl={session.mapTileUrl ?? null}
                caption={location.accuracyM !== null
                  ? t('detail.locationAt', { t: dateTime(location.at, tr.lang), m: Math.round(location.accuracyM) })
                  : t('detail.locationAtNoAcc', { t: dateTime(location.at, tr.lang) })}
              />
            )}
          </Section>
          <Section title={t('detail.devices')} testid="devices-section">
            <DeviceTable devices={devices} />
          </Section>
          <Section title={t('detail.vitals')} testid="vitals-section">
            {vitalsError !== null ? <ErrorBox error={vitalsError} /> : <VitalsCharts vitals={vitals} />}
          </Section>
        </div>
      </div>
    </div>
  )
}
