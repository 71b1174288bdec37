import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '@anxin/logging'
import { REPO_ROOT, RUN_DIR } from './settings.ts'

/**
 * `livenessUrl`: probed while the service runs; by default its `/health/live` when its env names an HTTP_PORT.
 * null: not probed (a tool without HTTP).
 */
export type SupervisedService = { name: string; entry: string; env: Record<string, string>; livenessUrl?: string | null }

export type SupervisorOptions = {
  logDir?: string
  /** How often a running service's liveness is probed, how long one probe may take, and how many in a row may fail. */
  liveness?: { intervalMs: number; timeoutMs: number; failures: number }
  /** A restart because of a frozen service or an exit, for tests and benchmarks that measure recovery. */
  onRestart?: (event: { service: string; cause: 'exited' | 'unresponsive'; at: number }) => void
}

// About 6 s without an answer: long enough that a service starved of CPU for a moment on a small machine is
// not restarted (a restart costs more than the pause), short enough that a frozen one is back within seconds.
const DEFAULT_LIVENESS = { intervalMs: 2000, timeoutMs: 2000, failures: 3 }

/**
 * Runs platform services as child processes, each logging to <logDir>/<name>.log, as a process manager would
 * in production: a service that dies is restarted (with a growing pause), and a service that stops answering
 * its liveness probe (frozen, deadlocked, its event loop blocked) is killed with SIGKILL and restarted, like
 * a Kubernetes liveness probe. A frozen consumer holds its partitions until Kafka's session times out and
 * never processes them; killing it hands them back at once. `stop` sends SIGTERM and waits.
 */
export function superviseServices(services: SupervisedService[], logger: Logger, options: SupervisorOptions = {}) {
  const logDir = options.logDir ?? join(RUN_DIR, 'logs')
  const liveness = options.liveness ?? DEFAULT_LIVENESS
  mkdirSync(logDir, { recursive: true })
  const children = new Map<string, ChildProcess>()
  const probes = new Map<string, NodeJS.Timeout>()
  const killedAsUnresponsive = new Set<string>()
  let stopping = false

  function livenessUrlOf(service: SupervisedService): string | null {
    if (service.livenessUrl !== undefined) return service.livenessUrl
    const port = Number(service.env.HTTP_PORT ?? 0)
    return port > 0 ? `http://127.0.0.1:${port}/health/live` : null
  }

  function watchLiveness(service: SupervisedService, child: ChildProcess): void {
    const url = livenessUrlOf(service)
    if (!url) return
    let answeredOnce = false
    let failures = 0
    let probing = false
    const timer = setInterval(async () => {
      if (probing || child.exitCode !== null || child.signalCode !== null) return
      probing = true
      const ok = await fetch(url, { signal: AbortSignal.timeout(liveness.timeoutMs) }).then(r => r.ok, () => false)
      probing = false
      // A service still starting up (connecting to Kafka, loading its registry) is not judged yet.
      if (ok) {
        answeredOnce = true
        failures = 0
        return
      }
      if (!answeredOnce || ++failures < liveness.failures) return
      logger.error({ service: service.name, failures }, 'service does not answer its liveness probe; killing it to restart it')
      clearInterval(timer)
      killedAsUnresponsive.add(service.name)
      options.onRestart?.({ service: service.name, cause: 'unresponsive', at: Date.now() })
      child.kill('SIGKILL')
    }, liveness.intervalMs)
    timer.unref()
    probes.set(service.name, timer)
  }

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
    watchLiveness(service, child)
    const startedAt = Date.now()
    child.once('exit', (code, signal) => {
      clearInterval(probes.get(service.name))
      probes.delete(service.name)
      children.delete(service.name)
      const unresponsive = killedAsUnresponsive.delete(service.name)
      if (stopping) return
      const stable = Date.now() - startedAt > 60000
      const pause = stable ? 1000 : Math.min(30000, 1000 * 2 ** restarts)
      logger.warn({ service: service.name, code, signal, restartInMs: pause }, 'service exited; restarting')
      if (!unresponsive) options.onRestart?.({ service: service.name, cause: 'exited', at: Date.now() })
      setTimeout(() => launch(service, stable ? 0 : restarts + 1), pause).unref()
    })
  }

  for (const service of services) launch(service, 0)
  return {
    running: () => [...children.keys()],
    pid: (name: string) => children.get(name)?.pid ?? null,
    /** Sends a signal to one service (tests inject faults with SIGKILL and SIGSTOP). */
    signal: (name: string, signal: NodeJS.Signals) => {
      const child = children.get(name)
      if (!child) throw new Error(`${name} is not running`)
      child.kill(signal)
    },
    stop: async () => {
      stopping = true
      for (const timer of probes.values()) clearInterval(timer)
      await Promise.all(
        [...children.values()].map(
          child =>
            new Promise<void>(resolve => {
              child.once('exit', () => resolve())
              // A frozen child never acts on SIGTERM.
              child.kill('SIGCONT')
              child.kill('SIGTERM')
            }),
        ),
      )
    },
  }
}
