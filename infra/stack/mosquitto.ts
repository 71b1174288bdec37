import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { mosquittoPasswordHash } from '@anxin/credentials'
import { createPool } from '@anxin/db'
import { writeBrokerFiles, type PasswordEntry } from '../mosquitto/index.ts'
import { isPortOpen, portHolder, waitForPort } from './ports.ts'
import { RUN_DIR, type StackSettings } from './settings.ts'

const dir = join(RUN_DIR, 'mosquitto')
const pidFile = join(dir, 'mosquitto.pid')

/** Where the local broker's files are: its config directory (passwd, acl) and the pid file it writes. */
export const LOCAL_BROKER = { dir, pidFile } as const

function runningPid(): number | null {
  if (!existsSync(pidFile)) return null
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  try {
    process.kill(pid, 0)
    return pid
  } catch {
    return null
  }
}

/** Every active device's credential hash from the registry, plus the platform's own service accounts. */
async function brokerPasswords(settings: StackSettings): Promise<PasswordEntry[]> {
  const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'anxin-stack', max: 1 })
  try {
    const devices = await pool.query<{ id: string; mqtt_password_hash: string }>(
      `SELECT id, mqtt_password_hash FROM devices WHERE status = 'active' ORDER BY id`,
    )
    return [
      { username: settings.MQTT_INGESTION_USERNAME, hash: mosquittoPasswordHash(settings.MQTT_INGESTION_PASSWORD) },
      ...devices.rows.map(d => ({ username: d.id, hash: d.mqtt_password_hash })),
    ]
  } finally {
    await pool.end()
  }
}

/**
 * Starts the project's own Mosquitto (not the machine's), or, when it already runs, rewrites the password
 * file from the registry and tells the broker to reload it (SIGHUP).
 */
export async function ensureMosquitto(settings: StackSettings): Promise<'started' | 'reloaded'> {
  const port = Number(settings.MQTT_PORT)
  const passwords = await brokerPasswords(settings)
  const pid = runningPid()
  if (pid === null && (await isPortOpen(port))) {
    throw new Error(`mosquitto: port ${port} is held by ${portHolder(port)}; set MQTT_PORT to another port or stop it`)
  }
  const conf = writeBrokerFiles({
    dir,
    port,
    pidFile,
    accounts: [{ username: settings.MQTT_INGESTION_USERNAME, role: 'ingestion' }],
    passwords,
  })
  if (pid !== null) {
    process.kill(pid, 'SIGHUP')
    return 'reloaded'
  }
  rmSync(pidFile, { force: true })
  execFileSync('mosquitto', ['-d', '-c', conf], { stdio: 'inherit' })
  await waitForPort(port, { timeoutMs: 10000 })
  return 'started'
}

export async function stopMosquitto(): Promise<void> {
  const pid = runningPid()
  if (pid === null) return
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 10000
  while (runningPid() !== null && Date.now() < deadline) await new Promise(r => setTimeout(r, 100))
}

export function mosquittoRunning(): boolean {
  return runningPid() !== null
}
