// What has been done about an alarm, oldest first, told as a story: one line per step in plain words, the
// notifications a step caused folded under it (latest state per channel, every attempt behind an expander),
// and runs of page views and repeated presses folded into one line. "Show all" lists every raw entry.
// Every entry is in the page exactly once as a `timeline-entry`, in either view.
import { useMemo, useState } from 'preact/hooks'
import type { TimelineEntry } from '../api/types.ts'
import { useI18n, type Translator } from '../i18n/i18n.tsx'
import { dateTime, timeOfDay } from '../lib/format.ts'
import { buildStory, type DeliveryGroup, type Names, type StoryItem } from '../lib/timeline-story.ts'
import { deliveryStatus, describe, personText } from '../lib/timeline-text.ts'

type Props = { entries: TimelineEntry[]; names: Names }

export function Timeline({ entries, names }: Props) {
  const tr = useI18n()
  const { t } = tr
  const [showAll, setShowAll] = useState(false)
  const sorted = useMemo(() => [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)), [entries])
  const story = useMemo(() => buildStory(sorted), [sorted])
  if (entries.length === 0) return <div class="muted">{t('detail.noTimeline')}</div>
  // Times of day suffice while the whole story is one day; otherwise the date too.
  const oneDay = new Date(sorted[0]!.at).toDateString() === new Date(sorted[sorted.length - 1]!.at).toDateString()
  const when = (iso: string): string => (oneDay ? timeOfDay(iso, tr.lang) : dateTime(iso, tr.lang))

  return (
    <div class="timeline-wrap">
      <div class="tl-toolbar">
        <button type="button" class="btn btn-small" aria-pressed={showAll} onClick={() => setShowAll((x) => !x)} data-testid="timeline-toggle">
          {showAll ? t('tl.showStory') : t('tl.showAll', { n: entries.length })}
        </button>
      </div>
      <ol class={`timeline ${showAll ? 'timeline-all' : 'timeline-story'}`} data-testid="timeline">
        {showAll
          ? sorted.map((e, i) => <EntryLine key={`${e.at}-${i}`} entry={e} names={names} when={when} />)
          : story.map((item, i) => <StoryLine key={`${item.at}-${i}`} item={item} names={names} when={when} />)}
      </ol>
    </div>
  )
}

function EntryLine({ entry, names, when, nested = false }: { entry: TimelineEntry; names: Names; when: (iso: string) => string; nested?: boolean }) {
  const tr = useI18n()
  const line = describe(tr, names, entry)
  return (
    <li class={`tl tl-tone-${line.tone} ${nested ? 'tl-nested' : ''}`} data-testid="timeline-entry" data-action={entry.action} data-source={entry.source}>
      <time class="tl-time mono" dateTime={entry.at} title={dateTime(entry.at, tr.lang)}>{when(entry.at)}</time>
      <span class="tl-body">
        <strong class="tl-action">{line.title}</strong>
        {line.text !== '' && <span class="tl-text">{line.text}</span>}
      </span>
    </li>
  )
}

function StoryLine({ item, names, when }: { item: StoryItem; names: Names; when: (iso: string) => string }) {
  const tr = useI18n()
  if (item.kind === 'minor') return <MinorLine entries={item.entries} names={names} when={when} />
  if (item.kind === 'deliveries') {
    const g = item.group
    return (
      <li class={`tl tl-group tl-tone-${groupTone(tr, g)}`} data-testid="timeline-group">
        <time class="tl-time mono" dateTime={item.at} title={dateTime(item.at, tr.lang)}>{when(item.at)}</time>
        <span class="tl-body">
          <strong class="tl-action">{tr.tc('purpose', g.purpose)}</strong>
          <span class="tl-text">{personText(tr, names, g.recipient, true)}</span>
          <Deliveries groups={[g]} names={names} when={when} />
        </span>
      </li>
    )
  }
  const e = item.entry
  const line = describe(tr, names, e)
  return (
    <li class={`tl tl-tone-${line.tone}`} data-testid="timeline-entry" data-action={e.action} data-source={e.source}>
      <time class="tl-time mono" dateTime={e.at} title={dateTime(e.at, tr.lang)}>{when(e.at)}</time>
      <span class="tl-body">
        <strong class="tl-action">{line.title}</strong>
        {line.text !== '' && <span class="tl-text">{line.text}</span>}
        {(item.deliveries.length > 0 || item.echoes.length > 0) && <Deliveries groups={item.deliveries} extra={item.echoes} names={names} when={when} />}
      </span>
    </li>
  )
}

