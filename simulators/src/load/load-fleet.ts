import { randomBytes } from 'node:crypto'
import { mqttTopics } from '@anxin/contracts'
import { DEFAULT_BASELINE, nextReading, seededRandom } from '../vitals-model.ts'
import { LoadConnection, type LoadCredential } from './load-connection.ts'

export type LoadStepReport = {
  targetMsgsPerS: number
  /** Acknowledged by the broker (PUBACK), i.e. the platform's responsibility from then on. */
  sent: number
  failed: number
  /** What the generator managed; below the target means the generator, not the platform, was the limit. */
  generatorMsgsPerS: number
  elapsedMs: number
}

type LoadDevice = { connection: LoadConnection; topic: Buffer; random: () => number; seq: number; battery: number; bootId: string }

/**
 * Many devices on their own MQTT connections, publishing the same telemetry a watch sends (vitals, location,
 * status; about 280 bytes of JSON) at a chosen overall rate, round robin, paced in 5 ms ticks.
 */
export class LoadFleet {
  private readonly devices: LoadDevice[]
  private next = 0

  private constructor(devices: LoadDevice[]) {
    this.devices = devices
  }

  static async connect(url: string, credentials: LoadCredential[], concurrency = 100): Promise<LoadFleet> {
    const { hostname, port } = new URL(url)
    const devices: LoadDevice[] = credentials.map((credential, i) => ({
      connection: new LoadConnection(credential),
      topic: Buffer.from(mqttTopics.uplink(credential.deviceId, 'telemetry')),
      random: seededRandom(i + 1),
      seq: 0,
      battery: 100,
      bootId: randomBytes(3).toString('hex'),
    }))
    try {
      for (let i = 0; i < devices.length; i += concurrency) {
        await Promise.all(devices.slice(i, i + concurrency).map(d => d.connection.connect(hostname, Number(port || 1883))))
      }
    } catch (error) {
      for (const d of devices) d.connection.close()
      throw error
    }
    return new LoadFleet(devices)
  }

  get size(): number {
    return this.devices.length
  }

  get connected(): number {
    return this.devices.filter(d => d.connection.open).length
  }

  /** Publishes `ratePerSecond` for `seconds`, then waits (up to 10 s) for the broker to acknowledge the rest. */
  async play(ratePerSecond: number, seconds: number): Promise<LoadStepReport> {
    const ackedBefore = this.sum(c => c.acked)
    const failedBefore = this.sum(c => c.failed)
    const total = Math.round(ratePerSecond * seconds)
    const started = performance.now()
    let published = 0
    while (published < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1)
      for (; published < due; published++) this.publishOne()
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    const sendMs = performance.now() - started
    const deadline = performance.now() + 10_000
    while (this.sum(c => c.inFlight) > 0 && performance.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    const sent = this.sum(c => c.acked) - ackedBefore
    return {
      targetMsgsPerS: ratePerSecond,
      sent,
      failed: this.sum(c => c.failed) - failedBefore,
      generatorMsgsPerS: Math.round(sent / (sendMs / 1000)),
      elapsedMs: Math.round(performance.now() - started),
    }
  }

  close(): void {
    for (const d of this.devices) d.connection.close()
  }

  private publishOne(): void {
    const device = this.devices[this.next]!
    this.next = (this.next + 1) % this.devices.length
    device.seq += 1
    device.battery = Math.max(5, device.battery - 0.01)
    const at = new Date()
    const reading = nextReading(device.random, DEFAULT_BASELINE, at, device.battery)
    const payload = JSON.stringify({ id: `${device.bootId}-${device.seq}`, seq: device.seq, ts: at.getTime(), ...reading })
    device.connection.publish(device.topic, Buffer.from(payload))
  }

  private sum(get: (c: LoadConnection) => number): number {
    let total = 0
    for (const d of this.devices) total += get(d.connection)
    return total
  }
}
