import type { AlarmBoard, SystemAlarm } from '@anxin/watchdog'
import type { FaultPlatform } from './platform.ts'

export type { SystemAlarm }

/** The watchdog's board of system alarms, as the console's banner gets it. */
export async function systemAlarms(platform: FaultPlatform): Promise<AlarmBoard> {
  const response = await fetch(`http://127.0.0.1:${platform.ports.watchdog}/system-alarms`, { signal: AbortSignal.timeout(2000) })
  return (await response.json()) as AlarmBoard
}

/** Polls the board until an alarm with `id` is active (or, with `cleared`, has been cleared); null on timeout. */
export async function untilSystemAlarm(platform: FaultPlatform, id: string, options: { cleared?: boolean; timeoutMs: number }): Promise<SystemAlarm | null> {
  const deadline = Date.now() + options.timeoutMs
  while (Date.now() < deadline) {
    const board = await systemAlarms(platform).catch(() => null)
    const found = options.cleared
      ? board?.recent.find(a => a.id === id && a.clearedAt !== null)
      : board?.active.find(a => a.id === id)
    if (found) return found
    await new Promise(r => setTimeout(r, 200))
  }
  return null
}
