import t from 'tap'
import { pipeline } from './pipeline.ts'

/**
 * Mosquitto restored ingestion's persistent session after a restart but delivered nothing to its shared
 * subscription: every SOS after a broker restart went unanswered until ingestion itself was restarted.
 */
t.test('ingestion keeps taking SOS after Mosquitto restarts, also with an SOS in hand when it goes down', async t => {
  const p = await pipeline(t, { devices: 3 })
  await p.startIngestion()
  const [a, b, c] = await Promise.all(p.devices.map(d => p.device(d)))
  t.equal((await a!.pressSos()).ack.status, 'accepted', 'before the restart')
  let streaming = true
  const stream = (async () => {
    while (streaming) {
      await Promise.race([c!.sendTelemetry(), new Promise(r => setTimeout(r, 2000))]).catch(() => {})
      await new Promise(r => setTimeout(r, 5))
    }
  })()
  const during = b!.pressSos({ maxAttempts: 30 })
  await new Promise(r => setTimeout(r, 20))
  await p.broker.restart()
  t.equal((await during).ack.status, 'accepted', 'the SOS sent as the broker went down')
  for (let i = 0; i < 3; i++) {
    const after = await a!.pressSos({ maxAttempts: 10 })
    t.equal(after.ack.status, 'accepted', `SOS ${i + 1} after the restart`)
  }
  t.equal((await b!.pressSos({ maxAttempts: 10 })).ack.status, 'accepted', 'from another device too')
  streaming = false
  await stream
})
