import { spawn, type ChildProcess } from 'node:child_process'
import { freePort, waitForPort } from '@anxin/infra/stack'
import type { Teardown } from './teardown.ts'

export type PrivateRedis = { url: string; port: number; pid: () => number | null; kill: () => Promise<void>; start: () => Promise<void> }

/**
 * A Redis server of this test's own, for tests that kill it: without persistence, as the harshest case (a
 * restart loses everything it held).
 */
export async function privateRedis(t: Teardown): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | null = null
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    await waitForPort(port, { timeoutMs: 10000 })
  }
  const kill = async () => {
    const running = child
    if (!running || running.exitCode !== null) return
    await new Promise<void>(resolve => {
      running.once('exit', () => resolve())
      running.kill('SIGKILL')
    })
  }
  await start()
  t.teardown(kill)
  return { url: `redis://127.0.0.1:${port}/0`, port, pid: () => child?.pid ?? null, kill, start }
}
