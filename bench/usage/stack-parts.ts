import { existsSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { pidByCommand } from './proc-stat.ts'
import type { TrackedPart } from './process-usage.ts'

/** The shared servers of the local stack, found by command line (their pids change across restarts). */
export function stackParts(): TrackedPart[] {
  return [
    { name: 'kafka', rootPid: remembered(/java .*kafka\.Kafka /) },
    { name: 'postgresql', rootPid: remembered(/postgres -D /), withDescendants: true },
    { name: 'redis', rootPid: remembered(/^redis-server /) },
  ]
}

/** Looks the process up once and again only after it has gone (scanning every command line is not cheap). */
function remembered(pattern: RegExp): () => number | null {
  let pid: number | null = null
  return () => {
    if (pid === null || !existsSync(`/proc/${pid}`)) pid = pidByCommand(pattern)
    return pid
  }
}

/** A platform service this benchmark started as a child process. */
export function childPart(name: string, child: ChildProcess): TrackedPart {
  return { name, rootPid: () => (child.exitCode === null ? (child.pid ?? null) : null) }
}
