import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '@anxin/infra/stack'
import type { Press } from './fleet.ts'
import type { Reconciliation } from './reconcile.ts'

/** What one fault cost, as measured: the numbers docs/fault-battery.md reports. */
export type FaultFigures = {
  fault: string
  presses: number
  /** Longest time a device waited for its acknowledgement (it keeps retrying meanwhile). */
  worstAckMs: number
  /** Longest time from a press to its alarm on the operator's console. */
  worstVisibleMs: number
  /**
   * From the fault to the first press after which every press reached the console within a second: how long
   * the platform was not its normal self. 0 when no press was slowed.
   */
  recoveryMs: number
  lost: number
  duplicateAlarms: number
  stepProblems: number
  alarms: number
  notificationsRequested: number
  smsDuplicates: number
}

const NORMAL_MS = 1000

export function faultFigures(fault: string, presses: Press[], visibleAt: Map<string, number>, injectedAt: number, r: Reconciliation): FaultFigures {
  const ackMs = presses.map(p => (p.ackedAt ?? Infinity) - p.sentAt)
  const visibleMs = presses.map(p => (visibleAt.get(p.eventId) ?? Infinity) - p.sentAt)
  const ordered = presses.map((p, i) => ({ sentAt: p.sentAt, slow: visibleMs[i]! > NORMAL_MS })).sort((a, b) => a.sentAt - b.sentAt)
  const lastSlow = ordered.findLastIndex(p => p.slow)
  const firstNormalAfter = ordered[lastSlow + 1]
  const recoveryMs = lastSlow === -1 ? 0 : firstNormalAfter ? Math.max(0, firstNormalAfter.sentAt - injectedAt) : Infinity
  return {
    fault,
    presses: presses.length,
    worstAckMs: Math.round(Math.max(0, ...ackMs)),
    worstVisibleMs: Math.round(Math.max(0, ...visibleMs)),
    recoveryMs: Math.round(recoveryMs),
    lost: r.lost.length,
    duplicateAlarms: r.duplicateAlarms.length,
    stepProblems: r.stepProblems.length,
    alarms: r.alarms,
    notificationsRequested: r.notificationsRequested,
    smsDuplicates: r.smsDuplicates,
  }
}

const RESULTS_DIR = join(REPO_ROOT, 'test/faults/results')

/** Keeps a group's figures in test/faults/results/<group>.json (the latest run), merged by fault name. */
export function recordFigures(group: string, figures: FaultFigures[]): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `${group}.json`)
  let previous: { faults: FaultFigures[] } = { faults: [] }
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    // first run
  }
  const byName = new Map(previous.faults.map(f => [f.fault, f]))
  for (const f of figures) byName.set(f.fault, f)
  writeFileSync(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), machine: '2 cores, everything on one machine', faults: [...byName.values()] }, null, 2)}\n`)
}

export function describeFigures(f: FaultFigures): string {
  return `${f.fault}: ${f.presses} SOS, lost ${f.lost}, duplicate alarms ${f.duplicateAlarms}, step problems ${f.stepProblems}; ` +
    `worst ack ${f.worstAckMs} ms, worst press-to-console ${f.worstVisibleMs} ms, recovered after ${f.recoveryMs} ms; ` +
    `${f.notificationsRequested} notifications for ${f.alarms} alarms, SMS sent twice ${f.smsDuplicates}`
}
