import t from 'tap'
import { spawn } from 'node:child_process'

// Keeps the README's first command true: `pnpm start` brings up the stack, the demo district and the
// services, and the simulated fleet's readings land in the time-series tables.
t.test('pnpm start runs the platform with demo data, and the fleet\'s telemetry is stored', async t => {
  const child = spawn(process.execPath, ['infra/cli/start.ts', '--for', '8', '--rate', '50'], {
    env: { ...process.env, INGESTION_HTTP_PORT: '18081', RECORDER_HTTP_PORT: '18082', ALERT_HTTP_PORT: '18083', ESCALATION_HTTP_PORT: '18084' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', chunk => (output += String(chunk)))
  child.stderr.on('data', chunk => (output += String(chunk)))
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  t.equal(code, 0, `start exited cleanly\n${code === 0 ? '' : output}`)
  t.match(output, /Anxin is running with the demo district \(300 residents, 435 devices\)/)
  const finished = output.split('\n').filter(l => l.includes('"demo finished"')).map(l => JSON.parse(l))[0]
  t.ok(finished, 'the demo ran to its end')
  t.ok(finished.telemetrySent >= 300, `the fleet sent telemetry (${finished?.telemetrySent})`)
  t.equal(finished.vitalsStored, finished.telemetrySent, 'every reading sent is in the database')
})
