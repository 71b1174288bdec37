import { execFileSync } from 'node:child_process'
import { createConnection, createServer } from 'node:net'

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise(resolve => {
    const socket = createConnection({ port, host })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(false))
  })
}

export async function waitForPort(
  port: number,
  options: { timeoutMs: number; host?: string; failIf?: () => string | null },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  while (Date.now() < deadline) {
    const failure = options.failIf?.()
    if (failure) throw new Error(failure)
    if (await isPortOpen(port, options.host)) return
    await new Promise(r => setTimeout(r, 100))
  }
  throw new Error(`nothing answered on ${options.host ?? '127.0.0.1'}:${port} within ${options.timeoutMs} ms`)
}

/** A port the kernel says is free right now (for test servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Which process listens on a port, for a clear "port held by X" error. Best effort. */
export function portHolder(port: number): string {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' })
    const name = /users:\(\("([^"]+)",pid=(\d+)/.exec(out)
    return name ? `${name[1]} (pid ${name[2]})` : 'another process'
  } catch {
    return 'another process'
  }
}
