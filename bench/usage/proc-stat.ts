/**
 * Reading a process's CPU time and memory from Linux's /proc, the way `ps` and `top` do. The parsing is pure
 * so it can be tested on captured lines.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second for utime/stime: 100 on every Linux the platform runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_S = 100

export type ProcessSample = { pid: number; ppid: number; cpuMs: number; rssKiB: number }

/** utime + stime from a /proc/<pid>/stat line; the command name may contain spaces and parentheses. */
export function parseStat(line: string): { ppid: number; cpuMs: number } {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ')
  // After the name: state(0) ppid(1) ... utime(11) stime(12), i.e. fields 14 and 15 of proc(5).
  const ticks = Number(fields[11]) + Number(fields[12])
  return { ppid: Number(fields[1]), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S }
}

/** VmRSS in KiB from /proc/<pid>/status (0 for a zombie, which has none). */
export function parseRssKiB(status: string): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
  return match ? Number(match[1]) : 0
}

/** CPU time of one process, or null when it has exited. */
export function readCpu(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null // it exited between listing and reading
  }
}

function readRssKiB(pid: number): number {
  try {
    return parseRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return 0
  }
}

/** Every process now, with its parent and CPU time: one read of each /proc/<pid>/stat. */
export function allProcesses(): Map<number, { ppid: number; cpuMs: number }> {
  const all = new Map<number, { ppid: number; cpuMs: number }>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const cpu = readCpu(Number(name))
    if (cpu) all.set(Number(name), cpu)
  }
  return all
}

/** `root`, and with `descendants` every process forked from it, with memory read for these only. */
export function processTree(root: number, all: Map<number, { ppid: number; cpuMs: number }>, descendants: boolean): ProcessSample[] {
  const children = new Map<number, number[]>()
  for (const [pid, p] of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid])
  const tree: ProcessSample[] = []
  const queue = all.has(root) ? [root] : []
  while (queue.length) {
    const pid = queue.shift()!
    const p = all.get(pid)!
    tree.push({ pid, ppid: p.ppid, cpuMs: p.cpuMs, rssKiB: readRssKiB(pid) })
    if (descendants) queue.push(...(children.get(pid) ?? []))
  }
  return tree
}

/** The oldest process whose command line matches `pattern` (e.g. the PostgreSQL postmaster), or null. */
export function pidByCommand(pattern: RegExp): number | null {
  for (const name of readdirSync('/proc').filter(n => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
    try {
      if (pattern.test(readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' '))) return Number(name)
    } catch {
      // exited while we looked
    }
  }
  return null
}
