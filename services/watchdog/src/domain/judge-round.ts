import type { DiskObservation, GroupObservation, Observations } from './observations.ts'
import { alarmId, SEVERITY, type SystemAlarm, type SystemAlarmKind } from './system-alarm.ts'

export type JudgeSettings = {
  /** Consecutive bad rounds before a service is unresponsive or not ready, or Kafka unreachable. */
  failedRoundsToRaise: number
  /**
   * Consecutive fine rounds before an alarm clears. Two, not one: every raise and clear pages the on-call
   * engineer, and one lucky answer from a struggling service (a long GC pause ending, an overloaded process
   * answering once) must not announce "all fine" only to raise again a second later. It costs one round.
   */
  fineRoundsToClear: number
  stallAfterMs: number
  diskMinFreePercent: number
  diskMinFreeBytes: number
}

type Condition = { badRounds: number; fineRounds: number; active: SystemAlarm | null }
/** When a group's committed offsets last moved, or it last had nothing to do; and whether it had lag then. */
type GroupProgress = { signature: string; progressAtMs: number; lagging: boolean }

export type WatchdogState = { conditions: Readonly<Record<string, Condition>>; groups: Readonly<Record<string, GroupProgress>> }
export const INITIAL_STATE: WatchdogState = { conditions: {}, groups: {} }

export type RoundResult = { state: WatchdogState; raised: SystemAlarm[]; cleared: SystemAlarm[]; active: SystemAlarm[] }

/** One subject's health this round. Subjects without a verdict (nothing could be seen) keep their state. */
type Verdict = { kind: SystemAlarmKind; subject: string; bad: boolean; detail: string; raiseAfter: number }

const MiB = 1024 * 1024

/**
 * Judges one probing round: the observations and the previous state give the next state and the system
 * alarms raised and cleared. Pure: the time comes in as an argument, so the thresholds are testable.
 */
export function judgeRound(previous: WatchdogState, seen: Observations, now: Date, settings: JudgeSettings): RoundResult {
  const nowMs = now.getTime()
  const verdicts: Verdict[] = []
  for (const target of seen.targets) {
    verdicts.push({
      kind: 'service_unresponsive', subject: target.name, bad: !target.live.ok, raiseAfter: settings.failedRoundsToRaise,
      detail: target.live.ok ? 'answers again' : `no answer from /health/live ${settings.failedRoundsToRaise} times in a row (${target.live.reason})`,
    })
    // A service that does not answer at all is unresponsive, not "not ready": one alarm for one fault.
    if (target.live.ok) {
      verdicts.push({
        kind: 'service_not_ready', subject: target.name, bad: !target.ready.ok, raiseAfter: settings.failedRoundsToRaise,
        detail: target.ready.ok ? 'ready' : `not ready: ${target.ready.failing.join(', ') || 'no reason given'}`,
      })
    }
  }
  // While Kafka cannot be read, nobody can commit: stall clocks restart once it is back, so a Kafka restart
  // does not turn into a burst of "consumer stalled" for every group. A read still pending changes nothing.
  let groups: Record<string, GroupProgress> = {}
  if (seen.kafka.state === 'pending') groups = { ...previous.groups }
  else {
    verdicts.push({
      kind: 'kafka_unreachable', subject: 'kafka', bad: seen.kafka.state === 'unreachable', raiseAfter: settings.failedRoundsToRaise,
      detail: seen.kafka.state === 'unreachable' ? `the watchdog cannot read consumer offsets (${seen.kafka.reason})` : 'reachable',
    })
  }
  if (seen.kafka.state === 'reachable') {
    for (const group of seen.kafka.groups) {
      const { progress, verdict } = judgeGroup(group, previous.groups[group.label], nowMs, settings.stallAfterMs)
      groups[group.label] = progress
      verdicts.push(verdict)
    }
  }
  for (const disk of seen.disks) verdicts.push(judgeDisk(disk, settings))

  const conditions: Record<string, Condition> = { ...previous.conditions }
  const raised: SystemAlarm[] = []
  const cleared: SystemAlarm[] = []
  for (const verdict of verdicts) {
    const id = alarmId(verdict.kind, verdict.subject)
    const before = conditions[id] ?? { badRounds: 0, fineRounds: 0, active: null }
    conditions[id] = step(before, verdict, id, now, settings.fineRoundsToClear, raised, cleared)
  }
  const active = Object.values(conditions)
    .flatMap(c => (c.active ? [c.active] : []))
    .sort((a, b) => (a.severity === b.severity ? a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id) : a.severity === 'critical' ? -1 : 1))
  return { state: { conditions, groups }, raised, cleared, active }
}

