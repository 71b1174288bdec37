import { Writable } from 'node:stream'
import { createLogger, type Logger } from '@anxin/logging'

/**
 * A logger for tests: quiet unless TEST_LOG is set; every line is also kept so a test can inspect it. `level`
 * (default TEST_LOG or 'info', the level services run at) lets a test capture more, e.g. 'debug'.
 */
export function testLogger(service = 'test', level = process.env.TEST_LOG ?? 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      if (process.env.TEST_LOG) process.stderr.write(chunk)
      done()
    },
  })
  return { logger: createLogger({ service, level, destination }), lines }
}
