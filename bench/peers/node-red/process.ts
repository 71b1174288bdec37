import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readCpu } from '../../usage/proc-stat.ts'

const require = createRequire(import.meta.url)
export const FLOWS = ['per-message', 'batched'] as const
export type NodeRedFlow = (typeof FLOWS)[number]

export type NodeRedEndpoints = {
  mqtt: { host: string; port: number; username: string; password: string }
  pg: { host: string; port: number; database: string; user: string; password: string; schema: string }
}

export type NodeRedProcess = {
  pid: number
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds: () => number
  /** Highest resident set size of the process's life so far (VmHWM). */
  peakRssMiB: () => number
  output: () => string
  stop: () => Promise<void>
}

export function nodeRedVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version
}

/** The pg version the flows' PostgreSQL function node loads (the one this package depends on). */
export function pgVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('pg/package.json'), 'utf8')) as { version: string }).version
}

/**
 * Starts Node-RED headless (no editor, no HTTP server) as a process of its own, with a private userDir that
 * holds a copy of the flow, its MQTT credentials in clear (credentialSecret false: a throwaway directory) and
 * the pg module as a function node's external module: listed in userDir/package.json and linked into
 * userDir/node_modules, which is what installing it from a function node's Setup tab leaves behind. Resolves
 * once the MQTT node has connected to the broker; the caller proves the subscription with a warm-up.
 */
export async function startNodeRed(flow: NodeRedFlow, endpoints: NodeRedEndpoints, timeoutMs = 60000): Promise<NodeRedProcess> {
  const userDir = mkdtempSync(join(tmpdir(), 'anxin-node-red-'))
  mkdirSync(join(userDir, 'node_modules'))
  symlinkSync(realpathSync(dirname(require.resolve('pg/package.json'))), join(userDir, 'node_modules', 'pg'))
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, dependencies: { pg: pgVersion() } }))
  copyFileSync(fileURLToPath(new URL(`./${flow}.json`, import.meta.url)), join(userDir, 'flows.json'))
  writeFileSync(
    join(userDir, 'flows_cred.json'),
    JSON.stringify({ 'anxin-broker': { user: endpoints.mqtt.username, password: endpoints.mqtt.password } }),
  )
  writeFileSync(join(userDir, 'settings.js'), settingsSource(userDir))
  const child = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', join(userDir, 'settings.js'), '--userDir', userDir], {
    env: {
      ...process.env,
      ANXIN_MQTT_HOST: endpoints.mqtt.host,
      ANXIN_MQTT_PORT: String(endpoints.mqtt.port),
      ANXIN_PG_HOST: endpoints.pg.host,
      ANXIN_PG_PORT: String(endpoints.pg.port),
      ANXIN_PG_DATABASE: endpoints.pg.database,
      ANXIN_PG_USER: endpoints.pg.user,
      ANXIN_PG_PASSWORD: endpoints.pg.password,
      ANXIN_DB_SCHEMA: endpoints.pg.schema,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => void (output = (output + String(chunk)).slice(-20000))
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED did not connect to the broker:\n${output}`)), timeoutMs)
    const onData = () => {
      if (!output.includes(READY)) return
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      resolve()
    }
    child.stdout!.on('data', onData)
    child.once('exit', code => reject(new Error(`Node-RED exited (${code}):\n${output}`)))
  })
  try {
    await ready
  } catch (error) {
    await stopChild(child)
    rmSync(userDir, { recursive: true, force: true })
    throw error
  }
  const pid = child.pid!
  let lastPeak = 0
  let lastCpuMs = 0
  const status = (field: string) => {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith(`${field}:`))
    return Math.round((Number(line?.split(/\s+/)[1] ?? 0) / 1024) * 10) / 10
  }
  return {
    pid,
    cpuSeconds: () => (lastCpuMs = readCpu(pid)?.cpuMs ?? lastCpuMs) / 1000,
    peakRssMiB: () => (lastPeak = Math.max(lastPeak, status('VmHWM'))),
    output: () => output,
    stop: async () => {
      await stopChild(child)
      rmSync(userDir, { recursive: true, force: true })
    },
  }
}

const READY = 'anxin-bench: mqtt connected'

/**
 * Logging at warn on the console; one extra logger watches info messages only for the MQTT node's
 * "Connected to broker" and prints a marker, so the bench knows when the flow can receive.
 */
function settingsSource(userDir: string): string {
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    flowFilePretty: false,
    uiHost: '127.0.0.1',
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    // Function nodes may load the modules userDir/package.json lists; nothing is ever installed.
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    functionExternalModules: true,
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    runtimeState: { enabled: false },
    editorTheme: { projects: { enabled: false } },
    contextStorage: { default: { module: 'memory' } },
  }
  return `module.exports = Object.assign(${JSON.stringify(settings, null, 2)}, {
  logging: {
    console: { level: 'warn', metrics: false, audit: false },
    bench: {
      level: 'info', metrics: false, audit: false,
      handler: () => msg => { if (/Connected to broker/.test(String(msg.msg))) process.stdout.write(${JSON.stringify(`${READY}\n`)}) },
    },
  },
})
`
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
