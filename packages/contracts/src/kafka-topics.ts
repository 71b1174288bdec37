/**
 * Every Kafka topic the platform uses, declared once. The stack creates exactly these (with these partition
 * counts); services refuse to start if one is missing. Keys are device ids, so per-device order holds.
 */
export type KafkaTopicDeclaration = {
  name: string
  partitions: number
  /** Broker-side topic configs, e.g. retention. */
  config?: Record<string, string>
  description: string
}

export const kafkaTopics = {
  deviceAlarm: {
    name: 'anxin.device.alarm.v1',
    partitions: 6,
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000) },
    description: 'Urgent lane: SOS and fall events from devices, acknowledged to the device after this write.',
  },
  deviceTelemetry: {
    name: 'anxin.device.telemetry.v1',
    partitions: 12,
    config: { 'retention.ms': String(7 * 24 * 3600 * 1000) },
    description: 'Vitals, location and device status readings.',
  },
  deviceEvent: {
    name: 'anxin.device.event.v1',
    partitions: 6,
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000) },
    description: 'Non-urgent device events: heartbeat, "I\'m OK", button test, worn/not worn, power, sensors.',
  },
  alarm: {
    name: 'anxin.alarm.v1',
    partitions: 6,
    config: { 'retention.ms': String(90 * 24 * 3600 * 1000) },
    description: 'Alarm raised / updated / cleared / cancelled, from the alert service; keyed by resident.',
  },
  alarmLifecycle: {
    name: 'anxin.alarm.lifecycle.v1',
    partitions: 6,
    config: { 'retention.ms': String(90 * 24 * 3600 * 1000) },
    description: 'Every lifecycle change of an alarm (notified, acknowledged, dispatched, on scene, resolved, closed, reopened), for the console.',
  },
  dispatchCommand: {
    name: 'anxin.dispatch.command.v1',
    partitions: 6,
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000) },
    description: 'Escalation to dispatch: notify these people, through these channels, for this reason.',
  },
  registry: {
    name: 'anxin.registry.v1',
    partitions: 3,
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000) },
    description: 'Registry changes (residents, households, devices, bindings, staff, care teams, consent): which record, which fields; never their values.',
  },
  deadLetter: {
    name: 'anxin.deadletter.v1',
    partitions: 3,
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000), 'max.message.bytes': String(2 * 1024 * 1024) },
    description: 'Messages that could not be accepted or processed, with the reason. Nothing is dropped silently.',
  },
} as const satisfies Record<string, KafkaTopicDeclaration>

export type KafkaTopicKey = keyof typeof kafkaTopics

export const declaredKafkaTopics: KafkaTopicDeclaration[] = Object.values(kafkaTopics)

export type KafkaTopicNames = Record<KafkaTopicKey, string>

/**
 * Topic names with an optional suffix. Production uses none; each test run gets its own suffix so tests
 * sharing one Kafka broker never read each other's messages.
 */
export function kafkaTopicNames(suffix = ''): KafkaTopicNames {
  return Object.fromEntries(Object.entries(kafkaTopics).map(([key, d]) => [key, d.name + suffix])) as KafkaTopicNames
}

export function declaredKafkaTopicsWithSuffix(suffix = ''): KafkaTopicDeclaration[] {
  return declaredKafkaTopics.map(d => ({ ...d, name: d.name + suffix }))
}
