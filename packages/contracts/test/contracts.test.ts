import t from 'tap'
import {
  alarmMessageSchema,
  deviceEventId,
  declaredKafkaTopics,
  kafkaTopicNames,
  mqttTopics,
  nameBasedUuid,
  parseUplinkTopic,
  sharedSubscription,
  telemetryMessageSchema,
} from '../src/index.ts'

t.test('name-based uuids follow RFC 9562 version 5', async t => {
  // The RFC's well-known example: uuid5(NAMESPACE_DNS, "www.example.com").
  t.equal(nameBasedUuid('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2')
})

t.test('event ids are deterministic per device and message', async t => {
  t.equal(deviceEventId('W1', 'm-1'), deviceEventId('W1', 'm-1'))
  t.not(deviceEventId('W1', 'm-1'), deviceEventId('W2', 'm-1'))
  t.not(deviceEventId('W1', 'm-1'), deviceEventId('W1', 'm-2'))
})

t.test('uplink topics round-trip and anything else is refused', async t => {
  t.same(parseUplinkTopic(mqttTopics.uplink('W00000001', 'alarm')), { deviceId: 'W00000001', channel: 'alarm' })
  t.equal(parseUplinkTopic('anxin/v1/dev/W1/up/firmware'), null)
  t.equal(parseUplinkTopic('anxin/v1/dev/W1/down/ack'), null)
  t.equal(parseUplinkTopic('anxin/v1/dev/W1/up/alarm/extra'), null)
  t.equal(parseUplinkTopic('other/v1/dev/W1/up/alarm'), null)
  t.equal(sharedSubscription('ingestion', mqttTopics.allUplink('alarm')), '$share/ingestion/anxin/v1/dev/+/up/alarm')
})

t.test('telemetry must carry something and values must be plausible', async t => {
  const ts = Date.parse('2026-11-22T03:12:00Z')
  t.ok(telemetryMessageSchema.safeParse({ id: 'a', ts, vitals: { heartRate: 72 } }).success)
  t.ok(telemetryMessageSchema.safeParse({ id: 'a', ts: '2026-11-22T11:12:00+08:00', status: { battery: 50 } }).success)
  t.notOk(telemetryMessageSchema.safeParse({ id: 'a', ts }).success, 'empty telemetry refused')
  t.notOk(telemetryMessageSchema.safeParse({ id: 'a', ts, vitals: { heartRate: '72' } }).success, 'wrong type refused')
  t.notOk(telemetryMessageSchema.safeParse({ id: 'a', ts, vitals: { heartRate: 400 } }).success, 'impossible value refused')
  t.notOk(telemetryMessageSchema.safeParse({ id: 'a b', ts, vitals: { heartRate: 70 } }).success, 'bad message id refused')
  t.notOk(telemetryMessageSchema.safeParse({ id: 'a', ts: 12, vitals: { heartRate: 70 } }).success, 'nonsense time refused')
})

t.test('alarm messages', async t => {
  const ts = Date.now()
  t.ok(alarmMessageSchema.safeParse({ id: 's1', ts, type: 'sos', pressCount: 3 }).success)
  t.ok(alarmMessageSchema.safeParse({ id: 'f1', ts, type: 'fall', fall: { impactG: 3.2, confidence: 0.9 } }).success)
  t.notOk(alarmMessageSchema.safeParse({ id: 'x', ts, type: 'panic' }).success)
})

t.test('kafka topics are declared once, uniquely, and suffixable per test', async t => {
  const names = declaredKafkaTopics.map(d => d.name)
  t.equal(new Set(names).size, names.length)
  for (const d of declaredKafkaTopics) t.ok(d.partitions >= 1 && /^anxin\.[a-z.]+\.v\d+$/.test(d.name), d.name)
  t.equal(kafkaTopicNames('.t1').deviceAlarm, 'anxin.device.alarm.v1.t1')
})
