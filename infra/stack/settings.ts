import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const RUN_DIR = process.env.ANXIN_RUN_DIR ?? join(REPO_ROOT, '.run')
export const STACK_ENV_FILE = join(RUN_DIR, 'stack.env')

/**
 * Where the local stack listens and the secrets it was set up with. Created on the first `stack up` (random
 * secrets), then reused so restarts keep the same credentials. Services and tests read this file.
 */
export type StackSettings = {
  KAFKA_BROKERS: string
  KAFKA_PORT: string
  DATABASE_URL: string
  DATABASE_ADMIN_URL: string
  DATABASE_SCHEMA: string
  REDIS_URL: string
  MQTT_PORT: string
  MQTT_URL: string
  MQTT_INGESTION_USERNAME: string
  MQTT_INGESTION_PASSWORD: string
  DEMO_FLEET_SECRET: string
  /** Signs dispatch's action links and responder sessions. */
  DISPATCH_LINK_SECRET: string
  /** The demo SMS / voice gateway's API token and the secret its receipts are signed with. */
  SMS_GATEWAY_TOKEN: string
  SMS_GATEWAY_CALLBACK_SECRET: string
  /** Web push (VAPID) keys of this installation. */
  VAPID_PUBLIC_KEY: string
  VAPID_PRIVATE_KEY: string
  /** The demo console accounts' password (every demo account shares it; printed by `pnpm start`). */
  DEMO_CONSOLE_PASSWORD: string
}

/** A P-256 key pair in the form web push wants: the public key uncompressed, both base64url. */
function vapidKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const pub = publicKey.export({ format: 'jwk' })
  const raw = Buffer.concat([Buffer.from([4]), Buffer.from(pub.x!, 'base64url'), Buffer.from(pub.y!, 'base64url')])
  return { publicKey: raw.toString('base64url'), privateKey: privateKey.export({ format: 'jwk' }).d! }
}

function defaults(): StackSettings {
  const kafkaPort = process.env.KAFKA_PORT ?? '19092'
  const mqttPort = process.env.MQTT_PORT ?? '18830'
  return {
    KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    KAFKA_PORT: kafkaPort,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/anxin',
    DATABASE_ADMIN_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    DATABASE_SCHEMA: 'anxin',
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    MQTT_PORT: mqttPort,
    MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
    MQTT_INGESTION_USERNAME: 'svc-ingestion',
    MQTT_INGESTION_PASSWORD: randomBytes(18).toString('base64url'),
    DEMO_FLEET_SECRET: randomBytes(18).toString('base64url'),
    DISPATCH_LINK_SECRET: randomBytes(32).toString('base64url'),
    SMS_GATEWAY_TOKEN: randomBytes(18).toString('base64url'),
    SMS_GATEWAY_CALLBACK_SECRET: randomBytes(24).toString('base64url'),
    DEMO_CONSOLE_PASSWORD: `anxin-${randomBytes(6).toString('base64url')}`,
    ...(() => {
      const keys = vapidKeys()
      return { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey }
    })(),
  }
}

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (match) out[match[1]!] = match[2]!
  }
  return out
}

export function readStackSettings(): StackSettings | null {
  if (!existsSync(STACK_ENV_FILE)) return null
  return { ...defaults(), ...parseEnvFile(readFileSync(STACK_ENV_FILE, 'utf8')) } as StackSettings
}

export function loadOrCreateStackSettings(): StackSettings {
  const stored = existsSync(STACK_ENV_FILE) ? parseEnvFile(readFileSync(STACK_ENV_FILE, 'utf8')) : {}
  const fresh = defaults()
  // Keep what this machine was set up with; settings added since get their value once and are written back.
  if (Object.keys(fresh).every(key => key in stored)) return { ...fresh, ...stored } as StackSettings
  const settings = { ...fresh, ...stored } as StackSettings
  mkdirSync(RUN_DIR, { recursive: true })
  const body = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n')
  writeFileSync(STACK_ENV_FILE, `# Local stack settings, written by "pnpm stack up". Secrets are per machine.\n${body}\n`, { mode: 0o600 })
  return settings
}