function groupTone(tr: Translator, g: DeliveryGroup): string {
  if (g.unreached) return 'bad'
  const tones = g.latest.map((e) => deliveryStatus(tr, e).tone)
  return tones.includes('ok') ? 'ok' : tones.includes('bad') ? 'bad' : 'neutral'
}

/** The latest state per channel as chips, and every step behind one expander. */
function Deliveries({ groups, extra = [], names, when }: { groups: DeliveryGroup[]; extra?: TimelineEntry[]; names: Names; when: (iso: string) => string }) {
  const tr = useI18n()
  const steps = [...groups.flatMap((g) => g.entries), ...extra].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  return (
    <span class="tl-deliveries">
      {groups.map((g) => (
        <span key={g.key} class="tl-chips">
          {g.latest.map((e) => {
            const s = deliveryStatus(tr, e)
            return <span key={e.channel} class={`chip chip-${s.tone}`} data-channel={e.channel}>{tr.tc('channel', e.channel)} · {s.text}</span>
          })}
          {g.unreached && <span class="chip chip-bad">{deliveryStatus(tr, g.unreached).text}</span>}
        </span>
      ))}
      <details class="tl-more">
        <summary>{extra.length === 0 ? tr.t('tl.attempts', { n: steps.length }) : tr.t('tl.minorEntries', { n: steps.length })}</summary>
        <ol class="timeline timeline-nested">
          {steps.map((e, i) => <EntryLine key={`${e.at}-${i}`} entry={e} names={names} when={when} nested />)}
        </ol>
      </details>
    </span>
  )
}

/** Page views and repeated presses: who looked, how often the alarm repeated; the rows behind an expander. */
function MinorLine({ entries, names, when }: { entries: TimelineEntry[]; names: Names; when: (iso: string) => string }) {
  const tr = useI18n()
  const parts: string[] = []
  const updates = entries.filter((e) => e.action === 'alarm_updated')
  if (updates.length > 0) {
    const total = updates.map((e) => e.detail?.occurrences).filter((n): n is number => typeof n === 'number').pop()
    parts.push(tr.t('tl.pressedAgain', { n: updates.length, total: total ?? '?' }))
  }
  const viewers = new Map<string, number>()
  // A detail page load also reads the vitals: count the page, not both requests.
  const views = entries.filter((e) => e.action !== 'alarm_updated')
  const pages = views.some((e) => e.action !== 'view_vitals') ? views.filter((e) => e.action !== 'view_vitals') : views
  for (const e of pages) {
    const name = personText(tr, names, e.actor)
    viewers.set(name, (viewers.get(name) ?? 0) + 1)
  }
  if (viewers.size > 0) parts.push(tr.t('tl.viewedBy', { who: [...viewers].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(tr.lang === 'en' ? ', ' : '、') }))
  const first = entries[0]!
  const last = entries[entries.length - 1]!
  return (
    <li class="tl tl-minor" data-testid="timeline-minor">
      <time class="tl-time mono" dateTime={first.at} title={dateTime(first.at, tr.lang)}>{when(first.at)}</time>
      <span class="tl-body">
        <span class="tl-text muted">{parts.join(' · ')}{last !== first && ` (– ${when(last.at)})`}</span>
        <details class="tl-more">
          <summary>{tr.t('tl.minorEntries', { n: entries.length })}</summary>
          <ol class="timeline timeline-nested">
            {entries.map((e, i) => <EntryLine key={`${e.at}-${i}`} entry={e} names={names} when={when} nested />)}
          </ol>
        </details>
      </span>
    </li>
  )
}
