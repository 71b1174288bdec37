import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Logger } from '@anxin/logging'

export type MqttConnectOptions = {
  url: string
  username: string
  password: string
  clientId: string
  logger: Logger
  /**
   * Keep the broker-side session (subscriptions and unacknowledged QoS 1 messages) for this long after a
   * disconnect, so a restarted service with the same client id receives what it had not acknowledged.
   */
  sessionExpirySeconds?: number
  /** Runs before PUBACK for incoming QoS 1 messages: the broker redelivers anything not acknowledged. */
  handleMessage?: MqttClient['handleMessage']
  extra?: Partial<IClientOptions>
}

/** Connects with MQTT 5, reconnecting forever; resolves on the first successful connection. */
export async function connectMqtt(options: MqttConnectOptions): Promise<MqttClient> {
  const log = options.logger.child({ component: 'mqtt', clientId: options.clientId })
  const persistent = options.sessionExpirySeconds !== undefined
  const client = mqtt.connect(options.url, {
    protocolVersion: 5,
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: !persistent,
    properties: persistent ? { sessionExpiryInterval: options.sessionExpirySeconds } : {},
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    keepalive: 30,
    ...options.extra,
  })
  if (options.handleMessage) client.handleMessage = options.handleMessage
  client.on('reconnect', () => log.debug('reconnecting'))
  client.on('offline', () => log.warn('offline'))
  client.on('error', error => log.warn({ err: error.message }, 'mqtt error'))
  await new Promise<void>((resolve, reject) => {
    const onConnect = () => {
      client.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      // Bad credentials will never succeed: fail fast instead of retrying forever.
      if (/Not authorized|Bad User Name or Password/i.test(error.message)) {
        client.end(true)
        client.off('connect', onConnect)
        reject(error)
      }
    }
    client.once('connect', onConnect)
    client.on('error', onError)
  })
  client.on('connect', () => log.info('connected'))
  return client
}
