import { z } from 'zod'
import type { SystemAlarm } from '../domain/system-alarms.ts'

const systemAlarmSchema = z.object({
  id: z.string(), kind: z.string(), subject: z.string(), severity: z.enum(['critical', 'warning']), detail: z.string(), raisedAt: z.string(), clearedAt: z.string().nullable(),
})
const boardSchema = z.object({ active: z.array(systemAlarmSchema), recent: z.array(systemAlarmSchema), checkedAt: z.string().nullable() })

export type WatchdogBoard = { active: SystemAlarm[]; recent: SystemAlarm[]; checkedAt: string | null }
export type WatchdogRead = { ok: true; board: WatchdogBoard } | { ok: false; reason: string }

/** Asks the watchdog for its system alarms, within `timeoutMs`; every failure is a reason, never a throw. */
export async function readWatchdog(baseUrl: string, timeoutMs: number): Promise<WatchdogRead> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/$/, '')}/system-alarms`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
    if (!response.ok) return { ok: false, reason: `the watchdog answered ${response.status}` }
    const parsed = boardSchema.safeParse(await response.json())
    return parsed.success ? { ok: true, board: parsed.data } : { ok: false, reason: 'the watchdog answered something unexpected' }
  } catch (error) {
    const name = (error as Error).name
    return { ok: false, reason: name === 'TimeoutError' ? `no answer from the watchdog within ${timeoutMs} ms` : 'the watchdog cannot be reached' }
  }
}

export { systemAlarmSchema }
