import { execSync } from 'node:child_process'
import type { StackSettings } from './settings.ts'
import { isPortOpen, waitForPort } from './ports.ts'

/** The machine's Redis: started (in-memory, as on the CI machines) if nothing answers on its port. */
export async function ensureRedis(settings: StackSettings): Promise<void> {
  const port = Number(new URL(settings.REDIS_URL).port || 6379)
  if (await isPortOpen(port)) return
  execSync(`redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no`, { stdio: 'inherit' })
  await waitForPort(port, { timeoutMs: 15000 })
}
