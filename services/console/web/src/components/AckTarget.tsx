// The acknowledgement targets (60 s and 180 s) of one alarm: a bar filling towards 180 s that turns amber
// after 60 s and red after 180 s while nobody has acknowledged; afterwards, how long acknowledging took.
import type { AlarmSummary } from '../api/types.ts'
import { useI18n } from '../i18n/i18n.tsx'
import { clock, ms } from '../lib/format.ts'

export type AckLevel = 'ok' | 'amber' | 'red'

export function ackLevel(seconds: number): AckLevel {
  return seconds >= 180 ? 'red' : seconds >= 60 ? 'amber' : 'ok'
}

export function AckTarget({ alarm, now }: { alarm: AlarmSummary; now: number }) {
  const tr = useI18n()
  const raised = ms(alarm.raisedAt) ?? now
  const acked = ms(alarm.acknowledgedAt)
  if (acked !== null) {
    const secs = (acked - raised) / 1000
    const level = ackLevel(secs)
    return (
      <span class={`ack ack-done ack-${level}`} data-testid="ack-target" data-ack={level} data-acked="true">
        {tr.t('queue.ackedIn', { t: clock(secs) })}
      </span>
    )
  }
  const secs = (now - raised) / 1000
  const level = ackLevel(secs)
  const fill = Math.min(1, secs / 180) * 100
  const label = level === 'ok' ? tr.t('queue.withinTarget', { s: 60 }) : level === 'amber' ? tr.t('queue.overTarget', { s: 60 }) : tr.t('queue.overTarget', { s: 180 })
  return (
    <span class={`ack ack-${level}`} data-testid="ack-target" data-ack={level} data-acked="false" title={label}>
      <span class="ack-bar" aria-hidden="true">
        <span class="ack-fill" style={{ width: `${fill}%` }} />
        <span class="ack-mark" style={{ left: '33.33%' }} />
      </span>
      <span class="ack-badges">
        <span class={`ack-badge ${secs >= 60 ? 'missed' : ''}`}>60s</span>
        <span class={`ack-badge ${secs >= 180 ? 'missed' : ''}`}>180s</span>
      </span>
      <span class="sr-only">{label}</span>
    </span>
  )
}
