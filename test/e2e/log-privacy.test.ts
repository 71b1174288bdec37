import t from 'tap'
import { upsertAccount } from '@anxin/console'
import { hashPassword } from '@anxin/credentials'
import { signIn, waitUntil } from '@anxin/testing'
import { DESK_PASSWORD, monitoringCentre } from './console-desk.ts'
import { pipeline } from './pipeline.ts'

/**
 * No health data and no personal data in the logs (MISSION §9): a realistic day runs through the real
 * services (ingestion, recorder, alert, escalation, dispatch, console) with every log line kept at 'debug',
 * more than they log in production, and then every line is searched for the resident's details, the
 * vital-sign values, the positions and for vital/location key-value pairs of any value.
 */

// Distinctive values: found anywhere in a log line, they can only have come from this resident or device.
const PERSON = {
  fullName: '欧阳秘语', phone: '13912345678', address: '隐私巷 77 号 3 单元', medication: '秘密药物XJ-9 每日两次',
  contactName: '欧阳守密', contactPhone: '13787654321', callNotes: '老人说胸口闷得厉害', resolveNotes: '已送社区医院复查',
}
const VITALS = { heartRate: 187, spo2: 86.25, systolic: 211, diastolic: 133, temperature: 39.65, glucose: 27.35, steps: 4321 }
const WALK = { lat: 31.234567, lon: 121.456789, accuracyM: 12.5, source: 'gps' as const }
const SOS_AT = { lat: 31.246813, lon: 121.468024, accuracyM: 8.25, source: 'gps' as const }
const FALL_AT = { lat: 31.257924, lon: 121.479135, accuracyM: 9.75, source: 'gps' as const }
const FALL = { impactG: 7.77, confidence: 0.93 }

/** Key-value pairs that carry health data or a position, whatever their value. */
const HEALTH_KEYS = ['heartRate', 'heart_rate', 'spo2', 'systolic', 'diastolic', 'temperature', 'glucose', 'lat', 'lon', 'latitude', 'longitude', 'impactG', 'accuracyM']
const keyValue = (key: string) => new RegExp(`"${key}"\\s*:\\s*-?\\d`)

