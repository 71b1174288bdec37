import t from 'tap'
import { alarmEventSchema } from '@anxin/contracts'
import { readTopic, startServiceProcess, waitUntil } from '@anxin/testing'

const startAlertProcess = (env: Record<string, string>) => startServiceProcess('services/alert/src/main.ts', env, 'alert started')
import { pipeline } from './pipeline.ts'


t.test('killing the alert service with SIGKILL mid-stream neither loses nor duplicates an alarm', async t => {
  const p = await pipeline(t, { devices: 5 })
  await p.startIngestion()
  const env = { ...p.ingestionEnv, ALERT_GROUP_ID: `alert-${p.ingestionEnv.INGESTION_INSTANCE_ID}`, ALERT_CHECK_INTERVAL_MS: '500' }
  let alert = await startAlertProcess(env)
  t.teardown(() => void alert.kill('SIGKILL'))
  const devices = await Promise.all(p.devices.map(d => p.device(d)))

  const presses = 8
  let acknowledged = 0
  const pressing = devices.map(async device => {
    for (let i = 0; i < presses; i++) {
      await device.pressSos()
      acknowledged++
      await new Promise(r => setTimeout(r, 40))
    }
  })
  while (acknowledged < 12) await new Promise(r => setTimeout(r, 10))
  alert.kill('SIGKILL')
  await new Promise(r => setTimeout(r, 500))
  const restartedAt = performance.now()
  alert = await startAlertProcess(env)
  t.comment(`restarted in ${Math.round(performance.now() - restartedAt)} ms`)
  await Promise.all(pressing)
  t.comment(`presses done at ${Math.round(performance.now() - restartedAt)} ms`)

  const rows = async () =>
    (await p.db.pool.query<{ resident_id: string; occurrences: number }>(`SELECT resident_id, occurrences FROM alarms WHERE type = 'sos'`)).rows
  const settled = await waitUntil(async () => {
    const current = await rows()
    return current.length === devices.length && current.every(r => r.occurrences === presses)
  }, 30000)
  t.ok(settled, 'every press counted once')
  t.comment(`settled at ${Math.round(performance.now() - restartedAt)} ms`)
  const final = await rows()
  t.equal(final.length, devices.length, 'one SOS alarm per resident, none twice')
  t.same(final.map(r => r.occurrences), devices.map(() => presses), `each alarm counts exactly ${presses} presses`)

  const events = await readTopic(p.topics.kafka, p.topics.names.alarm, { until: m => new Set(m.map(e => JSON.parse(e.value).eventId)).size >= devices.length * presses, timeoutMs: 20000 })
  const parsed = events.map(e => alarmEventSchema.parse(JSON.parse(e.value)))
  const distinct = new Set(parsed.map(e => e.eventId))
  t.equal(distinct.size, devices.length * presses, 'every alarm change reached Kafka (one raise and the updates per resident)')
  t.comment(`alarm events written: ${parsed.length} for ${distinct.size} changes (re-sent after the kill: ${parsed.length - distinct.size}; same event ids)`)
})
