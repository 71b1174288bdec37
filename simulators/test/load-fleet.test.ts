import { randomBytes } from 'node:crypto'
import t from 'tap'
import mqtt from 'mqtt'
import mqttPacket from 'mqtt-packet'
import { parseUplinkTopic, telemetryMessageSchema } from '@anxin/contracts'
import { LoadFleet } from '../src/index.ts'
import { encodeQos1Publish, encodeRemainingLength, nextPacketId } from '../src/load/mqtt-wire.ts'

t.test('a hand-encoded PUBLISH is what the MQTT 5 parser reads back, at every length boundary', async t => {
  for (const size of [0, 100, 127 - 8, 16_383, 20_000, 2_097_151 - 20]) {
    const payload = Buffer.alloc(size, 'x')
    const packet = encodeQos1Publish(Buffer.from('anxin/v1/dev/D1/up/telemetry'), 513, payload)
    const parser = mqttPacket.parser({ protocolVersion: 5 })
    const parsed: mqttPacket.Packet[] = []
    parser.on('packet', p => parsed.push(p))
    parser.parse(packet)
    const p = parsed[0] as mqttPacket.IPublishPacket
    t.equal(p?.cmd, 'publish', `${size} bytes`)
    t.equal(p.qos, 1)
    t.equal(p.messageId, 513)
    t.equal(p.topic, 'anxin/v1/dev/D1/up/telemetry')
    t.equal(Buffer.from(p.payload).length, size)
  }
  t.same(encodeRemainingLength(127), [127])
  t.same(encodeRemainingLength(128), [0x80, 1])
  t.equal(nextPacketId(65535), 1, 'packet ids wrap past 65535 to 1, never 0')
})

t.test('the load fleet publishes valid telemetry at the asked rate, each device on its own connection', async t => {
  const url = 'mqtt://127.0.0.1:1883'
  const listener = await mqtt.connectAsync(url, { protocolVersion: 5, connectTimeout: 2000, reconnectPeriod: 0 }).catch(() => null)
  if (!listener) return t.fail(`no Mosquitto taking anonymous clients on ${url}`)
  t.teardown(() => listener.endAsync())
  const tag = randomBytes(3).toString('hex')
  const received = new Map<string, number[]>()
  let invalid = 0
  listener.on('message', (topic, payload) => {
    const parsed = parseUplinkTopic(topic)
    if (!parsed?.deviceId.startsWith(`LF${tag}`)) return
    const message = telemetryMessageSchema.safeParse(JSON.parse(payload.toString()))
    if (!message.success) return void invalid++
    received.set(parsed.deviceId, [...(received.get(parsed.deviceId) ?? []), message.data.seq!])
  })
  await listener.subscribeAsync('anxin/v1/dev/+/up/telemetry', { qos: 1 })

  const fleet = await LoadFleet.connect(url, Array.from({ length: 20 }, (_, i) => ({ deviceId: `LF${tag}${i}`, password: 'unused-here' })))
  t.teardown(() => fleet.close())
  t.equal(fleet.connected, 20)
  const report = await fleet.play(500, 2)
  t.equal(report.sent, 1000, 'every message acknowledged by the broker')
  t.equal(report.failed, 0)
  t.ok(report.generatorMsgsPerS >= 450, `held ${report.generatorMsgsPerS} msg/s`)

  const deadline = Date.now() + 5000
  while ([...received.values()].reduce((n, s) => n + s.length, 0) < 1000 && Date.now() < deadline) await new Promise(r => setTimeout(r, 20))
  t.equal(invalid, 0, 'every payload is valid telemetry')
  t.equal(received.size, 20, 'round robin over every device')
  for (const [device, seqs] of received) t.same(seqs, seqs.map((_, i) => i + 1), `${device}: seq 1..${seqs.length} in order, none lost`)
})
