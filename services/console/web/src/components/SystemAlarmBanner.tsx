// The red banner across the top of every desk page while the platform itself is at fault (a service not
// answering, messages not processed, a disk filling up, the watchdog gone). Polled every 5 s; hidden when
// nothing is wrong. The watchdog's detail (technical, English) is shown small, for whoever fixes it.
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api/client.ts'
import type { SystemAlarm, SystemAlarms } from '../api/types.ts'
import { useI18n, type Translator } from '../i18n/i18n.tsx'
import type { DictKey } from '../i18n/dict.ts'

export const SYSTEM_ALARM_POLL_MS = 5000

function describe(tr: Translator, alarm: SystemAlarm): string {
  const subject = tr.has('sysAlarm.subject', alarm.subject) ? tr.tc('sysAlarm.subject', alarm.subject) : alarm.subject
  const key = `sysAlarm.kind.${alarm.kind}`
  return tr.has('sysAlarm.kind', alarm.kind) ? tr.t(key as DictKey, { subject }) : tr.t('sysAlarm.kind.other', { kind: alarm.kind, subject })
}

export function SystemAlarmBanner() {
  const tr = useI18n()
  const [alarms, setAlarms] = useState<SystemAlarm[]>([])

  useEffect(() => {
    let stopped = false
    const poll = (): void => {
      api.get<SystemAlarms>('/api/system-alarms').then(
        (answer) => {
          if (!stopped) setAlarms(answer.active)
        },
        // The console itself not answering shows elsewhere (the live feed indicator); keep what we knew.
        () => undefined,
      )
    }
    poll()
    const timer = setInterval(poll, SYSTEM_ALARM_POLL_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [])

  if (alarms.length === 0) return null
  return (
    <section class="sysalarm-banner" role="alert" aria-label={tr.t('sysAlarm.label')} data-testid="system-alarms" data-count={alarms.length}>
      <strong class="sysalarm-title">{tr.t('sysAlarm.title')}</strong>
      <ul class="sysalarm-list">
        {alarms.map((alarm) => (
          <li key={alarm.id} class={`sysalarm sysalarm-${alarm.severity}`} data-testid="system-alarm" data-kind={alarm.kind} data-severity={alarm.severity} title={alarm.detail}>
            <span class="sysalarm-severity">{tr.tc('sysAlarm.severity', alarm.severity)}</span>
            <span class="sysalarm-text">{describe(tr, alarm)}</span>
            <small class="sysalarm-detail">{alarm.detail}</small>
          </li>
        ))}
      </ul>
    </section>
  )
}
