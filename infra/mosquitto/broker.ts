import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderAcl, renderMosquittoConf, renderPasswordFile, type PasswordEntry, type ServiceAccount, type TlsListener } from './render.ts'
import { waitForPort } from '../stack/ports.ts'

export type BrokerFiles = { dir: string; port: number; accounts: ServiceAccount[]; passwords: PasswordEntry[] }

/** Writes mosquitto.conf, acl and passwd into `dir`; returns the config path. */
export function writeBrokerFiles(files: BrokerFiles & { pidFile?: string; logToFile?: boolean; host?: string; tls?: TlsListener }): string {
  mkdirSync(join(files.dir, 'data'), { recursive: true })
  writeFileSync(join(files.dir, 'acl'), renderAcl(files.accounts), { mode: 0o600 })
  writeFileSync(join(files.dir, 'passwd'), renderPasswordFile(files.passwords), { mode: 0o600 })
  const conf = join(files.dir, 'mosquitto.conf')
  writeFileSync(conf, renderMosquittoConf(files))
  return conf
}

/** Rewrites only the password file (e.g. after devices were provisioned); the broker then needs SIGHUP. */
export function writePasswordFile(dir: string, passwords: PasswordEntry[]): void {
  writeFileSync(join(dir, 'passwd'), renderPasswordFile(passwords), { mode: 0o600 })
}

export type BrokerProcess = { port: number; process: ChildProcess; stop: () => Promise<void> }

/** Runs Mosquitto in the foreground as a child of this process (tests); resolves when it accepts connections. */
export async function spawnBroker(configPath: string, port: number): Promise<BrokerProcess> {
  const child = spawn('mosquitto', ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', chunk => (stderr += String(chunk)))
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  try {
    await waitForPort(port, { timeoutMs: 10000, failIf: () => (child.exitCode !== null ? `mosquitto exited: ${stderr}` : null) })
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
