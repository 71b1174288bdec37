import t from 'tap'
import { spawn } from 'node:child_process'
import { createPool } from '@anxin/db'
import { readStackSettings } from '@anxin/infra/stack'

// Keeps the README's first command true: `pnpm start` brings up the stack, the demo district and the
// services, and the simulated fleet's readings land in the time-series tables.
t.test('pnpm start runs the platform with demo data, and the fleet\'s telemetry is stored', async t => {
  const child = spawn(process.execPath, ['infra/cli/start.ts', '--for', '8', '--speed', '30'], {
    env: { ...process.env, INGESTION_HTTP_PORT: '18081', RECORDER_HTTP_PORT: '18082', ALERT_HTTP_PORT: '18083', ESCALATION_HTTP_PORT: '18084', DISPATCH_HTTP_PORT: '18085', CONSOLE_HTTP_PORT: '18086', WATCHDOG_HTTP_PORT: '18087', DEMO_SMTP_PORT: '12525', DEMO_GATEWAY_PORT: '18090' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  // While the demo plays, the console answers: its web UI, and a demo account signs in with the printed password.
  let consoleChecked: Promise<{ page: number; signIn: number; role: string }> | null = null
  const checkConsole = async () => {
    const password = /with password (\S+)/.exec(output)![1]!
    const page = await fetch('http://127.0.0.1:18086/')
    const signIn = await fetch('http://127.0.0.1:18086/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password }) })
    return { page: page.status, signIn: signIn.status, role: signIn.ok ? ((await signIn.json()) as { user: { role: string } }).user.role : '' }
  }
  const onOutput = (chunk: unknown) => {
    output += String(chunk)
    if (!consoleChecked && /with password \S+/.test(output)) consoleChecked = checkConsole()
  }
  child.stdout.on('data', onOutput)
  child.stderr.on('data', onOutput)
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  t.equal(code, 0, `start exited cleanly\n${code === 0 ? '' : output}`)
  t.match(output, /Anxin is running with the demo district \(300 residents, 435 devices\)/)
  t.match(output, /dispatch {3}http:\/\/127\.0\.0\.1:18085/, 'dispatch runs too, with the demo mailbox and SMS gateway')
  t.match(output, /console {4}http:\/\/127\.0\.0\.1:18086\//, 'and the operator console')
  t.match(output, /watchdog {3}http:\/\/127\.0\.0\.1:18087\/system-alarms/, 'and the watchdog')
  t.same(await consoleChecked, { page: 200, signIn: 200, role: 'operator' }, 'the console serves its UI and the demo operator signs in')
  const finished = output.split('\n').filter(l => l.includes('"demo finished"')).map(l => JSON.parse(l))[0]
  t.ok(finished, 'the demo ran to its end')
  t.ok(finished.telemetrySent >= 300, `the district's devices sent telemetry (${finished?.telemetrySent})`)
  t.equal(finished.telemetryStored, finished.telemetrySent, 'every telemetry message sent is in the database')
  t.equal(finished.devicesNotConnected, 0, 'every demo device logged in with its provisioned password')
  t.ok(Object.keys(finished.events).length > 0, `devices sent events too (${JSON.stringify(finished.events)})`)

  // The demo centre is staffed: escalation finds someone on duty for every role.
  const settings = readStackSettings()!
  const pool = createPool({ url: settings.DATABASE_URL, schema: settings.DATABASE_SCHEMA, applicationName: 'start-test', max: 1 })
  t.teardown(() => pool.end())
  const roles = await pool.query<{ role: string }>(`SELECT DISTINCT role FROM oncall_rotations WHERE org_id = 'org-jingan-jiangning' ORDER BY role`)
  t.same(roles.rows.map(r => r.role), ['carer', 'doctor', 'operator', 'supervisor'])
})
