import t from 'tap'
import { verifyMosquittoPassword } from '@anxin/credentials'
import { consoleApp } from './console-app.ts'
import { addDevice, auditRows, extraUser } from './registry-helpers.ts'

const MQTT_URL = 'mqtts://mqtt.anxin.example:8883'

const storedHash = async (app: Awaited<ReturnType<typeof consoleApp>>, id: string): Promise<string> =>
  (await app.db.pool.query<{ mqtt_password_hash: string }>('SELECT mqtt_password_hash FROM devices WHERE id = $1', [id])).rows[0]!.mqtt_password_hash

t.test('provisioning: the password is shown once, only its hash is kept, a read never shows it, rotation replaces it', async t => {
  const app = await consoleApp(t, { env: { DEVICE_MQTT_URL: MQTT_URL } })
  const created = await app.as('administrator', 'POST', '/api/devices', { id: 'WATCH-0001', type: 'watch', model: 'AX-W3', firmware: '2.4.1' })
  t.equal(created.statusCode, 201, created.body)
  const { device, credentials } = created.json()
  t.equal(credentials.username, 'WATCH-0001', 'the broker username is the device id')
  t.equal(credentials.mqttUrl, MQTT_URL, 'the public broker address')
  t.ok(credentials.password.length >= 24, 'a long random password')
  t.match(device, { id: 'WATCH-0001', type: 'watch', model: 'AX-W3', firmware: '2.4.1', status: 'active', supervisionIntervalS: 600, testMode: false, residentId: null, bindings: [] })

  const hash = await storedHash(app, 'WATCH-0001')
  t.match(hash, /^\$7\$/, 'a Mosquitto PBKDF2 hash is stored')
  t.ok(verifyMosquittoPassword(credentials.password, hash), 'the stored hash verifies the password shown')
  const { rows } = await app.db.pool.query(`SELECT provisioned_by, created_at FROM devices WHERE id = 'WATCH-0001'`)
  t.equal(rows[0].provisioned_by, 'a-admin')

  const read = await app.as('operator', 'GET', '/api/devices/WATCH-0001')
  t.equal(read.statusCode, 200)
  const list = await app.as('operator', 'GET', '/api/devices?q=WATCH')
  for (const body of [read.body, list.body]) {
    t.notOk(body.includes(credentials.password), 'a read never shows the password')
    t.notOk(body.includes(hash.split('$')[4]!), 'nor its hash')
  }

  const again = await app.as('administrator', 'POST', '/api/devices', { id: 'WATCH-0001', type: 'watch' })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'already_exists')
  t.match(again.json().message, /credentials/, 'the message says how to get new credentials')

  const rotated = await app.as('administrator', 'POST', '/api/devices/WATCH-0001/credentials')
  t.equal(rotated.statusCode, 200, rotated.body)
  const fresh = rotated.json().credentials.password
  t.not(fresh, credentials.password)
  const newHash = await storedHash(app, 'WATCH-0001')
  t.ok(verifyMosquittoPassword(fresh, newHash), 'the new password verifies')
  t.notOk(verifyMosquittoPassword(credentials.password, newHash), 'the old one no longer does')

  const pendant = await app.as('administrator', 'POST', '/api/devices', { id: 'PEND-0001', type: 'sos_pendant' })
  t.equal(pendant.json().device.supervisionIntervalS, 3600, 'the supervision interval defaults by type')

  const audit = JSON.stringify(await app.db.pool.query('SELECT action, detail FROM audit_log').then(r => r.rows))
  t.same((await auditRows(app, 'provision_device')).map(r => r.detail), [{ deviceId: 'WATCH-0001', type: 'watch' }, { deviceId: 'PEND-0001', type: 'sos_pendant' }])
  t.equal((await auditRows(app, 'rotate_device_credentials')).length, 1)
  for (const secret of [credentials.password, fresh, hash, newHash]) t.notOk(audit.includes(secret), 'no password or hash in the audit')
})

