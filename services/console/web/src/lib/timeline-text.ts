// One translated line per timeline entry: "通知 张颖（护理员）", "短信 → 张颖：已送达（第 2 次）", "误报（施雨婷）".
// Server detail objects are read defensively: a missing field leaves a shorter line, never a crash.
import type { TimelineEntry } from '../api/types.ts'
import type { Translator } from '../i18n/i18n.tsx'
import { timeOfDay } from './format.ts'
import { asPerson, deliveryEvent, str, type Names, type PersonRef } from './timeline-story.ts'

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral'
export type Line = { title: string; text: string; tone: Tone }

const SYSTEM_NAMES: Record<string, 'tl.systemAlert' | 'tl.systemEscalation' | 'tl.systemDispatch'> = {
  alert: 'tl.systemAlert',
  escalation: 'tl.systemEscalation',
  dispatch: 'tl.systemDispatch',
}

function paren(tr: Translator, text: string, inner: string): string {
  return tr.lang === 'en' ? `${text} (${inner})` : `${text}（${inner}）`
}

/** A person's name, with the role (staff) or relation (contact) when asked for and known. */
export function personText(tr: Translator, names: Names, p: PersonRef | null, withRole = false): string {
  if (p === null) return '—'
  const known = names.get(`${p.kind}:${p.id}`)
  const name = p.name ?? known?.name ?? null
  const role = p.role ?? known?.role ?? null
  if (p.kind === 'system' || (p.kind === 'staff' && name === null && p.id in SYSTEM_NAMES)) {
    const key = SYSTEM_NAMES[p.id]
    return key ? tr.t(key) : tr.t('tl.staffSystem')
  }
  const shown = name ?? (p.kind === 'contact' ? tr.t('tl.contact') : p.id)
  if (!withRole || role === null) return shown
  return paren(tr, shown, p.kind === 'staff' ? tr.tc('role', role) : role)
}

function actorText(tr: Translator, names: Names, e: TimelineEntry): string {
  return personText(tr, names, e.actor ? { kind: e.actor.kind, id: e.actor.id, name: e.actor.name } : null)
}

function staffById(id: unknown): PersonRef | null {
  return typeof id === 'string' && id !== '' ? { kind: 'staff', id } : null
}

/** Server-written notes (dispatch, phone calls) are English sentences of known shapes: translated here. */
export function noteText(tr: Translator, names: Names, text: string): string {
  const who = (id: string): string => personText(tr, names, { kind: 'staff', id })
  let m = /^phone call to (resident|contact|responder|120)(?: ([^:]+))?: (answered|no_answer|busy|wrong_number)(?: \((.*)\))?$/s.exec(text)
  if (m) {
    const line = tr.t('tl.phoneCall', { to: tr.tc('callTo', m[1]), name: m[2] ? ` ${m[2]}` : '', outcome: tr.tc('callOutcome', m[3]) })
    return m[4] ? `${line} · ${m[4]}` : line
  }
  m = /^responder (\S+) declined the home visit: (.*)$/s.exec(text)
  if (m) return tr.t('tl.declined', { who: who(m[1]!), reason: m[2] === 'no reason given' ? tr.t('tl.noReason') : m[2]! })
  m = /^responder (\S+) did not answer the home visit offer by (\S+)$/.exec(text)
  if (m) return tr.t('tl.noAnswerBy', { who: who(m[1]!), t: timeOfDay(m[2], tr.lang) })
  m = /^responder (\S+) is on the way$/.exec(text)
  if (m) return tr.t('tl.onTheWay', { who: who(m[1]!) })
  if (text === 'cancelled by the wearer within the grace period') return tr.t('tl.wearerCancelled')
  if (text === 'another responder has arrived') return tr.t('tl.otherArrived')
  m = /^alarm (resolved|closed)(?: \((\w+)\))?$/.exec(text)
  if (m) return m[2] ? paren(tr, tr.tc('state', m[1]), tr.tc('outcome', m[2])) : tr.tc('state', m[1])
  return text
}

/** "已送达", "已接听", "发送失败，将重试（第 2 次）" for one delivery step. */
export function deliveryStatus(tr: Translator, e: TimelineEntry): { text: string; tone: Tone } {
  const event = deliveryEvent(e.action)
  const answer = str(e.detail?.providerAnswer) ?? ''
  let key = tr.has('delivery', event) ? event : null
  if (event === 'receipt_delivered' && e.channel === 'phone' && /answered/i.test(answer)) key = 'answered'
  let text = key ? tr.tc('delivery', key) : event
  const attempt = typeof e.detail?.attempt === 'number' ? e.detail.attempt : null
  if (attempt !== null && attempt > 1) text = paren(tr, text, tr.t('tl.attempt', { n: attempt }))
  const tone: Tone = ['delivered', 'receipt_delivered'].includes(event)
    ? 'ok'
    : ['failed_permanent', 'receipt_failed', 'unreachable', 'exhausted'].includes(event)
      ? 'bad'
      : ['failed_retryable', 'unconfirmed'].includes(event) ? 'warn' : 'neutral'
  // A failure is worth its reason; a success's "HTTP 202 queued" is not.
  if (tone === 'bad' || tone === 'warn') if (answer !== '') text = `${text} · ${answer}`
  return { text, tone }
}

