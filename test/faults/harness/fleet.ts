import { randomUUID } from 'node:crypto'
import { deviceEventId } from '@anxin/contracts'
import { SimulatedDevice, type SosResult } from '@anxin/simulators'
import type { FixtureDevice, Teardown } from '@anxin/testing'
import { withDeadline } from '../../../packages/service-kit/src/deadline.ts'

/** One SOS press as the device saw it: sent when, acknowledged when (null: never), with which event id. */
export type Press = {
  residentId: string
  deviceId: string
  messageId: string
  eventId: string
  sentAt: number
  ackedAt: number | null
  result: SosResult | null
  error: string | null
}

export type Fleet = {
  /** Telemetry messages acknowledged by the broker (PUBACK) and those that failed. */
  telemetry: { acknowledged: number; failed: number }
  presses: Press[]
  /** Presses one SOS every `everyMs` until `stop` is called; resolves with those presses once all are acknowledged. */
  pressEvery: (everyMs: number) => { stop: () => Promise<Press[]> }
  stopTelemetry: () => Promise<void>
}

/**
 * The simulated devices of a fault test: a few watches streaming telemetry in the background (the load the
 * faults land in) and the rest pressing SOS, each press with a unique message id, retried by the device until
 * the platform acknowledges it, as a real pendant does.
 */
export async function startFleet(
  t: Teardown,
  options: { brokerUrl: string; devices: FixtureDevice[]; streaming: number; telemetryPerSecond: number },
): Promise<Fleet> {
  const connect = async (d: FixtureDevice) => {
    const device = new SimulatedDevice({ url: options.brokerUrl, deviceId: d.deviceId, password: d.password, ackTimeoutMs: 2000 })
    await device.connect()
    t.teardown(() => device.close())
    return device
  }
  const streamers = await Promise.all(options.devices.slice(0, options.streaming).map(connect))
  const pressers = options.devices.slice(options.streaming)
  const connected = new Map<string, SimulatedDevice>()
  const telemetry = { acknowledged: 0, failed: 0 }
  let streaming = true
  const perDevicePause = (1000 * streamers.length) / options.telemetryPerSecond
  const loops = streamers.map(async device => {
    while (streaming) {
      const started = Date.now()
      // A publish caught in a broker restart may never complete: given up after 5 s, as a watch would.
      await withDeadline(device.sendTelemetry(), 5000, 'telemetry publish').then(() => telemetry.acknowledged++, () => telemetry.failed++)
      await new Promise(r => setTimeout(r, Math.max(0, perDevicePause - (Date.now() - started))))
    }
  })

  /** A pendant that cannot reach the broker (it is restarting) tries again a second later, for up to a minute. */
  async function connectedDevice(fixture: FixtureDevice): Promise<SimulatedDevice> {
    for (let attempt = 1; ; attempt++) {
      const known = connected.get(fixture.deviceId)
      if (known) return known
      try {
        const device = await connect(fixture)
        connected.set(fixture.deviceId, device)
        return device
      } catch (error) {
        if (attempt >= 60) throw error
        await new Promise(r => setTimeout(r, 1000))
      }
    }
  }

  const presses: Press[] = []
  let next = 0
  /** Presses SOS on the next resident's device; resolves when the device has its acknowledgement. */
  async function press(): Promise<Press> {
    // Past the last resident it starts again: a press then adds an occurrence to that resident's open alarm.
    const fixture = pressers[next++ % pressers.length]!
    const messageId = randomUUID()
    const entry: Press = {
      residentId: fixture.residentId!, deviceId: fixture.deviceId, messageId, eventId: deviceEventId(fixture.deviceId, messageId),
      sentAt: Date.now(), ackedAt: null, result: null, error: null,
    }
    presses.push(entry)
    try {
      const device = await connectedDevice(fixture)
      entry.result = await device.pressSos({ messageId, maxAttempts: 1000 })
      entry.ackedAt = Date.now()
    } catch (error) {
      entry.error = (error as Error).message
    }
    return entry
  }

  return {
    telemetry,
    presses,
    pressEvery: everyMs => {
      const pending: Promise<Press>[] = []
      const timer = setInterval(() => pending.push(press()), everyMs)
      return {
        stop: async () => {
          clearInterval(timer)
          return Promise.all(pending)
        },
      }
    },
    stopTelemetry: async () => {
      streaming = false
      await Promise.all(loops)
    },
  }
}
