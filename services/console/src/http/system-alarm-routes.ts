import { z } from 'zod'
import { readWatchdog, systemAlarmSchema } from '../adapters/watchdog-client.ts'
import { staleness, watchdogUnreachable } from '../domain/system-alarms.ts'
import type { ApiRouter } from './route-kit.ts'

const answer = z.object({
  /** false: no watchdog is configured (WATCHDOG_URL unset), so there is nothing to show. */
  configured: z.boolean(),
  /** Whether the watchdog answered with a recent check; when not, `active` holds a watchdog_unreachable alarm. */
  reachable: z.boolean().optional(),
  active: z.array(systemAlarmSchema),
  recent: z.array(systemAlarmSchema).optional(),
  checkedAt: z.string().nullable().optional(),
})

/** How long the banner waits for the watchdog: it polls every 5 s and must not hang the page. */
export const WATCHDOG_TIMEOUT_MS = 1000

export function registerSystemAlarmRoutes(api: ApiRouter, options: { watchdogUrl: string | null; now: () => Date }): void {
  api.route({
    method: 'GET', url: '/api/system-alarms', tag: 'system', summary: 'Active system alarms (platform faults seen by the watchdog) for the banner', permission: 'alarms.read',
    response: answer,
    handler: async () => {
      if (options.watchdogUrl === null) return { configured: false, active: [] }
      const read = await readWatchdog(options.watchdogUrl, WATCHDOG_TIMEOUT_MS)
      const now = options.now()
      if (!read.ok) return { configured: true, reachable: false, active: [watchdogUnreachable(now, read.reason)], recent: [], checkedAt: null }
      const stale = staleness(read.board.checkedAt, now)
      // A watchdog that answers but no longer checks: what it says may be out of date, so its alarms are
      // kept and the banner says why.
      if (stale !== null) return { configured: true, reachable: false, ...read.board, active: [watchdogUnreachable(now, stale), ...read.board.active] }
      return { configured: true, reachable: true, ...read.board }
    },
  })
}