t.test('a day at the monitoring centre leaves no health or personal data in any log line', async t => {
  const p = await pipeline(t, { devices: 2, logLevel: 'debug' })
  const pool = p.db.pool
  const [watch, pendant] = p.devices as [(typeof p.devices)[number], (typeof p.devices)[number]]
  const resident = watch.residentId!
  // Both devices on the same resident: one wears the watch, the pendant hangs by the bed.
  await pool.query('UPDATE device_bindings SET resident_id = $1 WHERE device_id = $2', [resident, pendant.deviceId])
  const { consoleUrl } = await monitoringCentre(p)
  await p.startRecorder()
  await pool.query(
    `UPDATE residents SET full_name = $2, phone = $3, address = $4, medication_notes = $5, conditions = '{hypertension,diabetes}', flag_living_alone = true WHERE id = $1`,
    [resident, PERSON.fullName, PERSON.phone, PERSON.address, PERSON.medication],
  )
  await pool.query(`INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ($1, 1, $2, 'daughter', $3)`, [resident, PERSON.contactName, PERSON.contactPhone])
  await pool.query(`INSERT INTO staff (id, org_id, full_name, role, phone) VALUES ('sup-1', 'org-test', '主管丙', 'supervisor', '3')`)
  await upsertAccount(pool, 'sup-1', 'sup-1', await hashPassword(DESK_PASSWORD))

  // The devices: vitals with a heart rate that raises an alarm, a walk, then an SOS and a fall with positions.
  const wrist = await p.device(watch)
  const button = await p.device(pendant)
  const now = Date.now()
  for (let i = 0; i < 3; i++) {
    await wrist.sendPrepared('telemetry', { id: wrist.nextMessageId(), ts: now - (3 - i) * 1000, vitals: VITALS, location: WALK, status: { battery: 63, worn: true } })
  }
  const sos = await button.sendAlarm({ id: button.nextMessageId(), ts: Date.now(), type: 'sos', pressCount: 2, location: SOS_AT })
  t.equal(sos.ack.status, 'accepted')
  const fall = await wrist.sendAlarm({ id: wrist.nextMessageId(), ts: Date.now(), type: 'fall', location: FALL_AT, fall: FALL })
  t.equal(fall.ack.status, 'accepted')
  t.ok(await waitUntil(async () => ((await pool.query('SELECT 1 FROM vitals WHERE resident_id = $1', [resident])).rowCount ?? 0) >= 3, 15000), 'the vitals are recorded')

  // The desk: the operator opens the alarm, reads the record and the vitals, calls, escalates, acknowledges, resolves.
  const operator = await signIn(consoleUrl, 'op-1', DESK_PASSWORD)
  t.ok(await waitUntil(async () => (await operator.call('GET', '/api/alarms')).body.items.some((a: { type: string }) => a.type === 'sos'), 15000), 'the SOS is in the queue')
  const sosAlarm = (await operator.call('GET', '/api/alarms')).body.items.find((a: { type: string }) => a.type === 'sos')
  await waitUntil(async () => (await operator.call('GET', `/api/alarms/${sosAlarm.id}`)).body.alarm.version > 0, 15000)
  const detail = await operator.call('GET', `/api/alarms/${sosAlarm.id}`)
  t.equal(detail.body.resident.fullName, PERSON.fullName, 'the operator sees who it is')
  t.equal((await operator.call('GET', `/api/residents/${resident}`)).status, 200)
  t.equal((await operator.call('GET', `/api/residents/${resident}/vitals?hours=1`)).status, 200)
  t.equal((await operator.call('GET', `/api/alarms/${sosAlarm.id}/vitals?hours=1`)).status, 200)
  t.equal((await operator.call('POST', `/api/alarms/${sosAlarm.id}/calls`, { to: 'contact', name: PERSON.contactName, outcome: 'answered', notes: PERSON.callNotes })).status, 200)
  t.equal((await operator.call('POST', `/api/alarms/${sosAlarm.id}/escalate`, {})).status, 200, 'escalated')
  t.equal((await operator.call('POST', `/api/alarms/${sosAlarm.id}/acknowledge`, {})).status, 200, 'acknowledged')
  t.equal((await operator.call('POST', `/api/residents/${resident}/contacts`, { kind: 'call', notes: PERSON.callNotes })).status, 201)
  t.equal((await operator.call('POST', `/api/alarms/${sosAlarm.id}/resolve`, { outcome: 'handled_by_phone', notes: PERSON.resolveNotes })).status, 200, 'resolved')
  t.equal((await operator.call('GET', `/api/alarms/${sosAlarm.id}/timeline`)).status, 200)
  // A supervisor corrects the record, a wrong guess at a phone number is refused.
  const supervisor = await signIn(consoleUrl, 'sup-1', DESK_PASSWORD)
  t.equal((await supervisor.call('PATCH', `/api/residents/${resident}`, { phone: '13911112222', medicationNotes: `${PERSON.medication}（已调整）` })).status, 200)
  t.equal((await supervisor.call('PATCH', `/api/residents/${resident}`, { phone: `bad ${PERSON.phone}` })).status, 400)
  // A device sends nonsense carrying personal data: refused, and the refusal is logged without it.
  await wrist.publishRaw('telemetry', JSON.stringify({ id: wrist.nextMessageId(), ts: Date.now(), vitals: { heartRate: 999 }, note: PERSON.fullName, location: { lat: 999, lon: WALK.lon } }))
  await waitUntil(async () => ((await pool.query(`SELECT 1 FROM audit_log WHERE action = 'resolve'`)).rowCount ?? 0) > 0, 15000)
  // Let in-flight consumers log what they log about the last messages.
  await new Promise(resolve => setTimeout(resolve, 1500))

  const lines = p.logLines
  t.ok(lines.length >= 20, `the services logged (${lines.length} lines)`)
  // Nothing in the services logs at debug today; the level is set so that a debug line added later is scanned too.
  t.comment(`messages scanned: ${[...new Set(lines.map(l => (JSON.parse(l) as { msg?: string }).msg))].join(' | ')}`)
  t.ok(lines.some(l => l.includes('console started')), 'the console logged (its lines are among those scanned)')
  // Time stamps, pids and host names differ every run and may contain any digits: only logged content counts.
  const contents = lines.map(line => {
    const { time: _time, pid: _pid, hostname: _hostname, ...content } = JSON.parse(line) as Record<string, unknown>
    return JSON.stringify(content)
  })
  const strings = [
    ...Object.values(PERSON), '13911112222', String(VITALS.spo2), String(VITALS.temperature), String(VITALS.glucose),
    ...[WALK, SOS_AT, FALL_AT].flatMap(l => [String(l.lat), String(l.lon), String(l.accuracyM)]), String(FALL.impactG), '31.229', '121.445',
  ]
  for (const text of strings) {
    const found = contents.filter(c => c.includes(text))
    t.same(found, [], `"${text}" is in no log line`)
  }
  for (const key of HEALTH_KEYS) {
    const found = contents.filter(c => keyValue(key).test(c))
    t.same(found, [], `no "${key}": <number> in any log line`)
  }
  for (const value of [VITALS.heartRate, VITALS.systolic, VITALS.diastolic]) {
    const found = contents.filter(c => new RegExp(`[^0-9.]${value}[^0-9.]`).test(c) && /heart|systolic|diastolic|vital|bpm|pressure/i.test(c))
    t.same(found, [], `${value} is not logged as a vital sign`)
  }
})
