/**
 * System alarms: faults of the platform itself, raised by the watchdog (services/watchdog), shown to the desk
 * as a red banner. When the watchdog cannot be asked, or has stopped checking, the console says so with an
 * alarm of its own: the operator must never see "all fine" when nobody is watching.
 */
export type SystemAlarm = {
  id: string
  kind: string
  subject: string
  severity: 'critical' | 'warning'
  detail: string
  raisedAt: string
  clearedAt: string | null
}

/** A watchdog whose last completed check is older than this is not watching. */
export const WATCHDOG_STALE_AFTER_MS = 30_000

export function watchdogUnreachable(now: Date, detail: string): SystemAlarm {
  return { id: 'watchdog_unreachable:watchdog', kind: 'watchdog_unreachable', subject: 'watchdog', severity: 'critical', detail, raisedAt: now.toISOString(), clearedAt: null }
}

/** Why a watchdog answer cannot be trusted as "all fine", or null when it can. */
export function staleness(checkedAt: string | null, now: Date): string | null {
  if (checkedAt === null) return 'the watchdog has not completed a check yet'
  const ageMs = now.getTime() - Date.parse(checkedAt)
  return ageMs > WATCHDOG_STALE_AFTER_MS ? `the watchdog's last completed check is ${Math.round(ageMs / 1000)} s old` : null
}
