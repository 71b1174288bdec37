import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type pg from 'pg'
import { mosquittoPasswordHash, verifyMosquittoPassword } from '@anxin/credentials'
import { listenForChanges, type ChangeListener } from '@anxin/db'
import type { Logger } from '@anxin/logging'
import { renderPasswordFile, type PasswordEntry } from './render.ts'

/** A platform account the broker must know besides the devices (the ingestion service's). */
export type ServiceLogin = { username: string; password: string }

export type CredentialSyncOptions = {
  pool: pg.Pool
  /** The broker's `password_file`. */
  passwordFile: string
  serviceLogins: ServiceLogin[]
  /** The broker's process id now (it may have restarted since), or null when it is not running. */
  brokerPid: () => number | null
  logger: Logger
  /** Changes arriving within this window are written as one file and one reload. */
  debounceMs?: number
  /** A full resync however quiet the registry is: catches a notification lost while the database was away. */
  resyncIntervalMs?: number
}

export type SyncResult = { changed: boolean; devices: number; reloaded: boolean }

/**
 * Keeps the broker's password file equal to the registry: every active device (its username is its id, so
 * the ACL's pattern lines give it its own topics with no per-device ACL entry) plus the service accounts.
 * A change to the registry (NOTIFY anxin_device_registry) is written within `debounceMs`, atomically (a
 * temporary file renamed over the old one, so the broker never reads half a file), and the broker is told to
 * reload (SIGHUP). On reload Mosquitto 2 checks every connected client against the new file and disconnects
 * those no longer in it or whose password changed: a revoked device is cut off at once and refused after.
 */
export class CredentialSync {
  private readonly options: Required<CredentialSyncOptions>
  private readonly log: Logger
  private listener: ChangeListener | null = null
  private resync: NodeJS.Timeout | null = null
  private debounce: NodeJS.Timeout | null = null
  private running: Promise<SyncResult> | null = null
  private again = false
  private stopped = false
  private serviceEntries: PasswordEntry[] | null = null

  constructor(options: CredentialSyncOptions) {
    this.options = { debounceMs: 50, resyncIntervalMs: 30000, ...options }
    this.log = options.logger.child({ component: 'broker-credential-sync' })
  }

  /** Writes the file once (the broker may have started from an older one), then follows the registry. */
  async start(): Promise<SyncResult> {
    this.listener = await listenForChanges(this.options.pool, ['anxin_device_registry'], {
      onNotification: () => this.schedule(),
      onReconnected: () => this.schedule(),
    })
    const first = await this.syncNow()
    this.resync = setInterval(() => this.schedule(), this.options.resyncIntervalMs)
    this.resync.unref()
    return first
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.resync) clearInterval(this.resync)
    if (this.debounce) clearTimeout(this.debounce)
    await this.listener?.stop()
    await this.running?.catch(() => {})
  }

  /**
   * Renders the file from the registry now; writes it and reloads the broker only if it changed. Calls made
   * while one runs are folded into one more run after it, so the last change is never missed.
   */
  async syncNow(): Promise<SyncResult> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.sync().finally(() => {
      this.running = null
      if (this.again && !this.stopped) {
        this.again = false
        this.schedule()
      }
    })
    return this.running
  }

  private schedule(): void {
    if (this.stopped || this.debounce) return
    this.debounce = setTimeout(() => {
      this.debounce = null
      this.syncNow().catch(error => this.log.error({ err: error }, 'broker credential sync failed; the periodic resync tries again'))
    }, this.options.debounceMs)
  }

  private async sync(): Promise<SyncResult> {
    const { rows } = await this.options.pool.query<{ id: string; mqtt_password_hash: string }>(
      `SELECT id, mqtt_password_hash FROM devices WHERE status = 'active' ORDER BY id`,
    )
    const current = readIfExists(this.options.passwordFile)
    const services = this.services(current)
    const serviceNames = new Set(services.map(s => s.username))
    const devices = rows.filter(d => !serviceNames.has(d.id)).map(d => ({ username: d.id, hash: d.mqtt_password_hash }))
    const text = renderPasswordFile([...services, ...devices])
    if (text === current) return { changed: false, devices: devices.length, reloaded: false }
    writeAtomically(this.options.passwordFile, text)
    const reloaded = this.reload()
    this.log.info({ devices: devices.length, reloaded }, 'broker password file rewritten from the registry')
    return { changed: true, devices: devices.length, reloaded }
  }

  /**
   * The service accounts' hashes, made once per process. The hash on disk is kept when it still verifies,
   * so a restarted sync does not rewrite an unchanged file (and reload the broker) for a new salt.
   */
  private services(current: string | null): PasswordEntry[] {
    if (this.serviceEntries) return this.serviceEntries
    const onDisk = new Map((current ?? '').split('\n').filter(Boolean).map(line => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]))
    this.serviceEntries = this.options.serviceLogins.map(login => {
      const hash = onDisk.get(login.username)
      return { username: login.username, hash: hash && verifyMosquittoPassword(login.password, hash) ? hash : mosquittoPasswordHash(login.password) }
    })
    return this.serviceEntries
  }

  private reload(): boolean {
    const pid = this.options.brokerPid()
    if (pid === null) {
      this.log.warn('broker not running: it reads the new password file when it starts')
      return false
    }
    try {
      process.kill(pid, 'SIGHUP')
      return true
    } catch (error) {
      this.log.warn({ err: error, pid }, 'could not signal the broker; it reads the new password file when it starts')
      return false
    }
  }
}

function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null
}

/** Written beside the target and renamed over it: a reader sees the old file or the new one, never a part. */
function writeAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  writeFileSync(temporary, text, { mode: 0o600 })
  renameSync(temporary, path)
}

/** The broker's pid from the pid file it writes (a daemonised Mosquitto), if that process is alive. */
export function pidFromFile(pidFile: string): number | null {
  const text = readIfExists(pidFile)
  const pid = Number(text?.trim())
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null
}

/**
 * The pid of a process by name, from /proc: a broker in the foreground writes no pid file, and a container
 * sharing its PID namespace (docker-compose's broker-sync) finds it this way.
 */
export function pidByName(name: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry)
    } catch {
      // The process ended while we looked.
    }
  }
  return null
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
