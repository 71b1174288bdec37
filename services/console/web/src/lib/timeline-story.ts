// Turns an alarm's raw timeline (every audit row and every delivery step, often a hundred entries) into the
// story an operator reads at a glance: one item per step, the notifications a step caused folded under it,
// and runs of page views and repeated presses folded into one line. Pure: no translation, no rendering.
import type { Contact, StaffRef, Task, TimelineEntry } from '../api/types.ts'

/** Who someone is, from whatever the page knows: `${kind}:${id}` → name and role (staff role or relation). */
export type Who = { kind: string; id: string; name: string | null; role: string | null }
export type Names = Map<string, Who>

export type PersonRef = { kind: string; id: string; name?: string | null; role?: string | null }

/** One notification request: one recipient, one purpose, one or more channels and their steps. */
export type DeliveryGroup = {
  key: string
  purpose: string
  recipient: PersonRef | null
  entries: TimelineEntry[]
  /** The latest step per channel, in the order the channels were first used. */
  latest: TimelineEntry[]
  /** Set when the request as a whole failed: nobody could be reached. */
  unreached: TimelineEntry | null
}

export type StoryItem =
  /** `echoes`: rows that only repeat this step (dispatch telling the escalation service about a task step). */
  | { kind: 'step'; at: string; entry: TimelineEntry; deliveries: DeliveryGroup[]; echoes: TimelineEntry[] }
  | { kind: 'deliveries'; at: string; group: DeliveryGroup }
  | { kind: 'minor'; at: string; entries: TimelineEntry[] }

const MINOR_ACTIONS = new Set(['view_alarm', 'view_vitals', 'view_resident', 'alarm_updated'])

export function isNotification(e: TimelineEntry): boolean {
  return e.source !== 'audit' && e.action.startsWith('notification_')
}

/** The delivery step without its prefix and suffixes: `sent`, `receipt_delivered`, `fallback`, `cancelled`... */
export function deliveryEvent(action: string): string {
  const event = action.replace(/^notification_/, '')
  if (event.startsWith('fallback')) return 'fallback'
  if (event.startsWith('cancelled')) return 'cancelled'
  return event
}

