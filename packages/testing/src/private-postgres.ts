import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@anxin/infra/stack'
import type { Teardown } from './teardown.ts'

export type PrivatePostgres = { url: string; restart: () => void; stop: () => void; start: () => void; dataDir: string }

/**
 * A PostgreSQL server of this test's own (the machine's binaries, a fresh cluster in a temporary folder),
 * for tests that restart or stop the database, which must not disturb the shared one other tests use.
 */
/** `settings`: extra server settings (`-c name=value`), e.g. a small WAL for a cluster on a small disk. */
export async function privatePostgres(t: Teardown, options: { parentDir?: string; settings?: Record<string, string> } = {}): Promise<PrivatePostgres> {
  const versions = readdirSync('/usr/lib/postgresql').sort()
  const bin = join('/usr/lib/postgresql', versions.at(-1)!, 'bin')
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'anxin-pg-'))
  const data = join(dir, 'data')
  // PostgreSQL refuses to run as root: run it as the postgres user, who must own the folder.
  const asPostgres = userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--'] : []
  if (userInfo().uid === 0) {
    const pgUser = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()
    const pgGroup = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()
    chownSync(dir, Number(pgUser), Number(pgGroup))
    chmodSync(dir, 0o700)
  }
  const run = (args: string[]) => {
    const [command, ...rest] = [...asPostgres, ...args]
    return execFileSync(command!, rest, { stdio: 'pipe' })
  }
  const port = await freePort()
  const extra = Object.entries(options.settings ?? {}).map(([k, v]) => ` -c ${k}=${v}`).join('')
  run([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'])
  const ctl = (action: string) =>
    run([join(bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'server.log'), '-w', '-m', 'fast', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${extra}`, action])
  ctl('start')
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    try {
      ctl('stop')
    } catch {
      // already down
    }
  }
  t.teardown(() => {
    stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const start = () => {
    stopped = false
    ctl('start')
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, restart: () => ctl('restart'), stop, start, dataDir: data }
}
