import t from 'tap'
import { consoleApp } from './console-app.ts'
import { auditRows } from './registry-helpers.ts'

t.test('consents: a history per purpose, the latest holding; validation; scope; audited by field name', async t => {
  const app = await consoleApp(t)
  const given = await app.as('supervisor', 'POST', '/api/residents/res-a1/consents', { purpose: 'health_data_processing', granted: true, givenBy: 'self', evidenceRef: 'scan-001' })
  t.equal(given.statusCode, 201, given.body)
  t.match(given.json(), { purpose: 'health_data_processing', granted: true, givenBy: 'self', givenByName: null, evidenceRef: 'scan-001', recordedBy: { id: 'a-super' } })
  const family = await app.as('supervisor', 'POST', '/api/residents/res-a1/consents', { purpose: 'location_tracking', granted: true, givenBy: 'family', givenByName: '王小明' })
  t.equal(family.statusCode, 201)
  const withdrawn = await app.as('supervisor', 'POST', '/api/residents/res-a1/consents', { purpose: 'health_data_processing', granted: false, givenBy: 'self' })
  t.equal(withdrawn.statusCode, 201)

  const read = await app.as('auditor', 'GET', '/api/residents/res-a1/consents')
  t.equal(read.statusCode, 200)
  t.same(read.json().current.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted]), [['health_data_processing', false], ['location_tracking', true]])
  t.equal(read.json().history.length, 3)
  t.equal(read.json().history[0].granted, false, 'newest first')

  const unnamed = await app.as('supervisor', 'POST', '/api/residents/res-a1/consents', { purpose: 'family_notification', granted: true, givenBy: 'guardian' })
  t.equal(unnamed.statusCode, 400)
  t.match(unnamed.json().message, 'givenByName')
  const badPurpose = await app.as('supervisor', 'POST', '/api/residents/res-a1/consents', { purpose: 'marketing', granted: true, givenBy: 'self' })
  t.match(badPurpose.json().message, 'purpose')
  t.equal((await app.as('otherOrgOperator', 'GET', '/api/residents/res-a1/consents')).statusCode, 404)
  t.equal((await app.as('areaOperator', 'GET', '/api/residents/res-a1/consents')).statusCode, 404)
  t.equal((await app.as('operator', 'POST', '/api/residents/res-a1/consents', { purpose: 'location_tracking', granted: true, givenBy: 'self' })).statusCode, 403)

  const audit = await auditRows(app, 'record_consent')
  t.equal(audit.length, 3)
  t.same(audit[1]?.detail.fields, ['givenBy', 'givenByName', 'granted', 'purpose'])
  t.notOk(JSON.stringify(audit).includes('王小明'), 'no names in the audit')
  t.equal((await auditRows(app, 'view_consents')).length, 1)
  const events = (await app.db.pool.query(`SELECT payload FROM registry_outbox WHERE payload->>'entity' = 'consent'`)).rows
  t.equal(events.length, 3)
  t.same(events[0].payload.residentIds, ['res-a1'])
})

t.test('family-doctor contracts: signing ends the one in force and makes the doctor the family doctor', async t => {
  const app = await consoleApp(t)
  await app.db.pool.query(`INSERT INTO staff (id, org_id, area_id, full_name, role) VALUES ('a-doctor-2', 'org-a', NULL, '刘医生', 'doctor')`)
  const first = await app.as('supervisor', 'POST', '/api/residents/res-a2/doctor-contracts', { doctorId: 'a-doctor', signedOn: '2024-01-10', expiresOn: '2025-01-09' })
  t.equal(first.statusCode, 201, first.body)
  t.match(first.json(), { doctor: { id: 'a-doctor', role: 'doctor' }, signedOn: '2024-01-10', expiresOn: '2025-01-09', endedOn: null })
  const second = await app.as('supervisor', 'POST', '/api/residents/res-a2/doctor-contracts', { doctorId: 'a-doctor-2', signedOn: '2025-01-10' })
  t.equal(second.statusCode, 201)

  const list = await app.as('operator', 'GET', '/api/residents/res-a2/doctor-contracts')
  t.same(list.json().items.map((c: { doctor: { id: string }; endedOn: string | null }) => [c.doctor.id, c.endedOn]), [['a-doctor-2', null], ['a-doctor', '2025-01-10']])
  const resident = await app.as('operator', 'GET', '/api/residents/res-a2')
  t.equal(resident.json().familyDoctor.id, 'a-doctor-2')

  const older = await app.as('supervisor', 'POST', '/api/residents/res-a2/doctor-contracts', { doctorId: 'a-doctor', signedOn: '2024-06-01' })
  t.equal(older.statusCode, 409, 'a contract signed before the one in force is refused')
  for (const [body, field] of [
    [{ doctorId: 'a-carer', signedOn: '2025-02-01' }, 'doctorId'],
    [{ doctorId: 'a-doctor', signedOn: '2025-02-31' }, 'signedOn'],
    [{ doctorId: 'a-doctor', signedOn: '2999-01-01' }, 'signedOn'],
    [{ doctorId: 'a-doctor', signedOn: '2025-02-01', expiresOn: '2025-01-01' }, 'expiresOn'],
  ] as const) {
    const response = await app.as('supervisor', 'POST', '/api/residents/res-a2/doctor-contracts', body)
    t.equal(response.statusCode, 400, JSON.stringify(body))
    t.match(response.json().message, field)
  }
  t.equal((await app.as('supervisor', 'GET', '/api/residents/res-b1/doctor-contracts')).statusCode, 404)
  t.equal((await auditRows(app, 'sign_doctor_contract')).length, 2)
  const events = (await app.db.pool.query(`SELECT payload FROM registry_outbox ORDER BY seq`)).rows.map(r => `${r.payload.entity} ${r.payload.action} ${r.payload.fields.join(',')}`)
  t.same(events, [
    'doctor_contract created doctorId,expiresOn,signedOn', 'resident updated familyDoctorId',
    'doctor_contract created doctorId,signedOn', 'resident updated familyDoctorId',
  ])
})
