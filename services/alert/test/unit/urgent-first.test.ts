import t from 'tap'
import { UrgentFirst } from '../../src/adapters/urgent-first.ts'

t.test('bulk work waits while urgent work is in hand, and goes on when the last of it is done', async t => {
  const gate = new UrgentFirst()
  const order: string[] = []
  let finishFirst!: () => void
  let finishSecond!: () => void
  const first = gate.run(() => new Promise<void>(resolve => (finishFirst = resolve)).then(() => void order.push('sos 1 done')))
  const second = gate.run(() => new Promise<void>(resolve => (finishSecond = resolve)).then(() => void order.push('sos 2 done')))
  const bulk = gate.clear().then(() => void order.push('telemetry slice'))
  await new Promise(resolve => setImmediate(resolve))
  t.same(order, [], 'telemetry does not start while an SOS is being handled')
  finishFirst()
  await first
  await new Promise(resolve => setImmediate(resolve))
  t.same(order, ['sos 1 done'], 'nor while a second one is')
  finishSecond()
  await Promise.all([second, bulk])
  t.same(order, ['sos 1 done', 'sos 2 done', 'telemetry slice'])
})

t.test('with nothing urgent, bulk work does not wait; a failed urgent batch still releases it', async t => {
  const gate = new UrgentFirst()
  let resolved = false
  void gate.clear().then(() => (resolved = true))
  await Promise.resolve()
  t.ok(resolved)
  await t.rejects(gate.run(async () => { throw new Error('database down') }))
  let after = false
  await gate.clear().then(() => (after = true))
  t.ok(after, 'the gate opened again after the failure')
})
