import t from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPool } from '@anxin/db'
import { freePort } from '@anxin/infra/stack'
import { CredentialSync, spawnBroker, writeBrokerFiles } from '@anxin/infra/mosquitto'
import { SimulatedDevice } from '@anxin/simulators'
import { testLogger, waitUntil } from '@anxin/testing'
import { consoleApp } from '../../services/console/test/api/console-app.ts'

/**
 * The device lifecycle against a real Mosquitto whose password file the credential sync keeps: a device
 * provisioned on the console connects with the credentials shown once, and revoking it cuts the live
 * connection within moments and refuses it after. Rotation does the same to the old password.
 */
t.test('credential revocation disconnects a live simulator and refuses its reconnection', async t => {
  const app = await consoleApp(t)
  const { logger } = testLogger('broker-sync')
  const dir = mkdtempSync(join(tmpdir(), 'anxin-sync-'))
  const port = await freePort()
  const ingestion = { username: 'svc-ingestion', password: 'test-ingestion-password' }
  // The broker starts knowing nobody but the ingestion account; everything else comes from the registry.
  const config = writeBrokerFiles({ dir, port, accounts: [{ username: ingestion.username, role: 'ingestion' }], passwords: [], logToFile: false })
  const broker = await spawnBroker(config, port)
  const pool = createPool({ url: app.db.url, schema: app.db.schema, applicationName: 'anxin-broker-sync-test', max: 2 })
  const reloads: number[] = []
  const sync = new CredentialSync({
    pool, passwordFile: join(dir, 'passwd'), serviceLogins: [ingestion], logger, debounceMs: 20, resyncIntervalMs: 60000,
    brokerPid: () => {
      reloads.push(Date.now())
      return broker.process.pid ?? null
    },
  })
  t.teardown(async () => {
    await sync.stop()
    await pool.end()
    await broker.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  t.match(await sync.start(), { changed: true, devices: 0, reloaded: true }, 'the first sync writes the file from the registry')
  t.same(await sync.syncNow(), { changed: false, devices: 0, reloaded: false }, 'nothing changed: no rewrite, no reload')

  const url = `mqtt://127.0.0.1:${port}`
  const provisioned = await app.as('administrator', 'POST', '/api/devices', { id: 'SIM-WATCH-1', type: 'watch' })
  t.equal(provisioned.statusCode, 201, provisioned.body)
  const { username, password } = provisioned.json().credentials
  t.ok(await waitUntil(() => readFileSync(join(dir, 'passwd'), 'utf8').includes(`${username}:`), 5000, 10), 'the registry change reaches the password file')
  t.notOk(readFileSync(join(dir, 'passwd'), 'utf8').includes(password), 'only the hash is written')

  const device = new SimulatedDevice({ url, deviceId: username, password })
  t.teardown(() => device.close())
  await device.connect()
  t.ok(device.connected, 'the new device connects with the credentials shown once')
  await device.sendTelemetry()
  t.pass('and publishes on its own topics: the ACL pattern lines cover a new device with no entry of its own')

  const revokedAt = Date.now()
  const revoked = await app.as('administrator', 'POST', `/api/devices/${username}/revoke`)
  t.equal(revoked.statusCode, 200, revoked.body)
  t.ok(await waitUntil(() => !device.connected, 5000, 5), 'the live connection is cut')
  const disconnectMs = Date.now() - revokedAt
  t.ok(disconnectMs < 3000, `disconnected ${disconnectMs} ms after the revoke answered`)
  t.comment(`revocation to disconnection: ${disconnectMs} ms`)

  // The simulator keeps trying (reconnect every second): the broker keeps refusing.
  await new Promise(resolve => setTimeout(resolve, 2500))
  t.notOk(device.connected, 'its automatic reconnections are refused')
  const again = new SimulatedDevice({ url, deviceId: username, password })
  await t.rejects(again.connect(), /Not authorized/, 'a fresh connection with the same credentials is refused')

  // New credentials bring the device back; the password shown before stays dead.
  const rotated = await app.as('administrator', 'POST', `/api/devices/${username}/credentials`)
  const fresh = rotated.json().credentials.password
  const back = new SimulatedDevice({ url, deviceId: username, password: fresh })
  t.teardown(() => back.close())
  t.ok(await waitUntil(async () => back.connect().then(() => true, () => false), 5000, 50), 'the new password is accepted once synced')
  await t.rejects(new SimulatedDevice({ url, deviceId: username, password }).connect(), /Not authorized/, 'the old password is refused')

  // A rotation while connected cuts the connection made with the old password.
  const rotatedAgain = await app.as('administrator', 'POST', `/api/devices/${username}/credentials`)
  t.equal(rotatedAgain.statusCode, 200)
  t.ok(await waitUntil(() => !back.connected, 5000, 5), 'rotation disconnects the client that logged in with the replaced password')
  t.ok(reloads.length >= 4, `the broker was reloaded on each change (${reloads.length} reloads)`)
})
