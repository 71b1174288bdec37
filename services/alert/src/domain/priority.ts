import type { Severity } from './types.ts'

/** The priority-ledger flags (台账) that make the same alarm more urgent for some people than for others. */
export type LedgerFlags = { disabled: boolean; dementia: boolean; veryOld: boolean; livingAlone: boolean; emptyNest: boolean }

// Steps of 100 between severities, flags adding at most 40: severity always decides first (any critical
// alarm ranks above any high one), vulnerability orders alarms of the same severity.
const SEVERITY_BASE: Record<Severity, number> = { critical: 400, high: 300, medium: 200, low: 100 }

// Living alone weighs most: nobody else in the home will notice or help. Dementia, disability and great age
// each make it likelier the person cannot help themselves or answer the phone.
const FLAG_WEIGHT: Record<keyof LedgerFlags, number> = { livingAlone: 12, dementia: 8, disabled: 8, veryOld: 8, emptyNest: 4 }

/** Orders the alarm queue: severity first, then the resident's vulnerability. Higher is more urgent. */
export function priorityFor(severity: Severity, flags: LedgerFlags): number {
  let priority = SEVERITY_BASE[severity]
  for (const [flag, weight] of Object.entries(FLAG_WEIGHT) as Array<[keyof LedgerFlags, number]>) {
    if (flags[flag]) priority += weight
  }
  return priority
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_BASE[a] >= SEVERITY_BASE[b] ? a : b
}
