import t from 'tap'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'
import { Redis } from 'ioredis'
import { buildIngestion } from '@anxin/ingestion'
import { loadIngestionConfig } from '../../services/ingestion/src/config.ts'
import { makePrivateCa } from '@anxin/infra/mosquitto'
import { SimulatedDevice } from '@anxin/simulators'
import { pipelineEnv, readTopic, registerTestDevices, testBroker, testDatabase, testLogger, testStack, testTopics, uniqueId, waitUntil } from '@anxin/testing'

/** A TLS handshake only (no MQTT): 'secure <version>' (or the broker certificate's serial) or the error it ended with. */
function handshake(port: number, options: ConnectionOptions, report: 'version' | 'serial' = 'version'): Promise<string> {
  return new Promise(resolve => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...options })
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol()
      const serial = socket.getPeerCertificate().serialNumber
      socket.destroy()
      resolve(report === 'serial' ? serial : `secure ${protocol}`)
    })
    socket.once('error', error => resolve(`error: ${error.message}`))
  })
}

/** A plain-text MQTT 3.1.1 CONNECT (client id "plain", clean session), written on a bare TCP connection. */
const PLAIN_CONNECT = Buffer.from([0x10, 17, 0, 4, ...Buffer.from('MQTT'), 4, 0x02, 0, 30, 0, 5, ...Buffer.from('plain')])

/** What a plain-text client gets back before the broker closes the connection. */
function plainConnect(port: number): Promise<Buffer> {
  return new Promise(resolve => {
    const received: Buffer[] = []
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write(PLAIN_CONNECT))
    socket.on('data', chunk => received.push(chunk))
    socket.on('error', () => {})
    socket.once('close', () => resolve(Buffer.concat(received)))
  })
}

/**
 * Mosquitto with only a TLS listener, its certificate signed by a private CA (infra/mosquitto/tls.ts), and
 * ingestion connected over TLS trusting that CA (MQTT_CA_FILE): a device trusting the CA gets its SOS
 * acknowledged; a client that does not trust the CA, or speaks plain MQTT, gets nowhere.
 */
t.test('devices and ingestion over TLS with a private CA; untrusting and plaintext clients are refused', async t => {
  const stack = await testStack()
  const { logger } = testLogger('tls')
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  const prefix = uniqueId('tls')
  const { bound } = await registerTestDevices(db.pool, { count: 1, prefix })
  const device = bound[0]!
  const broker = await testBroker(t, stack, [{ username: device.deviceId, password: device.password }], { tls: true })
  t.match(broker.url, /^mqtts:\/\/127\.0\.0\.1:\d+$/)
  const ca = readFileSync(broker.caFile!)

  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 250 })
  redis.on('error', () => {})
  t.teardown(() => redis.disconnect())
  const env = { ...pipelineEnv({ stack, db, topics, broker, prefix }), MQTT_CA_FILE: broker.caFile! }
  const ingestion = buildIngestion({ pool: db.pool, redis, kafka: topics.kafka, logger }, loadIngestionConfig(env))
  t.teardown(() => ingestion.stop())
  await ingestion.start()

  const watch = new SimulatedDevice({ url: broker.url, deviceId: device.deviceId, password: device.password, ca, ackTimeoutMs: 2000 })
  t.teardown(() => watch.close())
  await watch.connect()
  const sos = await watch.pressSos({ maxAttempts: 3 })
  t.equal(sos.ack.status, 'accepted', 'the SOS went device -> TLS -> ingestion (over TLS) -> Kafka, and the acknowledgement came back')
  const alarms = await readTopic(topics.kafka, topics.names.deviceAlarm, { until: m => m.length >= 1 })
  t.same(alarms.map(m => JSON.parse(m.value).eventId), [sos.ack.eventId])

  await t.rejects(new SimulatedDevice({ url: broker.url, deviceId: device.deviceId, password: device.password }).connect(), /self.signed certificate/i, 'a device that does not trust the CA refuses the broker')
  t.match(await handshake(broker.port, {}), /^error: .*self.signed certificate/i, 'as does any client trusting only the public roots')
  const plain = await plainConnect(broker.port)
  t.notOk(plain.length > 0 && plain[0] === 0x20, 'plain MQTT on the TLS port gets no CONNACK, the connection is closed')
  await t.rejects(new SimulatedDevice({ url: broker.url, deviceId: device.deviceId, password: 'wrong-password', ca }).connect(), /Not authorized|Bad User Name or Password/i, 'TLS does not replace the password')
  t.equal(await handshake(broker.port, { ca, maxVersion: 'TLSv1.2' }), 'secure TLSv1.2', 'TLS 1.2 is accepted')
  // The client side is opened up to TLS 1.0/1.1 (Node refuses them by default), so the refusal is the broker's.
  t.match(await handshake(broker.port, { ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), /^error: .*alert protocol version/i, 'TLS 1.1 is refused')

  // Rotation: a new broker certificate (and key) from the same CA, loaded on SIGHUP; devices change nothing.
  const before = await handshake(broker.port, { ca }, 'serial')
  makePrivateCa(dirname(broker.caFile!), { hosts: ['localhost', '127.0.0.1'] })
  process.kill(broker.pid()!, 'SIGHUP')
  t.ok(await waitUntil(async () => (await handshake(broker.port, { ca }, 'serial')) !== before, 5000), 'the broker presents the new certificate after SIGHUP')
  t.ok(watch.connected, 'the device connected before the rotation stays connected')
  const again = new SimulatedDevice({ url: broker.url, deviceId: device.deviceId, password: device.password, ca, ackTimeoutMs: 2000 })
  t.teardown(() => again.close())
  await again.connect()
  t.equal((await again.pressSos({ maxAttempts: 3 })).ack.status, 'accepted', 'a new connection trusts it with the same CA file')
})
