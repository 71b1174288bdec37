/**
 * Which channels to use to reach one person about one alarm, in which order, and whether to wait for the end
 * of their quiet hours. Pure: the time is an argument (an ISO instant with an offset).
 *
 * Rules:
 *
 * - Order: the person's preferred channels that are available (in their order), then the requested channels
 *   that are available (in the request's order), then every other available channel in FALLBACK_ORDER.
 *   Reaching the person on a channel nobody asked for beats not reaching them. No channel appears twice.
 *   Requested names that are not delivery channels ('console', which another service shows on the operator
 *   console, or a name this service does not know) are ignored, as are unavailable preferred channels.
 * - Critical alarm: sendNow is every channel of the order that was requested or preferred (escalation asks
 *   for several channels at once on purpose: keep notifying, on more than one channel); when none was, the
 *   first channel of the order. Not critical: sendNow is the first channel of the order only.
 *   fallbacks is the rest of the order, in order.
 * - Quiet hours never apply to a critical alarm. For a non-critical alarm whose `now` falls inside the
 *   person's quiet hours, notBefore is the end of that quiet period (the deliveries wait); otherwise null.
 * - unreachable: the order is empty (no channel to send on now or later). notBefore is then null: there is
 *   nothing to wait for, and the caller should report the person unreachable at once.
 *
 * Quiet hours:
 *
 * - 'HH:MM' local wall-clock times in the person's IANA zone, start inclusive, end exclusive. A window may
 *   wrap midnight (22:00–07:00); start == end means no quiet hours (not "quiet all day").
 * - The quiet period ends at the first instant after `now` at which the wall clock shows `end`. When clocks
 *   go forward over `end` (Europe/London 01:00 → 02:00 with end 01:30) it ends at the jump; when clocks go
 *   back and `end` is shown twice, at the occurrence after `now`.
 * - Malformed quiet hours (bad 'HH:MM', unknown zone) make quietUntil throw a RangeError; they should be
 *   refused when saved. planDelivery reads such a preference as "no quiet hours": a broken preference must not
 *   stop an alarm from going out, and waking someone early is the lesser harm.
 */
import { DAY, MINUTE, firstInstantShowing, parseInstant, wallClockAt } from '@anxin/wall-clock'
import { DELIVERY_CHANNELS, type DeliveryChannel } from '../channels/channel.ts'

export type QuietHours = { start: string; end: string; timezone: string }
export type DeliveryPreferences = { channels: DeliveryChannel[] | null; quietHours: QuietHours | null }
export type PlanInput = {
  /** Channels named by escalation's command; may include 'console' and unknown names, which are ignored. */
  requested: readonly string[]
  /** Channels this recipient can be reached on now (an e-mail address, a phone, a push subscription, …). */
  available: readonly DeliveryChannel[]
  preferences: DeliveryPreferences
  critical: boolean
  now: string
}
export type DeliveryPlan = { sendNow: DeliveryChannel[]; fallbacks: DeliveryChannel[]; notBefore: string | null; unreachable: boolean }

/** Last-resort order for available channels nobody asked for: the fastest to be noticed first. */
export const FALLBACK_ORDER: readonly DeliveryChannel[] = ['responder_app', 'sms', 'phone', 'email', 'webhook']

export function planDelivery(input: PlanInput): DeliveryPlan {
  parseInstant(input.now, 'now') // a bad `now` is the caller's bug: thrown whether or not quiet hours are read
  const available = new Set(input.available)
  const preferred = (input.preferences.channels ?? []).filter(c => available.has(c))
  const requested = input.requested.filter(isDeliveryChannel).filter(c => available.has(c))
  // A channel missing from FALLBACK_ORDER (one added to channel.ts later) still comes last rather than never.
  const order = unique([...preferred, ...requested, ...FALLBACK_ORDER.filter(c => available.has(c)), ...input.available])

  let sendNow: DeliveryChannel[]
  if (input.critical) {
    const asked = new Set<DeliveryChannel>([...preferred, ...requested])
    sendNow = order.filter(c => asked.has(c))
    if (sendNow.length === 0) sendNow = order.slice(0, 1)
  } else {
    sendNow = order.slice(0, 1)
  }
  const now = new Set(sendNow)
  const fallbacks = order.filter(c => !now.has(c))
  const unreachable = order.length === 0

  let notBefore: string | null = null
  const quiet = input.preferences.quietHours
  if (!input.critical && !unreachable && quiet) {
    try {
      notBefore = quietUntil(quiet, input.now)
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
      notBefore = null // a malformed preference: see the header
    }
  }
  return { sendNow, fallbacks, notBefore, unreachable }
}

/** The end of the quiet period `now` falls in (ISO UTC), or null when `now` is outside quiet hours. */
export function quietUntil(quiet: QuietHours, now: string): string | null {
  const at = parseInstant(now, 'now')
  const start = parseHhMm(quiet.start, 'quiet hours start')
  const end = parseHhMm(quiet.end, 'quiet hours end')
  const zone = quiet.timezone
  const wall = wallClockAt(at, zone) // throws RangeError for an unknown zone
  if (start === end) return null

  const minute = Math.floor(mod(wall, DAY) / MINUTE)
  const wraps = start > end
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end
  if (!inside) return null

  // The quiet period ends today, or tomorrow when it wrapped midnight and we are before midnight.
  const today = wall - mod(wall, DAY)
  const target = today + (wraps && minute >= start ? DAY : 0) + end * MINUTE
  return new Date(firstInstantShowing(target, zone, at)).toISOString()
}

// --- time zones -------------------------------------------------------------------------------------------

// --- parsing and helpers ----------------------------------------------------------------------------------

/** 'HH:MM' to minutes since midnight. */
function parseHhMm(value: string, what: string): number {
  const m = typeof value === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value) : null
  if (!m) throw new RangeError(`${what} must be HH:MM, got ${JSON.stringify(value)}`)
  return Number(m[1]) * 60 + Number(m[2])
}

function isDeliveryChannel(name: string): name is DeliveryChannel {
  return (DELIVERY_CHANNELS as readonly string[]).includes(name)
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)]
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b
}
