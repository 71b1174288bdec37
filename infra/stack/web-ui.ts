import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Logger } from '@anxin/logging'

const run = promisify(execFile)

/**
 * Builds the console's web UI (Vite) into services/console/web/dist, where the console serves it from. It is
 * rebuilt every time (a few seconds) so what runs is always the checked-out source.
 */
export async function buildWebUi(logger: Pick<Logger, 'info'>): Promise<void> {
  const started = Date.now()
  await run('pnpm', ['--filter', '@anxin/console-web', 'run', 'build'], { maxBuffer: 16 * 1024 * 1024 })
  logger.info({ ms: Date.now() - started }, 'console web UI built')
}
