import t from 'tap'
import Fastify from 'fastify'
import type { Teardown } from '@anxin/testing'
import { consoleApp, type AccountName } from './console-app.ts'

/** A stand-in watchdog whose answer (or silence) the test sets. */
async function fakeWatchdog(t: Teardown) {
  let mode: 'answer' | 'hang' = 'answer'
  let board: unknown = null
  const hung = new Set<() => void>()
  const app = Fastify()
  app.get('/system-alarms', async () => {
    if (mode === 'hang') await new Promise<void>(resolve => hung.add(resolve))
    return board
  })
  t.teardown(async () => {
    for (const resolve of hung) resolve()
    await app.close()
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    answer: (next: unknown) => {
      mode = 'answer'
      board = next
    },
    hang: () => {
      mode = 'hang'
    },
  }
}

const diskLow = {
  id: 'disk_low:postgres', kind: 'disk_low', subject: 'postgres', severity: 'critical',
  detail: '/watch/postgres: 812 MiB free (3.2 %) of 25600 MiB; low below 2048 MiB or 10 %', raisedAt: '2026-11-22T08:00:00.000Z', clearedAt: null,
}
const cleared = { ...diskLow, id: 'service_unresponsive:alert', kind: 'service_unresponsive', subject: 'alert', detail: 'x', clearedAt: '2026-11-22T07:00:00.000Z' }

t.test('GET /api/system-alarms passes the watchdog\'s answer through', async t => {
  const watchdog = await fakeWatchdog(t)
  const c = await consoleApp(t, { env: { WATCHDOG_URL: watchdog.url } })
  const checkedAt = new Date().toISOString()
  watchdog.answer({ active: [diskLow], recent: [cleared], checkedAt })
  const response = await c.as('operator', 'GET', '/api/system-alarms')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { configured: true, reachable: true, active: [diskLow], recent: [cleared], checkedAt })

  watchdog.answer({ active: [], recent: [], checkedAt: new Date().toISOString() })
  t.same((await c.as('operator', 'GET', '/api/system-alarms')).json().active, [], 'all fine when the watchdog says so, and has just checked')
})

t.test('without WATCHDOG_URL there is nothing to show', async t => {
  const c = await consoleApp(t)
  const response = await c.as('operator', 'GET', '/api/system-alarms')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { configured: false, active: [] })
})

t.test('a watchdog that does not answer, or no longer checks, is itself a critical alarm', async t => {
  const watchdog = await fakeWatchdog(t)
  const c = await consoleApp(t, { env: { WATCHDOG_URL: watchdog.url } })

  watchdog.hang()
  const hung = (await c.as('operator', 'GET', '/api/system-alarms')).json()
  t.equal(hung.configured, true)
  t.equal(hung.reachable, false)
  t.same(hung.active.map((a: { id: string; kind: string; severity: string }) => [a.id, a.kind, a.severity]), [['watchdog_unreachable:watchdog', 'watchdog_unreachable', 'critical']])
  t.match(hung.active[0].detail, 'within 1000 ms')

  const closed = await consoleApp(t, { env: { WATCHDOG_URL: 'http://127.0.0.1:9' } })
  const refused = (await closed.as('operator', 'GET', '/api/system-alarms')).json()
  t.same(refused.active.map((a: { kind: string }) => a.kind), ['watchdog_unreachable'], 'nothing listening: the same alarm')

  watchdog.answer({ active: [diskLow], recent: [], checkedAt: new Date(Date.now() - 120_000).toISOString() })
  const stale = (await c.as('operator', 'GET', '/api/system-alarms')).json()
  t.same(stale.active.map((a: { kind: string }) => a.kind), ['watchdog_unreachable', 'disk_low'], 'a watchdog whose last check is old is not watching; its last alarms stay')
  t.match(stale.active[0].detail, /last completed check is 1\d\d s old/)

  watchdog.answer({ unexpected: true })
  t.same((await c.as('operator', 'GET', '/api/system-alarms')).json().active.map((a: { kind: string }) => a.kind), ['watchdog_unreachable'], 'an answer of the wrong shape is not "all fine"')
})

t.test('who may read the system alarms: the desk\'s readers, not responders, not strangers', async t => {
  const c = await consoleApp(t)
  const expected: Record<AccountName, number> = { administrator: 200, supervisor: 200, operator: 200, auditor: 200, carer: 403, doctor: 403, areaOperator: 200, otherOrgOperator: 200 }
  for (const [who, status] of Object.entries(expected)) t.equal((await c.as(who as AccountName, 'GET', '/api/system-alarms')).statusCode, status, who)
  t.equal((await c.app.inject({ method: 'GET', url: '/api/system-alarms' })).statusCode, 401, 'signed out')
})
