/**
 * The MQTT topic map. Devices publish under `up/` and receive under `down/`; the broker's ACL lets a device
 * write only `anxin/v1/dev/<its username>/up/+` and read only `anxin/v1/dev/<its username>/down/#`.
 */
export const MQTT_TOPIC_ROOT = 'anxin/v1/dev'

/** Uplink channels. `alarm` is the urgent lane (SOS, fall) and is handled on its own connection. */
export const UPLINK_CHANNELS = ['telemetry', 'event', 'alarm'] as const
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number]

export const mqttTopics = {
  uplink: (deviceId: string, channel: UplinkChannel) => `${MQTT_TOPIC_ROOT}/${deviceId}/up/${channel}`,
  ack: (deviceId: string) => `${MQTT_TOPIC_ROOT}/${deviceId}/down/ack`,
  /** Subscription filters used by ingestion; wrap with `sharedSubscription` to split load across instances. */
  allUplink: (channel: UplinkChannel) => `${MQTT_TOPIC_ROOT}/+/up/${channel}`,
}

export function sharedSubscription(group: string, filter: string): string {
  return `$share/${group}/${filter}`
}

export type ParsedUplinkTopic = { deviceId: string; channel: UplinkChannel }

export function parseUplinkTopic(topic: string): ParsedUplinkTopic | null {
  const parts = topic.split('/')
  if (parts.length !== 6) return null
  const [root, version, dev, deviceId, direction, channel] = parts
  if (`${root}/${version}/${dev}` !== MQTT_TOPIC_ROOT || direction !== 'up' || !deviceId) return null
  if (!(UPLINK_CHANNELS as readonly string[]).includes(channel!)) return null
  return { deviceId, channel: channel as UplinkChannel }
}
