import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { RegistryChange } from '@anxin/contracts'
import { createProducer, publish } from '@anxin/kafka'
import { waitUntil } from '@anxin/testing'
import { pipeline } from './pipeline.ts'

t.test('the alert service drops cached profiles named by a registry change on anxin.registry.v1', async t => {
  const p = await pipeline(t, { devices: 2 })
  const [mine, other] = p.devices.map(d => d.residentId!)
  const alert = await p.startAlert()
  t.equal((await alert.profiles.get(mine!))?.flags.dementia, false)
  t.equal((await alert.profiles.get(other!))?.flags.dementia, false)

  // Changed where no NOTIFY reaches the alert service (as from another database): triggers off for this change.
  const client = await p.db.pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`SET LOCAL session_replication_role = replica`)
    await client.query('UPDATE residents SET flag_dementia = true WHERE id = ANY($1::text[])', [[mine, other]])
    await client.query('COMMIT')
  } finally {
    client.release()
  }
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal((await alert.profiles.get(mine!))?.flags.dementia, false, 'without the event the cache is stale')

  const change: RegistryChange = {
    eventId: randomUUID(), schemaVersion: 1, orgId: 'org-test', entity: 'resident', entityId: mine!, action: 'updated', fields: ['flags'],
    residentIds: [mine!], actor: { kind: 'staff', id: 'someone' }, at: new Date().toISOString(),
  }
  const producer = await createProducer(p.topics.kafka)
  t.teardown(() => producer.disconnect())
  await publish(producer, p.topics.names.registry, [{ key: mine!, value: change, headers: { 'event-id': change.eventId } }])
  t.ok(await waitUntil(async () => (await alert.profiles.get(mine!))?.flags.dementia === true, 15000), 'the resident named is reloaded')
  t.equal((await alert.profiles.get(other!))?.flags.dementia, false, 'a resident not named keeps the cached profile')
})
