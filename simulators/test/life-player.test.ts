import { randomBytes, randomUUID } from 'node:crypto'
import t from 'tap'
import mqtt from 'mqtt'
import { mqttTopics } from '@anxin/contracts'
import { DEMO_RATES, planDays, playLives, wireSchedule, type LifeDevice, type LifeRates } from '../src/index.ts'
import { DAY_ONE, resident } from './life-fixtures.ts'

/**
 * The player against a real broker: the Mosquitto on 127.0.0.1:1883 when it takes anonymous clients (a
 * developer's and CI's broker, not the stack's, which requires device credentials). Fails when there is none:
 * the machine's setup starts it, and a skipped test would hide that the player went untested.
 * A subscriber stands in for the platform: it records what arrives and acknowledges every alarm.
 */
const URL = 'mqtt://127.0.0.1:1883'

const broker = await mqtt.connectAsync(URL, { protocolVersion: 5, connectTimeout: 1000, reconnectPeriod: 0 }).catch(() => null)
if (broker) t.teardown(() => broker.endAsync())

t.test('plays a planned life over MQTT: in seq order, drop-outs flushed on reconnect, alarms acknowledged', async t => {
  if (!broker) return t.fail(`no Mosquitto taking anonymous clients on ${URL} (start it: mosquitto -d -c /etc/mosquitto/mosquitto.conf)`)
  const listener = broker

  const tag = randomBytes(3).toString('hex')
  const devices: LifeDevice[] = [{ id: `LP${tag}W`, type: 'watch', clockSkewS: 30 }, { id: `LP${tag}P`, type: 'sos_pendant', clockSkewS: 0 }]
  const rates: LifeRates = { ...DEMO_RATES, sosPerDay: 30, dropoutsPerDay: 60, dropoutMinutes: [3, 8], clockSkew: { share: 0, maxSeconds: 0 } }
  const profile = resident(`R-play-${tag}`)
  const from = DAY_ONE + 10 * 3_600_000
  const simulatedMs = 2 * 3_600_000
  const wallSeconds = 1.5
  const options = { profile, devices, seed: 21, from, to: from + simulatedMs, rates, messageIdPrefix: tag }

  const received = new Map<string, Array<{ id: string; seq: number; ts: number }>>(devices.map(d => [d.id, []]))
  listener.on('message', (topic, payload) => {
    const deviceId = topic.split('/').at(-3)!
    const message = JSON.parse(payload.toString()) as { id: string; seq: number; ts: number }
    received.get(deviceId)!.push(message)
    if (topic.endsWith('/up/alarm')) {
      const ack = { ackFor: message.id, eventId: randomUUID(), status: 'accepted', at: new Date().toISOString() }
      void listener.publishAsync(mqttTopics.ack(deviceId), JSON.stringify(ack), { qos: 1 })
    }
  })
  for (const d of devices) await listener.subscribeAsync(`${mqttTopics.uplink(d.id, 'telemetry').replace(/telemetry$/, '+')}`, { qos: 1 })

  const report = await playLives({ url: URL, passwordFor: () => 'unused', residents: [{ profile, devices }], seed: 21, speed: simulatedMs / 1000 / wallSeconds, durationSeconds: wallSeconds, from, rates, messageIdPrefix: tag })
  await new Promise(resolve => setTimeout(resolve, 200))

  const planned = [...planDays(options)].flatMap(day => wireSchedule(day)).flatMap(s => (s.kind === 'publish' ? [s.message] : []))
  t.ok(planned.some(m => m.deliverAt > m.at), 'the plan has messages queued through a drop-out')
  t.ok(planned.some(m => m.channel === 'alarm'), 'the plan has alarms')
  t.ok(report.disconnects > 0 && report.reconnects > 0)
  for (const device of devices) {
    const seen = new Set<string>()
    const got = received.get(device.id)!.filter(m => !seen.has(m.id) && seen.add(m.id))
    const expected = planned.filter(m => m.deviceId === device.id).map(m => ({ id: m.payload.id, seq: m.payload.seq, ts: m.payload.ts }))
    // The run may end a beat before the very last due messages; everything sent is the plan's, in order.
    t.ok(got.length >= expected.length * 0.9, `${device.id}: ${got.length} of ${expected.length} arrived`)
    t.same(got.map(m => ({ id: m.id, seq: m.seq, ts: m.ts })), expected.slice(0, got.length), `${device.id} in plan order with planned timestamps`)
  }
  const alarmsSent = Object.values(report.alarms).reduce((a, b) => a + b, 0)
  t.ok(alarmsSent > 0)
  t.equal(report.alarmAcks.accepted, alarmsSent, 'every alarm acknowledged')
  t.equal(report.publishFailed, 0)
})