function notificationLine(tr: Translator, names: Names, e: TimelineEntry): Line {
  const purpose = str(e.detail?.purpose) ?? 'alarm'
  const to = personText(tr, names, asPerson(e.detail?.recipient), true)
  const status = deliveryStatus(tr, e)
  const channel = e.channel ? `${tr.tc('channel', e.channel)} → ` : ''
  const colon = tr.lang === 'en' ? ': ' : '：'
  return { title: tr.tc('purpose', purpose), text: `${channel}${to}${colon}${status.text}`, tone: status.tone }
}

export function describe(tr: Translator, names: Names, e: TimelineEntry): Line {
  if (e.source !== 'audit' && e.action.startsWith('notification_')) return notificationLine(tr, names, e)
  const d = e.detail ?? {}
  const title = tr.tc('action', e.action)
  const actor = actorText(tr, names, e)
  const via = e.channel === 'responder_app' ? ` · ${tr.t('tl.via', { channel: tr.tc('channel', e.channel) })}` : ''
  const line = (text: string, tone: Tone = 'neutral'): Line => ({ title, text, tone })
  const responder = (): string => personText(tr, names, asPerson(d.responder) ?? staffById(d.responderId) ?? (e.actor?.kind === 'staff' ? e.actor : null), true)

  switch (e.action) {
    case 'raise':
      return line([tr.tc('alarmType', str(d.alarmType)), tr.tc('severity', str(d.severity)), typeof d.priority === 'number' ? tr.t('tl.priority', { n: d.priority }) : '']
        .filter((x) => x !== '' && x !== '—').join(' · '), 'bad')
    case 'alarm_updated':
      return line(typeof d.occurrences === 'number' ? tr.t('tl.occurrence', { n: d.occurrences }) : '')
    case 'notify': {
      const to = asPerson(d.recipient)
      if (to?.id === 'call_120') return { title: tr.t('detail.call120'), text: '', tone: 'bad' }
      return line(personText(tr, names, to, true))
    }
    case 'acknowledge':
    case 'escalate':
    case 'close':
    case 'view_alarm':
    case 'view_vitals':
    case 'view_resident':
      return line(`${actor}${via}`, e.action === 'acknowledge' ? 'ok' : 'neutral')
    case 'dispatch':
    case 'arrive':
      return line(`${responder()}${via}`, 'ok')
    case 'resolve':
    case 'auto_resolve': {
      const outcome = str(d.outcome)
      const note = str(d.note)
      const main = outcome ? tr.t('tl.outcomeBy', { outcome: tr.tc('outcome', outcome), who: actor }) : actor
      return line(note ? `${main} · ${noteText(tr, names, note)}` : main, 'ok')
    }
    case 'reopen':
      return line([actor, str(d.reason) ? tr.t('tl.reason', { r: str(d.reason)! }) : ''].filter(Boolean).join(' · '), 'warn')
    case 'note': {
      const text = noteText(tr, names, str(d.text) ?? str(d.note) ?? '')
      const by = e.actor?.name ? ` — ${e.actor.name}` : ''
      return line(`${text}${by}`)
    }
    case 'clear':
    case 'cancel':
      return line(str(d.reason) ?? '')
    case 'link_opened':
      return line(`${actor}${str(d.purpose) ? ` · ${tr.tc('purpose', str(d.purpose))}` : ''}`)
    case 'task_created':
      return line(typeof d.sequence === 'number' ? tr.t('tl.task', { n: d.sequence }) : '')
    case 'task_offer': {
      const expires = str(d.expiresAt)
      return line(`→ ${responder()}${expires ? ` · ${tr.t('tl.answerBy', { t: timeOfDay(expires, tr.lang) })}` : ''}`)
    }
    case 'task_offer_expired':
      return line(tr.t('tl.noAnswer', { who: responder() }), 'warn')
    case 'task_decline':
      return line(`${responder()} · ${str(d.reason) ?? tr.t('tl.noReason')}`, 'warn')
    case 'task_arrival_overdue':
      return line(responder(), 'bad')
    case 'task_accept':
    case 'task_depart':
    case 'task_arrive':
      return line(responder(), 'ok')
    case 'task_complete': {
      const outcome = str(d.outcome)
      return line([responder(), outcome ? tr.tc('outcome', outcome) : '', str(d.notes) ?? ''].filter(Boolean).join(' · '), 'ok')
    }
    case 'task_cancel':
      return line(noteText(tr, names, str(d.reason) ?? ''))
    default:
      return line(fallbackText(d, actor))
  }
}

/** An action this UI does not know yet: its actor and its plain values, never ids or JSON. */
function fallbackText(detail: Record<string, unknown>, actor: string): string {
  const parts = Object.entries(detail)
    .filter(([k, v]) => v !== null && v !== '' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && !/id$|Id$|version/i.test(k))
    .map(([k, v]) => `${k}: ${String(v)}`)
  return [actor, ...parts].join(' · ')
}
