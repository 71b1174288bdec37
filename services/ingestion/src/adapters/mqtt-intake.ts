import { mqttTopics, sharedSubscription, type DeviceAck, type UplinkChannel } from '@anxin/contracts'
import type { Logger } from '@anxin/logging'
import { connectMqtt, type MqttClient } from '@anxin/mqtt'
import { withDeadline } from '@anxin/service-kit'

export type MqttIntakeOptions = {
  url: string
  username: string
  password: string
  /** Stable per instance: a restarted instance resumes its broker sessions and gets unacknowledged messages. */
  instanceId: string
  /** The CA to trust for an `mqtts://` URL whose broker certificate a private CA signed. */
  ca?: Buffer
  shareGroup: string
  logger: Logger
  handle: (topic: string, payload: Buffer) => Promise<void>
}

const ACK_PUBLISH_TIMEOUT_MS = 5000

type Credentials = Pick<MqttIntakeOptions, 'url' | 'username' | 'password' | 'instanceId' | 'ca' | 'logger'>

export type AckPublisher = {
  send: (deviceId: string, ack: DeviceAck) => Promise<void>
  connected: () => boolean
  close: () => Promise<void>
}

/**
 * Acknowledgements to devices go out on a connection of their own, so sending one never waits behind intake
 * (MQTT delivers a connection's packets one after another). It must be connected before intake starts: a
 * resumed session delivers its backlog of unacknowledged SOS messages the moment intake connects.
 */
export async function connectAckPublisher(options: Credentials): Promise<AckPublisher> {
  const client = await connectMqtt({ ...options, clientId: `${options.instanceId}-acks`, extra: trust(options.ca) })
  return {
    // Bounded: a publish caught in a broker restart may never complete, and an SOS lane waiting on it would
    // take nothing more. The caller retries; a device ignores a second acknowledgement of the same message.
    send: async (deviceId, ack) => {
      await withDeadline(client.publishAsync(mqttTopics.ack(deviceId), JSON.stringify(ack), { qos: 1 }), ACK_PUBLISH_TIMEOUT_MS, 'acknowledgement to the broker')
    },
    connected: () => client.connected,
    close: () => client.endAsync(),
  }
}

export type MqttIntake = { connected: () => boolean; close: () => Promise<void> }

/**
 * One MQTT connection per uplink channel, each a member of a shared subscription so several ingestion
 * instances split the load. Separate connections keep the urgent lane free of telemetry; a PUBACK is sent
 * only when `handle` resolves, so the broker keeps (and redelivers) whatever was not handed off.
 */
export async function startMqttIntake(options: MqttIntakeOptions): Promise<MqttIntake> {
  const intake: MqttClient[] = []
  for (const channel of ['alarm', 'event', 'telemetry'] satisfies UplinkChannel[]) {
    intake.push(await connectChannel(options, channel))
  }
  return {
    connected: () => intake.every(c => c.connected),
    close: async () => {
      await Promise.all(intake.map(c => c.endAsync()))
    },
  }
}

async function connectChannel(options: MqttIntakeOptions, channel: UplinkChannel): Promise<MqttClient> {
  const log = options.logger.child({ lane: channel })
  const client = await connectMqtt({
    url: options.url,
    username: options.username,
    password: options.password,
    clientId: `${options.instanceId}-${channel}`,
    sessionExpirySeconds: 24 * 3600,
    logger: options.logger,
    extra: trust(options.ca),
    handleMessage: (packet, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
      options.handle(packet.topic, payload).then(
        () => done(),
        // Only reached while shutting down: withholding the PUBACK leaves the message with the broker,
        // which redelivers it to this session when the instance comes back.
        error => log.warn({ err: (error as Error).message }, 'message left unacknowledged'),
      )
    },
  })
  const filter = sharedSubscription(options.shareGroup, mqttTopics.allUplink(channel))
  const granted = await client.subscribeAsync(filter, { qos: 1 })
  if (granted.some(g => g.qos > 2)) throw new Error(`broker refused subscription ${filter}`)
  // After a broker restart the session comes back ("session present") with its shared subscription, but
  // Mosquitto 2.0 delivers nothing to a shared subscription restored from its persistence file, and
  // subscribing again is a no-op for an existing subscription: the lane sat connected and received nothing,
  // SOS included (found by the fault battery, test/e2e/broker-restart.test.ts). Unsubscribing first makes the
  // broker build it anew. Messages already queued for the session stay queued; a telemetry reading published
  // in the millisecond between the two, with no other instance in the group, would find no subscriber (an SOS
  // is sent again by its device until acknowledged).
  client.on('connect', () => {
    client.unsubscribeAsync(filter).then(() => client.subscribeAsync(filter, { qos: 1 })).then(
      () => log.info({ filter }, 'subscribed again after reconnecting'),
      error => log.error({ err: (error as Error).message, filter }, 'could not subscribe again after reconnecting'),
    )
  })
  return client
}

/** TLS: trust only this CA (Node's `ca` replaces the public roots), so only a broker it signed is accepted. */
function trust(ca: Buffer | undefined): { ca: Buffer } | undefined {
  return ca ? { ca } : undefined
}
