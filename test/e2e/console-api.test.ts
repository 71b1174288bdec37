import t from 'tap'
import { followFeed, signIn, waitUntil, type FeedMessage } from '@anxin/testing'
import { DESK_PASSWORD, monitoringCentre } from './console-desk.ts'
import { pipeline } from './pipeline.ts'

t.test('the console API over the real platform: SOS in the live feed, acknowledge, dispatch, the responder accepts, arrives and reports; the feed resumes after a reconnect with nothing lost or doubled', async t => {
  const p = await pipeline(t, { devices: 1 })
  const pool = p.db.pool
  const device = p.devices[0]!
  const resident = device.residentId!
  const { consoleUrl } = await monitoringCentre(p)

  const operator = await signIn(consoleUrl, 'op-1', DESK_PASSWORD)
  const queue = await operator.call('GET', '/api/alarms')
  t.equal(queue.status, 200)
  t.same(queue.body.items, [], 'the queue starts empty')
  const feed = followFeed(consoleUrl, operator.cookie, { after: queue.body.feedSeq })
  t.teardown(() => feed.close())

  const watch = await p.device(device)
  const pressed = Date.now()
  const sos = await watch.pressSos()
  t.equal(sos.ack.status, 'accepted', 'the device gets its acknowledgement once the alarm is durably recorded')
  const sosEvent = (m: FeedMessage) => m.data.kind === 'alarm' && m.data.alarm?.type === 'sos'
  t.ok(await waitUntil(async () => feed.messages.some(sosEvent), 10000), 'the SOS reaches the console feed')
  t.comment(`SOS press to feed event: ${Date.now() - pressed} ms (the benchmark measures this properly)`)
  const alarmId = feed.messages.find(sosEvent)!.data.alarmId!

  const listed = await operator.call('GET', '/api/alarms')
  t.same(listed.body.items.map((a: { id: string }) => a.id), [alarmId], 'and is in the queue')
  await waitUntil(async () => (await operator.call('GET', `/api/alarms/${alarmId}`)).body.alarm.version > 0, 10000)
  const detail = await operator.call('GET', `/api/alarms/${alarmId}`)
  t.equal(detail.status, 200)
  t.equal(detail.body.resident.id, resident)
  t.equal(detail.body.alarm.severity, 'critical')

  const ack = await operator.call('POST', `/api/alarms/${alarmId}/acknowledge`, { expectedVersion: detail.body.alarm.version })
  t.equal(ack.status, 200, 'the operator acknowledges')
  t.equal(ack.body.alarm.state, 'acknowledged')
  t.equal(ack.body.alarm.acknowledgedBy.name, '值班员甲')
  const again = await operator.call('POST', `/api/alarms/${alarmId}/acknowledge`, { expectedVersion: detail.body.alarm.version })
  t.equal(again.status, 409, 'a stale second acknowledgement is a conflict, with what happened')
  t.match(again.body.message, /acknowledged|version/)

  const call = await operator.call('POST', `/api/alarms/${alarmId}/calls`, { to: 'resident', outcome: 'no_answer' })
  t.equal(call.status, 200, 'the phone call is noted')

  const pick = await operator.call('GET', `/api/responders?alarmId=${alarmId}`)
  t.equal(pick.body.items[0].staffId, 'carer-1')
  t.ok(pick.body.items[0].distanceM < 200, 'with the distance to the resident')
  const sent = await operator.call('POST', `/api/alarms/${alarmId}/dispatch`, { responderId: 'carer-1' })
  t.equal(sent.status, 201, 'the operator dispatches the carer')
  t.equal(sent.body.task.state, 'offered')
  t.equal(sent.body.task.responderId, 'carer-1')

  // The feed drops (the browser's network blips) and comes back from where it was.
  await waitUntil(async () => feed.messages.some(m => m.data.cause === 'acknowledge'), 10000)
  feed.close()
  await feed.closed
  const seenBefore = feed.messages.length

  const carer = await signIn(consoleUrl, 'carer-1', DESK_PASSWORD)
  const mine = await carer.call('GET', '/api/me/tasks')
  t.equal(mine.status, 200)
  t.equal(mine.body.items.length, 1, 'the carer sees the task offered to her')
  const taskId = mine.body.items[0].task.taskId
  t.equal(mine.body.items[0].resident.id, resident)
  t.equal((await carer.call('GET', `/api/alarms/${alarmId}`)).status, 403, 'a responder does not read the desk\'s alarm detail')
  for (const step of [{ action: 'accept' }, { action: 'arrive' }, { action: 'complete', outcome: 'visited_fine', notes: '老人已扶起' }]) {
    const r = await carer.call('POST', `/api/tasks/${taskId}/actions`, step)
    t.equal(r.status, 200, `the carer: ${step.action}`)
  }

  const resumed = followFeed(consoleUrl, operator.cookie, { lastEventId: feed.lastId! })
  t.teardown(() => resumed.close())
  t.ok(await waitUntil(async () => resumed.messages.some(m => m.data.alarm?.state === 'resolved'), 15000), 'after reconnecting, the operator sees the alarm resolved')
  const all = [...feed.messages.slice(0, seenBefore), ...resumed.messages]
  const seqs = all.map(m => BigInt(m.id))
  t.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), 'feed positions strictly increase across the reconnect: nothing twice')
  const causes = all.filter(m => m.data.alarmId === alarmId && m.data.kind === 'lifecycle').map(m => m.data.cause)
  for (const cause of ['acknowledge', 'note', 'dispatch', 'arrive', 'resolve']) t.ok(causes.includes(cause), `the feed carried ${cause}`)
  const fromTable = await pool.query<{ seq: string }>(`SELECT seq FROM console_feed WHERE org_id = 'org-test' AND seq > $1 ORDER BY seq`, [queue.body.feedSeq])
  const delivered = new Set(all.map(m => m.id))
  t.ok(fromTable.rows.filter(r => BigInt(r.seq) <= seqs.at(-1)!).every(r => delivered.has(r.seq)), 'every feed event up to the last one seen was delivered: nothing lost')

  const timeline = await operator.call('GET', `/api/alarms/${alarmId}/timeline`)
  const actions = timeline.body.items.map((e: { action: string }) => e.action)
  for (const a of ['raise', 'acknowledge', 'note', 'task_created', 'task_offer', 'dispatch', 'arrive', 'resolve', 'view_alarm']) t.ok(actions.includes(a), `timeline has ${a}`)
  const ackEntry = timeline.body.items.find((e: { action: string; channel: string }) => e.action === 'acknowledge')
  t.equal(ackEntry.actor.name, '值班员甲', 'with names')
  t.equal(ackEntry.channel, 'console')
  const offer = timeline.body.items.find((e: { action: string; detail: { recipient?: { id: string } } }) => e.action.startsWith('notification_') && e.detail.recipient?.id === 'carer-1')
  t.equal(offer?.detail.recipient.name, '护理员乙', 'notifications name who they went to')

  const audit = await pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE actor_id = 'op-1' ORDER BY seq`)
  t.ok(audit.rows.some(r => r.action === 'view_alarm'), 'the operator\'s read of the alarm is audited')
  t.ok(audit.rows.some(r => r.action === 'dispatch_requested'))
  const logs = p.logLines.join('\n')
  t.notMatch(logs, /老人已扶起|31\.229/, 'no notes or positions in the logs')
})
