import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import mqtt from 'mqtt'
import { mqttTopics } from '@anxin/contracts'
import { DEFAULT_BASELINE, nextReading, seededRandom } from '@anxin/simulators'
import { testBroker, testDatabase, testStack, type Teardown } from '@anxin/testing'

/**
 * The machine's floors: what each part does alone, measured in the same run as the platform, so the
 * platform's figures can be read against them. Same QoS, payload and table as the end-to-end benchmark.
 */

/** One telemetry message as a simulated watch sends it (about 300 bytes of JSON). */
function telemetryPayload(random: () => number, seq: number, at: Date): string {
  return JSON.stringify({ id: `m${seq}`, seq, ts: at.getTime(), ...nextReading(random, DEFAULT_BASELINE, at, 80) })
}

/**
 * Mosquitto alone: `publishers` devices publish telemetry at QoS 1 as fast as the broker acknowledges (a
 * window of in-flight messages each), and one subscriber (the ingestion account, QoS 1, as ingestion reads)
 * receives them. The rate is messages delivered to the subscriber per second.
 */
export async function benchMosquittoFloor(t: Teardown, options: { messages: number; publishers: number; window: number }) {
  const stack = await testStack()
  const devices = Array.from({ length: options.publishers }, (_, i) => ({ username: `floor-${i}`, password: `floor-password-${i}` }))
  const broker = await testBroker(t, stack, devices)
  const subscriber = await mqtt.connectAsync(broker.url, { username: broker.ingestion.username, password: broker.ingestion.password, clean: true, protocolVersion: 5 })
  t.teardown(() => subscriber.endAsync())
  let received = 0
  let lastAt = 0
  const all = new Promise<void>(resolve => {
    subscriber.on('message', () => {
      received++
      lastAt = performance.now()
      if (received === options.messages) resolve()
    })
  })
  await subscriber.subscribeAsync(mqttTopics.allUplink('telemetry'), { qos: 1 })
  const clients = await Promise.all(devices.map(d => mqtt.connectAsync(broker.url, { username: d.username, password: d.password, clean: true, protocolVersion: 5 })))
  t.teardown(() => Promise.all(clients.map(c => c.endAsync())))
  const random = seededRandom(7)
  const payloads = Array.from({ length: 1000 }, (_, i) => telemetryPayload(random, i, new Date()))
  const perClient = Math.ceil(options.messages / clients.length)
  const started = performance.now()
  await Promise.all(
    clients.map(async (client, c) => {
      const topic = mqttTopics.uplink(devices[c]!.username, 'telemetry')
      for (let sent = 0; sent < perClient && c * perClient + sent < options.messages; ) {
        const batch = Math.min(options.window, perClient - sent, options.messages - c * perClient - sent)
        await Promise.all(Array.from({ length: batch }, (_, i) => client.publishAsync(topic, payloads[(sent + i) % payloads.length]!, { qos: 1 })))
        sent += batch
      }
    }),
  )
  const published = performance.now()
  await Promise.race([all, new Promise(resolve => setTimeout(resolve, 30000))])
  return {
    messages: options.messages,
    received,
    publishers: options.publishers,
    payloadBytes: Math.round(payloads.reduce((n, p) => n + Buffer.byteLength(p), 0) / payloads.length),
    publishMsgsPerS: Math.round(options.messages / ((published - started) / 1000)),
    msgsPerS: Math.round(received / ((lastAt - started) / 1000)),
  }
}

/**
 * PostgreSQL alone: COPY of `rows` vitals rows (the recorder's table and columns) through psql, on a fresh
 * schema of the same database. The rate is rows per second including the COPY's commit.
 */
export async function benchPgCopyFloor(t: Teardown, options: { rows: number }) {
  const stack = await testStack()
  const db = await testDatabase(t, stack)
  const random = seededRandom(11)
  const base = Date.parse('2026-01-01T00:00:00Z')
  const lines: string[] = []
  for (let i = 0; i < options.rows; i++) {
    const at = new Date(base + i * 10)
    const device = `floor-${i % 500}`
    const v = nextReading(random, DEFAULT_BASELINE, at, 80).vitals
    lines.push(`${at.toISOString()},${device},res-${i % 500},${randomUUID()},${v.heartRate ?? ''},${v.spo2 ?? ''},${v.systolic ?? ''},${v.diastolic ?? ''},${v.temperature ?? ''},${v.steps ?? ''},${at.toISOString()}`)
  }
  const csv = `${lines.join('\n')}\n`
  const copy = `\\copy ${db.schema}.vitals (time, device_id, resident_id, event_id, heart_rate, spo2, systolic, diastolic, temperature, steps, received_at) FROM STDIN WITH (FORMAT csv)`
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const psql = spawn('psql', [stack.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', copy], { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    psql.stderr.on('data', chunk => (stderr += String(chunk)))
    psql.on('error', reject)
    psql.on('exit', code => (code === 0 ? resolve() : reject(new Error(`psql COPY failed (${code}): ${stderr}`))))
    psql.stdin.end(csv)
  })
  const seconds = (performance.now() - started) / 1000
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM vitals')
  return { rows: rows[0]!.n, rowsPerS: Math.round(rows[0]!.n / seconds), seconds: Math.round(seconds * 100) / 100 }
}
