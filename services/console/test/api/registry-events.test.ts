import t from 'tap'
import { registryChangeSchema } from '@anxin/contracts'
import { readTopic, testLogger, testStack, testTopics } from '@anxin/testing'
import { consoleApp } from './console-app.ts'

t.test('a registry change writes its event with the change, and the relay publishes it to anxin.registry.v1', async t => {
  const stack = await testStack()
  const topics = await testTopics(t, stack, testLogger('registry-events').logger)
  const app = await consoleApp(t, { start: true, env: { KAFKA_TOPIC_SUFFIX: topics.suffix } })

  const refused = await app.as('supervisor', 'PATCH', '/api/residents/res-a1', { areaId: 'area-b' })
  t.equal(refused.statusCode, 400)
  const patched = await app.as('supervisor', 'PATCH', '/api/residents/res-a1', { phone: '13811112222', medicationNotes: '阿司匹林' })
  t.equal(patched.statusCode, 200, patched.body)
  const staff = await app.as('administrator', 'PATCH', '/api/staff/a-carer', { phone: '13911112222', password: 'a much longer password' })
  t.equal(staff.statusCode, 200, staff.body)
  t.equal((await app.as('supervisor', 'POST', '/api/households', { id: 'hh-ev', address: '阳光路 1 号', areaId: 'area-1' })).statusCode, 201)

  const messages = await readTopic(topics.kafka, topics.names.registry, { until: m => m.length >= 3, timeoutMs: 15000 })
  const events = messages.map(m => ({ key: m.key, value: registryChangeSchema.parse(JSON.parse(m.value)), header: m.headers['event-id'] }))
  // Ordered per record (partition by key), not across records.
  t.same(events.map(e => `${e.key} ${e.value.entity} ${e.value.action}`).sort(), ['a-carer staff updated', 'hh-ev household created', 'res-a1 resident updated'],
    'one event per committed change, none for the refused one, keyed by the record')
  const resident = events.find(e => e.value.entity === 'resident')
  const carer = events.find(e => e.value.entity === 'staff')
  t.same(resident?.value.fields, ['medicationNotes', 'phone'])
  t.same(resident?.value.residentIds, ['res-a1'])
  t.match(resident?.value, { orgId: 'org-a', schemaVersion: 1, actor: { kind: 'staff', id: 'a-super' } })
  t.equal(resident?.header, resident?.value.eventId)
  t.same(carer?.value.fields, ['phone'], 'a password is not even named')
  t.same(carer?.value.residentIds, ['res-a1'], 'the residents this carer serves are concerned')
  t.notOk(messages.some(m => m.value.includes('13811112222') || m.value.includes('阿司匹林')), 'no values on the topic')
  t.equal((await app.db.pool.query('SELECT count(*)::int AS n FROM registry_outbox')).rows[0].n, 0, 'the outbox is emptied once published')
})
