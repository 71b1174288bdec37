import t from 'tap'
import { deviceEventId } from '@anxin/contracts'
import { readTopic, startServiceProcess } from '@anxin/testing'
import type { SosResult } from '@anxin/simulators'
import { pipeline } from './pipeline.ts'

/** Runs the real ingestion process (node services/ingestion/src/main.ts); resolves once it has started. */
const startIngestionProcess = (env: Record<string, string>) => startServiceProcess('services/ingestion/src/main.ts', env, 'ingestion started', 30000)

t.test('killing ingestion with SIGKILL mid-stream loses no urgent event', async t => {
  const p = await pipeline(t, { devices: 6 })
  let ingestion = await startIngestionProcess(p.ingestionEnv)
  t.teardown(() => void ingestion.kill('SIGKILL'))
  const devices = await Promise.all(p.devices.map(d => p.device(d)))
  const [telemetryDevice, ...sosDevices] = devices

  // Background telemetry, so the kill lands while the pipeline is busy.
  let streaming = true
  let telemetrySent = 0
  let telemetryFailed = 0
  const telemetry = (async () => {
    while (streaming) {
      await telemetryDevice!.sendTelemetry().then(() => telemetrySent++, () => telemetryFailed++)
      await new Promise(r => setTimeout(r, 2))
    }
  })()

  const pressesPerDevice = 12
  const results: SosResult[] = []
  const presses = sosDevices.map(async device => {
    for (let i = 0; i < pressesPerDevice; i++) {
      results.push(await device.pressSos())
      await new Promise(r => setTimeout(r, 50))
    }
  })
  while (results.length < 15) await new Promise(r => setTimeout(r, 20))
  ingestion.kill('SIGKILL')
  const killedAt = results.length
  await new Promise(r => setTimeout(r, 1500))
  ingestion = await startIngestionProcess(p.ingestionEnv)
  await Promise.all(presses)
  streaming = false
  await telemetry

  const expected = sosDevices.length * pressesPerDevice
  t.ok(killedAt < expected, `the kill came mid-stream (${killedAt} of ${expected} acknowledged before it)`)
  t.equal(results.length, expected, 'every SOS was acknowledged to its device in the end')
  t.ok(results.every(r => r.ack.status === 'accepted' || r.ack.status === 'duplicate'))
  t.ok(results.some(r => r.attempts > 1), 'some presses had to be retried across the outage')

  const wanted = new Set(results.map(r => r.ack.eventId ?? `missing event id for ${r.messageId}`))
  const alarms = await readTopic(p.topics.kafka, p.topics.names.deviceAlarm, {
    until: messages => new Set(messages.map(m => JSON.parse(m.value).eventId)).size >= wanted.size,
    timeoutMs: 20000,
  })
  const recorded = alarms.map(m => JSON.parse(m.value).eventId as string)
  const missing = [...wanted].filter(id => !recorded.includes(id))
  t.same(missing, [], 'no SOS is missing from the urgent topic')
  t.ok(results.every(r => r.ack.eventId === deviceEventId(r.deviceId, r.messageId)), 'each acknowledgement names its own event')
  t.comment(`background telemetry: ${telemetrySent} sent, ${telemetryFailed} failed`)
  t.comment(`urgent records written: ${recorded.length} for ${wanted.size} SOS (${recorded.length - wanted.size} rewritten around the kill; consumers deduplicate by event id)`)
})
