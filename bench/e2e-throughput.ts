import type { Teardown } from '@anxin/testing'
import { platformUnderLoad } from './load/platform-under-load.ts'
import { rampAndHold } from './load/ramp.ts'

/**
 * End-to-end telemetry throughput: devices publish over MQTT (QoS 1) to Mosquitto, ingestion validates and
 * writes to Kafka, the recorder writes to PostgreSQL, and the alert service evaluates every reading. The rate
 * is stepped up until the platform falls behind, then the best rate is held for `holdSeconds`;
 * `sustainedMsgsPerS` is what that hold stored per second. Loss is judged at the end, after a final drain.
 */
export async function benchEndToEnd(t: Teardown, options: { rates: number[]; rampSeconds: number; holdSeconds: number; devices: number }) {
  const platform = await platformUnderLoad(t, { devices: options.devices })
  const { steps, held } = await rampAndHold((rate, seconds) => platform.step(rate, seconds, 10), options, s =>
    console.error(JSON.stringify({ ...s, usage: undefined })),
  )
  const { sent, lost } = await platform.finalDrain(120)
  return { sustainedMsgsPerS: held?.endToEndMsgsPerS ?? 0, held, sent, lost, steps, devices: platform.devices }
}