t.test('provisioning: refusals name the field, the permission and the problem', async t => {
  const app = await consoleApp(t)
  const cases: [Record<string, unknown>, string][] = [
    [{ id: '-bad', type: 'watch' }, 'id'],
    [{ id: 'ab', type: 'watch' }, 'id'],
    [{ id: 'has space', type: 'watch' }, 'id'],
    [{ id: 'DEV-1000', type: 'toaster' }, 'type'],
    [{ id: 'DEV-1000', type: 'watch', supervisionIntervalS: 5 }, 'supervisionIntervalS'],
    [{ id: 'DEV-1000', type: 'watch', mqttPassword: 'mine' }, 'mqttPassword'],
  ]
  for (const [body, field] of cases) {
    const response = await app.as('administrator', 'POST', '/api/devices', body)
    t.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`)
    t.match(response.json().message, field)
  }
  t.equal((await app.as('supervisor', 'POST', '/api/devices', { id: 'DEV-1000', type: 'watch' })).statusCode, 403, 'devices.write: administrators only')
  t.equal((await app.as('administrator', 'POST', '/api/devices/NOPE-0001/credentials')).statusCode, 404)
  t.equal((await app.as('administrator', 'POST', '/api/devices/NOPE-0001/revoke')).statusCode, 404)
  // Organisation B's device is not ours to touch.
  await app.db.pool.query(`INSERT INTO devices (id, org_id, type, mqtt_password_hash, supervision_interval_s) VALUES ('B-DEV-1', 'org-b', 'watch', '$7$x', 600)`)
  t.equal((await app.as('administrator', 'POST', '/api/devices/B-DEV-1/revoke')).statusCode, 404)
  t.equal((await app.as('administrator', 'POST', '/api/devices', { id: 'B-DEV-1', type: 'watch' })).statusCode, 409, 'a device id is unique across organisations (it is the broker username)')
})

t.test('binding: one wearer at a time, the history kept with who bound and unbound', async t => {
  const app = await consoleApp(t)
  await app.as('administrator', 'POST', '/api/devices', { id: 'WATCH-0002', type: 'watch' })
  const bound = await app.as('administrator', 'POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-a1' })
  t.equal(bound.statusCode, 200, bound.body)
  t.equal(bound.json().residentId, 'res-a1')
  t.equal(bound.json().residentName, '王桂英')

  const twice = await app.as('administrator', 'POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-a2' })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'already_bound')
  t.match(twice.json().message, /unbind it first/)

  const unbound = await app.as('administrator', 'DELETE', '/api/devices/WATCH-0002/binding')
  t.equal(unbound.statusCode, 200, unbound.body)
  t.equal(unbound.json().residentId, null)
  const none = await app.as('administrator', 'DELETE', '/api/devices/WATCH-0002/binding')
  t.equal(none.statusCode, 409)
  t.equal(none.json().code, 'not_bound')

  t.equal((await app.as('administrator', 'POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-a2' })).statusCode, 200)
  const detail = (await app.as('administrator', 'GET', '/api/devices/WATCH-0002')).json()
  t.equal(detail.residentId, 'res-a2')
  t.match(detail.bindings, [
    { residentId: 'res-a2', unboundAt: null, boundBy: 'a-admin', unboundBy: null },
    { residentId: 'res-a1', boundBy: 'a-admin', unboundBy: 'a-admin' },
  ], 'newest first, with who bound and who unbound')
  t.type(detail.bindings[1].unboundAt, 'string')

  const outside = await app.as('administrator', 'POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-b1' })
  t.equal(outside.statusCode, 409, 'still worn: refused before the resident is looked at')
  await app.as('administrator', 'DELETE', '/api/devices/WATCH-0002/binding')
  const otherOrg = await app.as('administrator', 'POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-b1' })
  t.equal(otherOrg.statusCode, 400, 'another organisation\'s resident')
  t.match(otherOrg.json().message, /residentId: no resident res-b1/)

  // An area administrator may bind a device from the drawer to a resident of their area, not of another.
  const areaAdmin = await extraUser(app, { id: 'a-admin-2', role: 'administrator', area: 'area-2' })
  t.equal((await areaAdmin('POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-a1' })).statusCode, 400, 'a resident of another area')
  const mine = await areaAdmin('POST', '/api/devices/WATCH-0002/binding', { residentId: 'res-a2' })
  t.equal(mine.statusCode, 200, mine.body)
  t.same(mine.json().bindings.map((b: { residentName: string | null }) => b.residentName), ['李建国', '李建国', null], 'names of other areas\' wearers stay hidden')

  await addDevice(app, { id: 'WATCH-AREA1', residentId: 'res-a1' })
  t.equal((await areaAdmin('DELETE', '/api/devices/WATCH-AREA1/binding')).statusCode, 404, 'a device worn in another area is not theirs')

  t.same((await auditRows(app, 'bind_device')).map(r => [r.resident_id, r.detail]), [
    ['res-a1', { deviceId: 'WATCH-0002' }], ['res-a2', { deviceId: 'WATCH-0002' }], ['res-a2', { deviceId: 'WATCH-0002' }],
  ])
  t.equal((await auditRows(app, 'unbind_device')).length, 2)
})

t.test('revocation: status and time recorded, a revoked device is not bound again, new credentials bring it back', async t => {
  const app = await consoleApp(t)
  await app.as('administrator', 'POST', '/api/devices', { id: 'WATCH-0003', type: 'watch' })
  await app.as('administrator', 'POST', '/api/devices/WATCH-0003/binding', { residentId: 'res-a1' })
  const revoked = await app.as('administrator', 'POST', '/api/devices/WATCH-0003/revoke')
  t.equal(revoked.statusCode, 200, revoked.body)
  t.equal(revoked.json().status, 'revoked')
  t.equal(revoked.json().online, false)
  const row = (await app.db.pool.query(`SELECT status, revoked_at FROM devices WHERE id = 'WATCH-0003'`)).rows[0]
  t.equal(row.status, 'revoked')
  t.ok(row.revoked_at instanceof Date, 'revoked_at is set')

  const again = await app.as('administrator', 'POST', '/api/devices/WATCH-0003/revoke')
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'already_revoked')
  await app.as('administrator', 'DELETE', '/api/devices/WATCH-0003/binding')
  const bind = await app.as('administrator', 'POST', '/api/devices/WATCH-0003/binding', { residentId: 'res-a1' })
  t.equal(bind.statusCode, 409)
  t.equal(bind.json().code, 'device_revoked')
  t.equal((await app.as('administrator', 'GET', '/api/devices?status=revoked')).json().items.length, 1)

  const back = await app.as('administrator', 'POST', '/api/devices/WATCH-0003/credentials')
  t.equal(back.statusCode, 200)
  t.equal(back.json().device.status, 'active', 'new credentials make it active again')
  const after = (await app.db.pool.query(`SELECT status, revoked_at FROM devices WHERE id = 'WATCH-0003'`)).rows[0]
  t.same(after, { status: 'active', revoked_at: null })
  t.same((await auditRows(app, 'revoke_device')).map(r => r.detail), [{ deviceId: 'WATCH-0003' }])
  t.same((await auditRows(app, 'rotate_device_credentials')).map(r => r.detail), [{ deviceId: 'WATCH-0003', reactivated: true }])
  t.equal((await app.as('supervisor', 'POST', '/api/devices/WATCH-0003/revoke')).statusCode, 403)
})

t.test('test mode: PATCH toggles it, reads show it, the audit records it', async t => {
  const app = await consoleApp(t)
  await app.as('administrator', 'POST', '/api/devices', { id: 'BTN-0001', type: 'wall_button', firmware: '1.0.0' })
  const on = await app.as('administrator', 'PATCH', '/api/devices/BTN-0001', { testMode: true, firmware: '1.1.4' })
  t.equal(on.statusCode, 200, on.body)
  t.equal(on.json().testMode, true)
  t.equal(on.json().firmware, '1.1.4')
  t.equal((await app.db.pool.query(`SELECT test_mode FROM devices WHERE id = 'BTN-0001'`)).rows[0].test_mode, true)
  t.equal((await app.as('operator', 'GET', '/api/devices/BTN-0001')).json().testMode, true)
  const off = await app.as('administrator', 'PATCH', '/api/devices/BTN-0001', { testMode: false })
  t.equal(off.json().testMode, false)
  t.equal((await app.as('administrator', 'PATCH', '/api/devices/BTN-0001', { testMode: 'yes' })).statusCode, 400)
  t.same((await auditRows(app, 'update_device')).map(r => r.detail), [
    { deviceId: 'BTN-0001', fields: ['firmware', 'testMode'], testMode: true },
    { deviceId: 'BTN-0001', fields: ['testMode'], testMode: false },
  ])
})

t.test('every device change is announced to the other services (field names only)', async t => {
  const app = await consoleApp(t)
  await app.as('administrator', 'POST', '/api/devices', { id: 'EVT-0001', type: 'watch', model: 'AX-W3' })
  await app.as('administrator', 'POST', '/api/devices/EVT-0001/binding', { residentId: 'res-a1' })
  await app.as('administrator', 'PATCH', '/api/devices/EVT-0001', { testMode: true })
  await app.as('administrator', 'POST', '/api/devices/EVT-0001/credentials')
  await app.as('administrator', 'DELETE', '/api/devices/EVT-0001/binding')
  await app.as('administrator', 'POST', '/api/devices/EVT-0001/revoke')
  const { rows } = await app.db.pool.query<{ payload: { entity: string; action: string; fields: string[]; residentIds: string[] } }>('SELECT payload FROM registry_outbox ORDER BY seq')
  t.same(rows.map(r => [r.payload.entity, r.payload.action, r.payload.fields, r.payload.residentIds]), [
    ['device', 'provisioned', ['id', 'model', 'type'], []],
    ['binding', 'bound', ['residentId'], ['res-a1']],
    ['device', 'updated', ['testMode'], ['res-a1']],
    ['device', 'updated', ['credentials'], ['res-a1']],
    ['binding', 'unbound', ['residentId'], ['res-a1']],
    ['device', 'revoked', ['status'], []],
  ])
})
