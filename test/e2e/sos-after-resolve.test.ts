import t from 'tap'
import { waitUntil } from '@anxin/testing'
import { pipeline } from './pipeline.ts'

// Found by walking the console: once an operator had resolved an SOS, the same pendant's next press only added
// to that resolved alarm, and nobody was told. A press after the resolution must be a new alarm.
t.test('after a person resolves an SOS, the next press raises a new alarm that escalation notifies', async t => {
  const p = await pipeline(t, { devices: 1 })
  const pool = p.db.pool
  const device = p.devices[0]!
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role) VALUES ('op-1', 'org-test', '值班员', 'operator')`)
  await p.startIngestion()
  await p.startAlert()
  const escalation = await p.startEscalationHttp()
  const pendant = await p.device(device)

  const sosAlarms = async () => (await pool.query<{ id: string; status: string; close_reason: string | null }>(`SELECT id, status, close_reason FROM alarms WHERE type = 'sos' ORDER BY raised_at`)).rows
  const lifecycle = async (id: string) => (await pool.query<{ state: string }>('SELECT state FROM alarm_lifecycles WHERE alarm_id = $1', [id])).rows[0]?.state

  await pendant.pressSos()
  t.ok(await waitUntil(async () => (await sosAlarms()).length === 1 && (await lifecycle((await sosAlarms())[0]!.id)) !== undefined, 15000), 'the first press raises an alarm')
  const first = (await sosAlarms())[0]!.id
  const resolved = await fetch(`${escalation.url}/alarms/${first}/actions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'resolve', outcome: 'false_alarm', actor: { kind: 'staff', id: 'op-1' }, channel: 'console' }),
  })
  t.equal(resolved.status, 200, 'an operator resolves it as a false alarm')
  t.ok(await waitUntil(async () => (await sosAlarms())[0]!.status !== 'open', 15000), 'the alert service closes its record of it')
  t.match((await sosAlarms())[0]!.close_reason, /handled: false_alarm/)

  await pendant.pressSos()
  t.ok(await waitUntil(async () => (await sosAlarms()).length === 2, 15000), 'the next press is a new alarm')
  const second = (await sosAlarms())[1]!
  t.not(second.id, first)
  t.equal(second.status, 'open')
  t.ok(await waitUntil(async () => ['raised', 'notified'].includes((await lifecycle(second.id)) ?? ''), 15000), 'with its own escalation')
  t.equal(await lifecycle(first), 'resolved', 'the first stays resolved')
  const afterResolve = await pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE alarm_id = $1 AND seq > (SELECT seq FROM audit_log WHERE alarm_id = $1 AND action = 'resolve')`, [first])
  t.same(afterResolve.rows.map(r => r.action).filter(a => a === 'auto_resolve'), [], 'closing the alert record adds no automatic resolution to a person\'s resolved alarm')
})
