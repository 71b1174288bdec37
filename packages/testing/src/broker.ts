import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mosquittoPasswordHash } from '@anxin/credentials'
import { freePort } from '@anxin/infra/stack'
import { makePrivateCa, spawnBroker, writeBrokerFiles, type ServiceAccount, type TlsListener } from '@anxin/infra/mosquitto'
import type { TestStack } from './stack.ts'
import type { Teardown } from './teardown.ts'

export type BrokerCredential = { username: string; password: string }
export type TestBroker = {
  url: string
  port: number
  /** With `tls`: the private CA's certificate clients must trust (the broker then speaks TLS only, `mqtts://`). */
  caFile?: string
  ingestion: BrokerCredential
  /** The broker's `password_file`, so a CredentialSync can keep it (the broker reads it again on SIGHUP). */
  passwordFile: string
  /** The broker's process id now (it changes on restart), or null when it runs in a container. */
  pid: () => number | null
  /** Stops the broker (SIGTERM) and starts it again on the same port with the same persistent state. */
  restart: () => Promise<void>
}

/**
 * A real Mosquitto of this test's own, configured exactly as the platform's (deny-by-default ACL,
 * per-device passwords), so tests cannot see each other's devices and may restart it at will.
 */
export async function testBroker(t: Teardown, stack: TestStack, devices: BrokerCredential[], options: { tls?: boolean } = {}): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-broker-'))
  const port = await freePort()
  // TLS only, on the same port, with a private CA of this broker's own (infra/mosquitto/tls.ts).
  const tls: TlsListener | undefined = options.tls ? { ...makePrivateCa(join(dir, 'tls'), { hosts: ['localhost', '127.0.0.1'] }), port, only: true } : undefined
  const scheme = tls ? 'mqtts' : 'mqtt'
  const ingestion = { username: 'svc-ingestion', password: 'test-ingestion-password' }
  const accounts: ServiceAccount[] = [{ username: ingestion.username, role: 'ingestion' }]
  const passwords = [ingestion, ...devices].map(c => ({ username: c.username, hash: mosquittoPasswordHash(c.password) }))
  if (stack.broker === 'container') {
    const { GenericContainer } = await import('testcontainers')
    const configPath = writeBrokerFiles({ dir, port, accounts, passwords, logToFile: false, host: '0.0.0.0', tls })
    let container = await startContainer()
    async function startContainer() {
      return new GenericContainer('eclipse-mosquitto:2.0')
        .withBindMounts([{ source: dir, target: dir }])
        .withExposedPorts({ container: port, host: port })
        .withCommand(['mosquitto', '-c', configPath])
        .start()
    }
    t.teardown(async () => {
      await container.stop()
      rmSync(dir, { recursive: true, force: true })
    })
    return {
      url: `${scheme}://127.0.0.1:${port}`,
      caFile: tls?.cafile,
      port,
      ingestion,
      passwordFile: join(dir, 'passwd'),
      pid: () => null,
      restart: async () => {
        await container.stop()
        container = await startContainer()
      },
    }
  }
  const configPath = writeBrokerFiles({ dir, port, accounts, passwords, logToFile: false, tls })
  let running = await spawnBroker(configPath, port)
  t.teardown(async () => {
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    caFile: tls?.cafile,
    port,
    ingestion,
    passwordFile: join(dir, 'passwd'),
    pid: () => running.process.pid ?? null,
    restart: async () => {
      await running.stop()
      running = await spawnBroker(configPath, port)
    },
  }
}