export function asPerson(value: unknown): PersonRef | null {
  if (typeof value === 'string' && value !== '') return { kind: 'staff', id: value }
  if (value === null || typeof value !== 'object') return null
  const v = value as Record<string, unknown>
  if (typeof v.id !== 'string') return null
  return {
    kind: typeof v.kind === 'string' ? v.kind : 'staff',
    id: v.id,
    name: typeof v.name === 'string' ? v.name : null,
    role: typeof v.role === 'string' ? v.role : null,
  }
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

export function collectNames(
  entries: TimelineEntry[],
  context: { residentId: string; assignedCarer: StaffRef | null; familyDoctor: StaffRef | null; contacts: Contact[]; tasks: Task[] },
): Names {
  const names: Names = new Map()
  const put = (who: Who): void => {
    const key = `${who.kind}:${who.id}`
    const known = names.get(key)
    names.set(key, { ...who, name: who.name ?? known?.name ?? null, role: who.role ?? known?.role ?? null })
  }
  for (const s of [context.assignedCarer, context.familyDoctor]) if (s) put({ kind: 'staff', id: s.id, name: s.fullName, role: s.role })
  for (const c of context.contacts) put({ kind: 'contact', id: `${context.residentId}:contact:${c.position}`, name: c.fullName, role: c.relation })
  for (const task of context.tasks) if (task.responderId) put({ kind: 'staff', id: task.responderId, name: task.responderName, role: null })
  for (const e of entries) {
    if (e.actor && e.actor.name) put({ kind: e.actor.kind, id: e.actor.id, name: e.actor.name, role: null })
    const r = asPerson(e.detail?.recipient)
    if (r && (r.name || r.role)) put({ kind: r.kind, id: r.id, name: r.name ?? null, role: r.role ?? null })
  }
  return names
}

function groupDeliveries(entries: TimelineEntry[]): DeliveryGroup[] {
  const groups = new Map<string, DeliveryGroup>()
  for (const e of entries) {
    const recipient = asPerson(e.detail?.recipient)
    const purpose = str(e.detail?.purpose) ?? 'alarm'
    const key = str(e.detail?.commandId) ?? `${purpose}:${recipient?.kind ?? ''}:${recipient?.id ?? ''}`
    let g = groups.get(key)
    if (!g) {
      g = { key, purpose, recipient, entries: [], latest: [], unreached: null }
      groups.set(key, g)
    }
    g.entries.push(e)
    const event = deliveryEvent(e.action)
    if (event === 'unreachable' || event === 'exhausted') {
      g.unreached = e
    } else if (e.channel) {
      const i = g.latest.findIndex((x) => x.channel === e.channel)
      if (i === -1) g.latest.push(e)
      else g.latest[i] = e
    }
  }
  return [...groups.values()]
}

/** The step that caused a notification: the escalation's `notify` of that person, or the visit offer. */
function parentKey(e: TimelineEntry): string | null {
  if (e.action === 'task_offer') {
    const taskId = str(e.detail?.taskId)
    const responderId = str(e.detail?.responderId)
    return taskId && responderId ? `task:${taskId}:offer:${responderId}` : null
  }
  return null
}

/**
 * Dispatch writes each task step that matters to the alarm (declined, offer expired, on the way) into the
 * alarm's lifecycle as a note too, with `requestId` `task:<taskId>:v<n>`: the same fact twice. Such a note
 * is folded under the latest step of that task.
 */
function echoOf(e: TimelineEntry, steps: StoryItem[]): Extract<StoryItem, { kind: 'step' }> | null {
  if (e.action !== 'note') return null
  const m = /^task:([^:]+):v\d+$/.exec(str(e.detail?.requestId) ?? '')
  if (!m) return null
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const s = steps[i]!
    if (s.kind === 'step' && s.entry.action.startsWith('task_') && s.entry.detail?.taskId === m[1]) return s
  }
  return null
}

export function buildStory(raw: TimelineEntry[]): StoryItem[] {
  const entries = [...raw].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  const groups = groupDeliveries(entries.filter(isNotification))
  const attached = new Set<DeliveryGroup>()
  const firstAt = (g: DeliveryGroup): number => Date.parse(g.entries[0]!.at)

  const steps: StoryItem[] = []
  for (const e of entries) {
    if (isNotification(e)) continue
    const echoed = echoOf(e, steps)
    if (echoed) {
      echoed.echoes.push(e)
      continue
    }
    if (MINOR_ACTIONS.has(e.action)) {
      steps.push({ kind: 'minor', at: e.at, entries: [e] })
      continue
    }
    const deliveries: DeliveryGroup[] = []
    const byKey = parentKey(e)
    if (byKey !== null) {
      const g = groups.find((x) => x.key === byKey && !attached.has(x))
      if (g) deliveries.push(g)
    } else if (e.action === 'notify') {
      // An alarm notice for this person sent from this moment on (the escalation level is not in the row).
      const to = asPerson(e.detail?.recipient)
      const at = Date.parse(e.at) - 2000
      const g = to && groups
        .filter((x) => !attached.has(x) && x.purpose === 'alarm' && x.recipient?.id === to.id && firstAt(x) >= at)
        .sort((a, b) => firstAt(a) - firstAt(b))[0]
      if (g) deliveries.push(g)
    }
    for (const g of deliveries) attached.add(g)
    steps.push({ kind: 'step', at: e.at, entry: e, deliveries, echoes: [] })
  }
  for (const g of groups) if (!attached.has(g)) steps.push({ kind: 'deliveries', at: g.entries[0]!.at, group: g })
  steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))

  // Fold each run of minor entries (nothing else in between) into one item.
  const story: StoryItem[] = []
  for (const item of steps) {
    const last = story[story.length - 1]
    if (item.kind === 'minor' && last?.kind === 'minor') last.entries.push(...item.entries)
    else story.push(item.kind === 'minor' ? { ...item, entries: [...item.entries] } : item)
  }
  return story
}
