import { allProcesses, processTree } from './proc-stat.ts'

/**
 * A part of the platform to account for, found by its root process id (null while it is not running).
 * `withDescendants` counts the processes it forks too (PostgreSQL's backends); never set it for the
 * benchmark's own process, whose children are the services measured on their own.
 */
export type TrackedPart = { name: string; rootPid: () => number | null; withDescendants?: boolean }

export type PartUsage = {
  name: string
  cpuSeconds: number
  /** Average over the window, in cores (1.0 = one core fully busy). */
  cpuCores: number
  /** Highest resident memory seen, summed over the part's processes (PostgreSQL: every backend). */
  peakRssMiB: number
}

export type UsageWindow = { seconds: number; parts: PartUsage[] }

/**
 * CPU time and peak memory of each part while a benchmark runs, sampled from /proc every `intervalMs`.
 * CPU is counted per process (a process that exits mid-window keeps what it used until its last sample).
 */
export function trackUsage(parts: TrackedPart[], intervalMs = 1000): { stop: () => UsageWindow } {
  const started = performance.now()
  const firstCpu = new Map<string, Map<number, number>>()
  const lastCpu = new Map<string, Map<number, number>>()
  const peakKiB = new Map<string, number>()
  const sample = () => {
    const all = allProcesses()
    for (const part of parts) {
      const root = part.rootPid()
      if (root === null) continue
      const tree = processTree(root, all, part.withDescendants ?? false)
      const first = firstCpu.get(part.name) ?? new Map<number, number>()
      const last = lastCpu.get(part.name) ?? new Map<number, number>()
      for (const p of tree) {
        if (!first.has(p.pid)) first.set(p.pid, p.cpuMs)
        last.set(p.pid, p.cpuMs)
      }
      firstCpu.set(part.name, first)
      lastCpu.set(part.name, last)
      const rss = tree.reduce((sum, p) => sum + p.rssKiB, 0)
      peakKiB.set(part.name, Math.max(peakKiB.get(part.name) ?? 0, rss))
    }
  }
  sample()
  const timer = setInterval(sample, intervalMs)
  return {
    stop: () => {
      sample()
      clearInterval(timer)
      const seconds = (performance.now() - started) / 1000
      return {
        seconds: Math.round(seconds * 10) / 10,
        parts: parts.map(part => {
          const first = firstCpu.get(part.name) ?? new Map<number, number>()
          let cpuMs = 0
          for (const [pid, last] of lastCpu.get(part.name) ?? []) cpuMs += last - (first.get(pid) ?? last)
          return {
            name: part.name,
            cpuSeconds: Math.round(cpuMs / 10) / 100,
            cpuCores: Math.round((cpuMs / 1000 / seconds) * 100) / 100,
            peakRssMiB: Math.round(((peakKiB.get(part.name) ?? 0) / 1024) * 10) / 10,
          }
        }),
      }
    },
  }
}
