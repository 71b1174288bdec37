import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '@anxin/logging'
import { REPO_ROOT, RUN_DIR } from './settings.ts'

export type SupervisedService = { name: string; entry: string; env: Record<string, string> }

/**
 * Runs platform services as child processes, each logging to .run/logs/<name>.log, and restarts one that
 * dies (with a growing pause), as a process manager would in production. `stop` sends SIGTERM and waits.
 */
export function superviseServices(services: SupervisedService[], logger: Logger) {
  const logDir = join(RUN_DIR, 'logs')
  mkdirSync(logDir, { recursive: true })
  const children = new Map<string, ChildProcess>()
  let stopping = false

  function launch(service: SupervisedService, restarts: number): void {
    const log = createWriteStream(join(logDir, `${service.name}.log`), { flags: 'a' })
    const child = spawn(process.execPath, [join(REPO_ROOT, service.entry)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...service.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.pipe(log)
    child.stderr!.pipe(log)
    children.set(service.name, child)
    const startedAt = Date.now()
    child.once('exit', (code, signal) => {
      children.delete(service.name)
      if (stopping) return
      const stable = Date.now() - startedAt > 60000
      const pause = stable ? 1000 : Math.min(30000, 1000 * 2 ** restarts)
      logger.warn({ service: service.name, code, signal, restartInMs: pause }, 'service exited; restarting')
      setTimeout(() => launch(service, stable ? 0 : restarts + 1), pause).unref()
    })
  }

  for (const service of services) launch(service, 0)
  return {
    running: () => [...children.keys()],
    stop: async () => {
      stopping = true
      await Promise.all(
        [...children.values()].map(
          child =>
            new Promise<void>(resolve => {
              child.once('exit', () => resolve())
              child.kill('SIGTERM')
            }),
        ),
      )
    },
  }
}
