import type { Logger } from '@anxin/logging'

/** SIGTERM/SIGINT run `stop` once (ordered shutdown); a second signal or a 20 s overrun exits at once. */
export function installShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    logger.info({ signal }, 'shutting down')
    setTimeout(() => process.exit(1), 20000).unref()
    stop().then(
      () => process.exit(0),
      error => {
        logger.error({ err: (error as Error).message }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
