import { randomBytes } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { deviceAckSchema, mqttTopics, type AlarmMessage, type DeviceAck, type DeviceEventMessage, type TelemetryMessage } from '@anxin/contracts'
import { DEFAULT_BASELINE, nextReading, seededRandom, type Baseline } from './vitals-model.ts'

export type DeviceOptions = {
  url: string
  deviceId: string
  password: string
  seed?: number
  baseline?: Baseline
  /** How long to wait for the centre's acknowledgement of an SOS before sending it again. */
  ackTimeoutMs?: number
  clock?: () => Date
  /** For an `mqtts://` URL: the private CA's certificate (PEM) to trust instead of the public roots. */
  ca?: string | Buffer
}

export type SosResult = { deviceId: string; messageId: string; ack: DeviceAck; attempts: number; latencyMs: number }

/**
 * A wearable or button as the platform sees it: its own credentials, telemetry at a chosen rate, and an SOS
 * that is sent again (same message id) until the centre acknowledges it at application level.
 */
export class SimulatedDevice {
  readonly deviceId: string
  private client: MqttClient | null = null
  private seq = 0
  private battery = 100
  private readonly bootId = randomBytes(3).toString('hex')
  private readonly random: () => number
  private readonly ackWaiters = new Map<string, (ack: DeviceAck) => void>()
  private readonly options: DeviceOptions
  readonly acks: DeviceAck[] = []

  constructor(options: DeviceOptions) {
    this.options = options
    this.deviceId = options.deviceId
    this.random = seededRandom(options.seed ?? hash(options.deviceId))
  }

  async connect(): Promise<void> {
    const client = mqtt.connect(this.options.url, {
      protocolVersion: 5,
      clientId: `sim-${this.deviceId}-${this.bootId}`,
      username: this.deviceId,
      password: this.options.password,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    })
    this.client = client
    client.on('message', (_topic, payload) => this.onDownlink(payload))
    client.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        client.off('connect', onConnect)
        client.end(true)
        reject(error)
      }
      const onConnect = () => {
        client.off('error', onError)
        resolve()
      }
      client.once('connect', onConnect)
      client.once('error', onError)
    })
    await client.subscribeAsync(mqttTopics.ack(this.deviceId), { qos: 1 })
  }

  /** Connected to the broker now (false after the broker cut it off, until a reconnect is accepted). */
  get connected(): boolean {
    return this.client?.connected ?? false
  }

  nextMessageId(): string {
    this.seq += 1
    return `${this.bootId}-${this.seq}`
  }

  /** Publishes one telemetry reading (QoS 1: resolves when the broker has it). */
  async sendTelemetry(options: { messageId?: string; at?: Date } = {}): Promise<string> {
    const at = options.at ?? this.now()
    const id = options.messageId ?? this.nextMessageId()
    this.battery = Math.max(5, this.battery - 0.01)
    const reading = nextReading(this.random, this.options.baseline ?? DEFAULT_BASELINE, at, this.battery)
    await this.publishRaw('telemetry', JSON.stringify({ id, seq: this.seq, ts: at.getTime(), ...reading }))
    return id
  }

  async sendEvent(type: DeviceEventMessage['type']): Promise<string> {
    const id = this.nextMessageId()
    await this.publishRaw('event', JSON.stringify({ id, seq: this.seq, ts: this.now().getTime(), type, battery: Math.round(this.battery) }))
    return id
  }

  /**
   * Presses SOS (or reports a fall) and keeps sending the same message until acknowledged or `maxAttempts`
   * is reached. Resolves with the acknowledgement, including a `rejected` one (the device then stops).
   */
  async pressSos(options: { type?: AlarmMessage['type']; messageId?: string; maxAttempts?: number; signal?: AbortSignal } = {}): Promise<SosResult> {
    const id = options.messageId ?? this.nextMessageId()
    const payload = JSON.stringify({ id, seq: this.seq, ts: this.now().getTime(), type: options.type ?? 'sos', pressCount: 1 })
    return this.sendUntilAcknowledged(id, payload, options)
  }

  /**
   * Sends an alarm prepared elsewhere (its own id, seq, ts, pressCount, fall details, location) with the
   * same retry-until-acknowledged behaviour as `pressSos`. A publish that fails because the device is
   * offline counts as an attempt; the next one goes out after the ack timeout.
   */
  async sendAlarm(alarm: AlarmMessage, options: { maxAttempts?: number; signal?: AbortSignal } = {}): Promise<SosResult> {
    return this.sendUntilAcknowledged(alarm.id, JSON.stringify(alarm), options)
  }

  /** Publishes a telemetry or event message prepared elsewhere, as it is (QoS 1). */
  async sendPrepared(channel: 'telemetry' | 'event', message: TelemetryMessage | DeviceEventMessage): Promise<string> {
    await this.publishRaw(channel, JSON.stringify(message))
    return message.id
  }

  private async sendUntilAcknowledged(id: string, payload: string, options: { maxAttempts?: number; signal?: AbortSignal }): Promise<SosResult> {
    const started = performance.now()
    const acknowledged = new Promise<DeviceAck>(resolve => this.ackWaiters.set(id, resolve))
    const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (options.signal?.aborted) break
      // Not awaited: a publish caught in a broker restart may never complete, and a pendant does not wait on
      // it; it sends again when the acknowledgement does not come.
      void this.publishRaw('alarm', payload).catch(() => {})
      const timeout = delay(this.options.ackTimeoutMs ?? 3000)
      const ack = await Promise.race([acknowledged, timeout.elapsed])
      timeout.cancel() // an acknowledged device does not keep its process alive for the rest of the timeout
      if (ack) return { deviceId: this.deviceId, messageId: id, ack, attempts: attempt, latencyMs: performance.now() - started }
    }
    this.ackWaiters.delete(id)
    throw new Error(`SOS ${id} from ${this.deviceId} was not acknowledged`)
  }

  /** Sends bytes as they are, for tests of what the platform does with bad input. */
  async publishRaw(channel: 'telemetry' | 'event' | 'alarm', payload: string | Buffer, topic?: string): Promise<void> {
    if (!this.client) throw new Error('not connected')
    await this.client.publishAsync(topic ?? mqttTopics.uplink(this.deviceId, channel), payload, { qos: 1 })
  }

  async close(): Promise<void> {
    await this.client?.endAsync()
    this.client = null
  }

  private onDownlink(payload: Buffer): void {
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch {
      return
    }
    const parsed = deviceAckSchema.safeParse(json)
    if (!parsed.success) return
    this.acks.push(parsed.data)
    const waiter = this.ackWaiters.get(parsed.data.ackFor)
    if (waiter) {
      this.ackWaiters.delete(parsed.data.ackFor)
      waiter(parsed.data)
    }
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date()
  }
}

function delay(ms: number): { elapsed: Promise<null>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined
  const elapsed = new Promise<null>(resolve => (timer = setTimeout(() => resolve(null), ms)))
  return { elapsed, cancel: () => clearTimeout(timer) }
}

function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