function step(before: Condition, verdict: Verdict, id: string, now: Date, fineRoundsToClear: number, raised: SystemAlarm[], cleared: SystemAlarm[]): Condition {
  if (verdict.bad) {
    const badRounds = before.badRounds + 1
    if (before.active) return { badRounds, fineRounds: 0, active: { ...before.active, detail: verdict.detail } }
    if (badRounds < verdict.raiseAfter) return { badRounds, fineRounds: 0, active: null }
    const alarm: SystemAlarm = {
      id, kind: verdict.kind, subject: verdict.subject, severity: SEVERITY[verdict.kind], detail: verdict.detail, raisedAt: now.toISOString(), clearedAt: null,
    }
    raised.push(alarm)
    return { badRounds, fineRounds: 0, active: alarm }
  }
  const fineRounds = before.fineRounds + 1
  if (before.active && fineRounds >= fineRoundsToClear) {
    cleared.push({ ...before.active, clearedAt: now.toISOString() })
    return { badRounds: 0, fineRounds, active: null }
  }
  return { badRounds: 0, fineRounds, active: before.active }
}

/**
 * A group is stalled when it has work (lag > 0) and its committed offsets have not moved for `stallAfterMs`.
 * A group with no lag is fine however long its offsets stand still: there is nothing to commit.
 */
function judgeGroup(group: GroupObservation, before: GroupProgress | undefined, nowMs: number, stallAfterMs: number): { progress: GroupProgress; verdict: Verdict } {
  const signature = Object.entries(group.committed).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',')
  // Work that arrived since the last round starts the clock now: standing offsets without lag prove nothing.
  const moved = before === undefined || before.signature !== signature || group.lag <= 0 || !before.lagging
  const progress = { signature, progressAtMs: moved ? nowMs : before.progressAtMs, lagging: group.lag > 0 }
  const stillFor = nowMs - progress.progressAtMs
  const bad = group.lag > 0 && stillFor >= stallAfterMs
  const detail = bad
    ? `group ${group.groupId}: ${group.lag} messages waiting, committed offsets unchanged for ${Math.round(stillFor / 1000)} s`
    : `group ${group.groupId}: lag ${group.lag}, making progress`
  return { progress, verdict: { kind: 'consumer_stalled', subject: group.label, bad, detail, raiseAfter: 1 } }
}

/** Low when EITHER threshold is crossed (see WATCHDOG_DISK_MIN_FREE_PERCENT); unreadable counts as low. */
export function judgeDisk(disk: DiskObservation, settings: Pick<JudgeSettings, 'diskMinFreePercent' | 'diskMinFreeBytes'>): Verdict {
  const base = { kind: 'disk_low' as const, subject: disk.label, raiseAfter: 1 }
  // Nobody watching must never look like "fine": a path the watchdog cannot measure is an alarm too.
  if (!disk.ok) return { ...base, bad: true, detail: `free space of ${disk.path} unknown (${disk.reason})` }
  const percent = disk.totalBytes > 0 ? (disk.freeBytes / disk.totalBytes) * 100 : 0
  const bad = disk.freeBytes < settings.diskMinFreeBytes || percent < settings.diskMinFreePercent
  const detail =
    `${disk.path}: ${Math.floor(disk.freeBytes / MiB)} MiB free (${percent.toFixed(1)} %) of ${Math.floor(disk.totalBytes / MiB)} MiB; ` +
    `low below ${Math.floor(settings.diskMinFreeBytes / MiB)} MiB or ${settings.diskMinFreePercent} %`
  return { ...base, bad, detail }
}
