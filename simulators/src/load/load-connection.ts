import { connect, type Socket } from 'node:net'
import mqttPacket from 'mqtt-packet'
import { encodeQos1Publish, nextPacketId } from './mqtt-wire.ts'

export type LoadCredential = { deviceId: string; password: string }

/**
 * One device's MQTT connection for load: connects with the device's own credentials, publishes QoS 1 and
 * counts a message as sent when the broker's PUBACK for it arrives (as a device would before dropping it).
 */
export class LoadConnection {
  readonly deviceId: string
  acked = 0
  failed = 0
  private socket: Socket | null = null
  private packetId = 0
  private readonly pending = new Set<number>()
  private readonly credential: LoadCredential

  constructor(credential: LoadCredential) {
    this.credential = credential
    this.deviceId = credential.deviceId
  }

  get inFlight(): number {
    return this.pending.size
  }

  get open(): boolean {
    return this.socket !== null && !this.socket.destroyed
  }

  connect(host: string, port: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true })
      const parser = mqttPacket.parser({ protocolVersion: 5 })
      const timer = setTimeout(() => fail(new Error(`${this.deviceId}: no CONNACK within ${timeoutMs} ms`)), timeoutMs)
      const fail = (error: Error) => {
        clearTimeout(timer)
        socket.destroy()
        reject(error)
      }
      parser.on('packet', packet => {
        if (packet.cmd === 'connack') {
          clearTimeout(timer)
          if (packet.reasonCode) fail(new Error(`${this.deviceId}: CONNACK reason ${packet.reasonCode}`))
          else resolve()
        } else if (packet.cmd === 'puback' && packet.messageId !== undefined && this.pending.delete(packet.messageId)) {
          if (packet.reasonCode && packet.reasonCode >= 0x80) this.failed++
          else this.acked++
        }
      })
      parser.on('error', error => fail(error))
      socket.on('data', chunk => parser.parse(chunk))
      socket.on('error', error => fail(error))
      socket.on('close', () => {
        // Whatever was not acknowledged is not sent, as far as the device knows.
        this.failed += this.pending.size
        this.pending.clear()
      })
      socket.on('connect', () => {
        socket.write(mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 5,
          clientId: `load-${this.deviceId}`,
          clean: true,
          keepalive: 0, // the run is short; no PINGREQ timers for thousands of connections
          username: this.credential.deviceId,
          password: Buffer.from(this.credential.password),
        }))
      })
      this.socket = socket
    })
  }

  /** Writes one QoS 1 PUBLISH; false when the connection is gone (counted as failed). */
  publish(topic: Buffer, payload: Buffer): boolean {
    if (!this.open) {
      this.failed++
      return false
    }
    this.packetId = nextPacketId(this.packetId)
    this.pending.add(this.packetId)
    this.socket!.write(encodeQos1Publish(topic, this.packetId, payload))
    return true
  }

  close(): void {
    if (!this.socket) return
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }))
    this.socket = null
  }
}
