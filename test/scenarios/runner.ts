import type { SimulatedDevice } from '@anxin/simulators'
import type { Teardown } from '@anxin/testing'
import { alarmsOf, commandsOf, idOf, keyOf, timelineOf, timelineWords, type AlarmRow } from './observe.ts'
import { startPlatform, type Platform } from './platform.ts'
import { formatClock, scheduleOf, type DeviceStep, type Expectation, type PersonStep, type Scenario } from './schema.ts'

/** The least real time a positive expectation is given to come true, whatever the speed. */
const MIN_REAL_WAIT_MS = 5000

export type Check = { at: string; label: string; ok: boolean; detail: string }
export type ScenarioResult = { scenario: Scenario; ok: boolean; checks: Check[]; story: string[]; wallMs: number }

/**
 * Plays scenarios against the real platform: those on the wall clock in one pipeline, those on the
 * accelerated clock in another, every scenario of a pipeline side by side (each has its own organisation,
 * resident, devices and staff). Returns each scenario's checks and story; throws only if the platform fails.
 */
export async function runScenarios(t: Teardown, scenarios: Scenario[], options: { speed: number }): Promise<ScenarioResult[]> {
  const groups = (['wall', 'accelerated'] as const).map(mode => scenarios.filter(s => s.clock === mode)).filter(g => g.length > 0)
  const results = await Promise.all(groups.map(async group => {
    const platform = await startPlatform(t, group, { speed: options.speed, accelerated: group[0]!.clock === 'accelerated' })
    const devices = await Promise.all(group.map(async s => new Map(await Promise.all(Object.keys(s.resident.devices).map(async k => [k, await platform.device(s, k)] as const)))))
    platform.clock.begin()
    return Promise.all(group.map((s, i) => playScenario(platform, s, devices[i]!)))
  }))
  const byScenario = new Map(results.flat().map(r => [r.scenario, r]))
  return scenarios.map(s => byScenario.get(s)!)
}

async function playScenario(platform: Platform, scenario: Scenario, devices: Map<string, SimulatedDevice>): Promise<ScenarioResult> {
  const started = Date.now()
  const { clock } = platform
  const ids = platform.ids.get(scenario)!
  const { startLabelMs, offsets } = scheduleOf(scenario)
  // Story lines and checks carry their scenario time and step, so expectations judged in the background
  // (while later steps play on time) still come out in order.
  const story: Array<{ offset: number; text: string }> = []
  const checks: Array<Check & { step: number }> = []
  const time = (offset = clock.elapsed()) => formatClock(startLabelMs, offset)
  const tell = (offset: number, text: string) => story.push({ offset, text })
  const resident = scenario.resident.name
  const staffName = (key: string) => scenario.staff[key]?.name ?? key
  const alarms = () => alarmsOf(platform.db.pool, ids.residentId)
  const pickAlarm = async (type?: string): Promise<AlarmRow | undefined> => {
    const all = (await alarms()).filter(a => type === undefined || a.type === type)
    return all.filter(a => a.state !== 'resolved' && a.state !== 'closed').at(-1) ?? all.at(-1)
  }
  tell(0, `${scenario.title}`)

  const pending: Array<Promise<void>> = []
  for (const [i, step] of scenario.timeline.entries()) {
    await clock.sleepUntil(offsets[i]!)
    // Actions are told at the moment they were played (a step after a slow one may be a little late).
    const offset = Math.max(offsets[i]!, clock.elapsed())
    const played = (async () => {
      if ('device' in step) await deviceStep(step, offset)
      else if ('who' in step) await personStep(step, offset, i)
      else if ('expect' in step) await expect(step.expect, offsets[i]!, i, step.say)
      else tell(offset, step.say)
    })().catch(error => {
      checks.push({ step: i, at: time(), label: `step ${i + 1} (${JSON.stringify(step)})`, ok: false, detail: `could not be played: ${(error as Error).message}` })
    })
    // An expectation is judged in the background, so the steps after it keep their times.
    if ('expect' in step) pending.push(played)
    else await played
  }
  await Promise.all(pending)
  checks.sort((a, b) => a.step - b.step)
  return {
    scenario,
    ok: checks.every(c => c.ok),
    checks: checks.map(({ step: _step, ...c }) => c),
    story: story.sort((a, b) => a.offset - b.offset).map(l => `${time(l.offset)}  ${l.text}`),
    wallMs: Date.now() - started,
  }

  async function deviceStep(step: DeviceStep, offset: number): Promise<void> {
    const device = devices.get(step.device)!
    const kind = scenario.resident.devices[step.device]!.type
    const ts = () => (scenario.clock === 'accelerated' ? clock.epochNow() : new Date()).getTime()
    const say = step.say ? ` (${step.say})` : ''
    switch (step.does) {
      case 'press_sos':
      case 'fall': {
        const acks: string[] = []
        for (let n = 0; n < step.times; n++) {
          const result = await device.pressSos({ type: step.does === 'fall' ? 'fall' : 'sos', maxAttempts: 5 })
          acks.push(`${result.ack.status} in ${Math.round(result.latencyMs)} ms`)
        }
        const what = step.does === 'fall' ? `${kind} detects a fall` : `${resident} presses SOS${step.times > 1 ? ` ${step.times} times` : ''}`
        tell(offset, `[${step.device}] ${what}${say}; the centre acknowledges the device: ${acks.join(', ')}`)
        return
      }
      case 'event':
        await device.sendEvent(step.event!)
        tell(offset, `[${step.device}] event ${step.event}${say}`)
        return
      case 'telemetry':
      case 'leave_home': {
        const body: Record<string, unknown> = { id: device.nextMessageId(), ts: ts() }
        const { steps, ...vitals } = step.vitals ?? {}
        if (Object.keys(vitals).length > 0 || steps !== undefined) body.vitals = { ...vitals, ...(steps === undefined ? {} : { steps }) }
        if (step.battery !== undefined || step.worn !== undefined) body.status = { ...(step.battery === undefined ? {} : { battery: step.battery, charging: false }), ...(step.worn === undefined ? {} : { worn: step.worn }) }
        const metres = step.metresFromHome ?? (step.does === 'leave_home' ? 2500 : undefined)
        if (metres !== undefined) body.location = { lat: scenario.resident.home.lat + metres / 111_320, lon: scenario.resident.home.lon, accuracyM: 10 }
        await device.publishRaw('telemetry', JSON.stringify(body))
        const parts = [body.vitals && `vitals ${JSON.stringify(body.vitals)}`, body.status && `status ${JSON.stringify(body.status)}`, metres !== undefined && `${metres} m from home`].filter(Boolean)
        tell(offset, `[${step.device}] ${step.does === 'leave_home' ? `${resident} walks away from home: ` : ''}${parts.join(', ')}${say}`)
        return
      }
      case 'stop_sending':
        tell(offset, `[${step.device}] goes silent${say}`)
        return
    }
  }

  async function personStep(step: PersonStep, offset: number, index: number): Promise<void> {
    const people = [step.who].flat()
    const names = people.map(staffName).join(' and ')
    const say = step.say ? ` (${step.say})` : ''
    if (step.does === 'no_answer') {
      tell(offset, `${names} does not answer${say}`)
      return
    }
    // An alarm can be acted on once escalation has taken it on (its lifecycle exists).
    const alarm = await waitFor(async () => {
      const found = await pickAlarm(step.alarm)
      return found?.state ? found : undefined
    }, 5000)
    if (!alarm) throw new Error(`no ${step.alarm ?? ''} alarm with a lifecycle to act on`)
    // People act once they have been told: on a busy machine the notice can come later than the story's
    // clock says, and acting first would write a timeline no real person could (acknowledged, then told).
    // Someone the ladder never reaches (a doctor who happens to be there) acts after the wait.
    await waitFor(async () => {
      const entries = await timelineOf(platform.dispatch, alarm.id)
      return entries.some(entry => people.some(p => timelineWords(ids, entry).includes(`notify:${p}`))) || undefined
    }, MIN_REAL_WAIT_MS)
    const act = async (who: string, body: Record<string, unknown>) => {
      const role = scenario.staff[who]!.role
      const response = await platform.escalation.http.inject({
        method: 'POST', url: `/alarms/${alarm.id}/actions`,
        payload: { actor: { kind: 'staff', id: ids.staff[who] }, channel: role === 'operator' ? 'console' : 'responder_app', ...body },
      })
      return { status: response.statusCode, body: response.json() as { code?: string; message?: string } }
    }
    if (people.length > 1) {
      // A race: everyone acts on the version they all saw.
      const version = (await platform.escalation.http.inject({ url: `/alarms/${alarm.id}` })).json().lifecycle.version as number
      const answers = await Promise.all(people.map(p => act(p, { kind: step.does, expectedVersion: version })))
      tell(offset, `${names} ${step.does} at the same moment${say}: ${people.map((p, j) => `${staffName(p)} → ${answers[j]!.status === 200 ? 'accepted' : `refused (${answers[j]!.body.code})`}`).join('; ')}`)
      return
    }
    const who = people[0]!
    let answer: { status: number; body: { code?: string; message?: string } }
    switch (step.does) {
      case 'acknowledge':
      case 'escalate':
        answer = await act(who, { kind: step.does })
        break
      case 'set_off':
        answer = await act(who, { kind: 'dispatch', responder: { kind: 'staff', id: ids.staff[who] } })
        break
      case 'dispatch':
        answer = await act(who, { kind: 'dispatch', responder: { kind: 'staff', id: ids.staff[step.responder!] } })
        break
      case 'accept_task': {
        const created = await platform.dispatch.http.inject({ method: 'POST', url: `/alarms/${alarm.id}/tasks`, payload: { responderId: ids.staff[who] } })
        const task = (created.json() as { task?: { taskId: string } }).task
        if (!task) throw new Error(`no visit task: ${created.body}`)
        const arrivalDueAt = new Date(Date.now() + clock.scale(scenario.policy?.arrivalTimeout ?? 1800) * 1000).toISOString()
        const accepted = await platform.dispatch.tasks.act(task.taskId, { kind: 'accept', by: ids.staff[who]!, at: new Date().toISOString(), arrivalDueAt })
        answer = accepted.ok ? { status: 200, body: {} } : { status: 409, body: { code: accepted.code } }
        break
      }
      case 'arrive': {
        const tasks = (await platform.dispatch.http.inject({ url: `/alarms/${alarm.id}/tasks` })).json().tasks as Array<{ taskId: string; state: string; responderId: string | null }>
        const task = tasks.find(x => x.responderId === ids.staff[who] && x.state === 'accepted')
        if (task) {
          const arrived = await platform.dispatch.tasks.act(task.taskId, { kind: 'arrive', by: ids.staff[who]!, at: new Date().toISOString() })
          answer = arrived.ok ? { status: 200, body: {} } : { status: 409, body: { code: arrived.code } }
        } else {
          answer = await act(who, { kind: 'arrive' })
        }
        break
      }
      case 'resolve':
        answer = await act(who, { kind: 'resolve', outcome: step.outcome })
        break
    }
    const a = `${alarm.type} alarm`
    const did = {
      acknowledge: `acknowledges the ${a}`, escalate: `escalates the ${a}`, set_off: `sets off for the ${a}`,
      dispatch: `sends ${staffName(step.responder ?? '')} to the ${a}`, accept_task: `accepts the visit for the ${a}`,
      arrive: `arrives (${a})`, resolve: `resolves the ${a}: ${step.outcome}`,
    }[step.does]
    tell(offset, `${names} ${did}${say}${answer.status === 200 ? '' : ` — refused: ${answer.body.code} ${answer.body.message ?? ''}`}`)
    // A refused action means the story did not happen as written.
    if (answer.status !== 200) checks.push({ step: index, at: time(offset), label: `${names}: ${step.does}`, ok: false, detail: `refused: ${answer.body.code} ${answer.body.message ?? ''}` })
  }

  async function expect(e: Expectation, offset: number, index: number, say?: string): Promise<void> {
    const label = describe(e) + (say ? ` — ${say}` : '')
    const negative = e.none !== undefined || e.notNotified !== undefined || e.nobodyNotified !== undefined
    // At 20-30x a second of real delay is most of a scenario minute; on a busy machine (the full test suite
    // runs two files at once) a hop can take that long, so a positive expectation gets at least 5 s of real time.
    const deadline = Math.max(clock.wallAt(offset + e.within * 1000), clock.wallAt(offset) + MIN_REAL_WAIT_MS)
    let verdict = await judge(e)
    // A positive expectation may take up to `within` (scenario time) to come true; a negative one is judged now.
    while (!negative && !verdict.ok && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 50))
      verdict = await judge(e)
    }
    const at = clock.elapsed()
    checks.push({ step: index, at: time(at), label, ok: verdict.ok, detail: verdict.detail })
    tell(at, `${verdict.ok ? '✓' : '✗'} expect ${label}${verdict.ok ? '' : ` — ${verdict.detail}`}`)
  }

  async function judge(e: Expectation): Promise<{ ok: boolean; detail: string }> {
    const all = await alarms()
    const ofType = all.filter(a => e.alarm === undefined || a.type === e.alarm)
    const summary = (list: AlarmRow[]) => list.map(a => `${a.type}/${a.severity}/p${a.priority}/${a.status}/${a.state ?? '-'}/x${a.occurrences}${a.test ? '/test' : ''}`).join(', ') || 'no alarms'
    if (e.none) return { ok: ofType.length === 0, detail: summary(all) }
    if (e.count !== undefined) return { ok: ofType.length === e.count, detail: `${ofType.length}: ${summary(ofType)}` }
    const alarm = ofType.filter(a => !a.test || e.test === true).at(-1) ?? ofType.at(-1)
    if (e.notified || e.notNotified || e.nobodyNotified || e.step) {
      const commands = (await commandsOf(platform.db.pool, ids.residentId)).filter(c => e.alarm === undefined || c.alarmType === e.alarm)
      const sent = commands.map(c => `${keyOf(ids, c.recipient.id)}@L${c.level + 1}/${c.reason}[${c.channels.join('+')}]`).join(', ') || 'nobody notified'
      if (e.nobodyNotified) return { ok: commands.length === 0, detail: sent }
      if (e.step) return { ok: commands.some(c => c.level + 1 >= e.step!), detail: sent }
      const target = idOf(ids, (e.notified ?? e.notNotified)!)
      const hit = commands.some(c => c.recipient.id === target && (e.via === undefined || c.channels.includes(e.via)) && (e.reason === undefined || c.reason === e.reason))
      return { ok: e.notified ? hit : !hit, detail: sent }
    }
    if (!alarm) return { ok: false, detail: summary(all) }
    if (e.timeline) {
      const words = (await timelineOf(platform.dispatch, alarm.id)).map(x => timelineWords(ids, x))
      let at = 0
      for (const want of e.timeline) {
        while (at < words.length && !words[at]!.includes(want)) at++
        if (at === words.length) return { ok: false, detail: `"${want}" missing or out of order in: ${words.map(w => w.at(-1)).join(' → ')}` }
        at++
      }
      return { ok: true, detail: '' }
    }
    if (e.acknowledgements !== undefined) {
      const audit = (await platform.escalation.http.inject({ url: `/alarms/${alarm.id}` })).json().audit as Array<{ action: string }>
      const n = audit.filter(a => a.action === 'acknowledge').length
      return { ok: n === e.acknowledgements, detail: `${n} acknowledgement(s) recorded` }
    }
    const ok = (e.severity === undefined || alarm.severity === e.severity) && (e.minPriority === undefined || alarm.priority >= e.minPriority) &&
      (e.status === undefined || alarm.status === e.status) && (e.state === undefined || alarm.state === e.state) &&
      (e.occurrences === undefined || alarm.occurrences === e.occurrences) && (e.test === undefined || alarm.test === e.test)
    return { ok, detail: summary(ofType) }
  }

  function describe(e: Expectation): string {
    const who = (k: string) => (k.startsWith('family:') ? `family contact ${k.slice(7)} (${scenario.resident.contacts[Number(k.slice(7)) - 1]?.name ?? '?'})` : k === 'call_120' ? 'the 120 recommendation' : staffName(k))
    const of = e.alarm ? ` of the ${e.alarm} alarm` : ''
    if (e.none) return `no ${e.alarm ?? ''} alarm`.replace('  ', ' ')
    if (e.count !== undefined) return `${e.count} ${e.alarm ?? ''} alarm(s)`.replace('  ', ' ')
    if (e.notified) return `${who(e.notified)} notified${of}${e.via ? ` by ${e.via}` : ''}${e.reason ? ` (${e.reason})` : ''}`
    if (e.notNotified) return `${who(e.notNotified)} not notified${of}`
    if (e.nobodyNotified) return `nobody notified${of}`
    if (e.step) return `escalation reached step ${e.step}${of}`
    if (e.timeline) return `timeline${of}: ${e.timeline.join(' → ')}`
    if (e.acknowledgements !== undefined) return `${e.acknowledgements} acknowledgement(s)${of}`
    const props = Object.entries({ severity: e.severity, minPriority: e.minPriority, status: e.status, state: e.state, occurrences: e.occurrences, test: e.test })
      .filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`)
    return `${e.alarm} alarm${props.length ? ` (${props.join(', ')})` : ''}`
  }
}

async function waitFor<T>(get: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await get()
    if (value !== undefined || Date.now() > deadline) return value
    await new Promise(r => setTimeout(r, 50))
  }
}

/** The readable report of one scenario: the story, then the checks, with scenario-clock times. */
export function report(result: ScenarioResult): string {
  const failed = result.checks.filter(c => !c.ok)
  return [
    `== ${result.scenario.name}: ${result.ok ? 'PASSED' : 'FAILED'} (${result.checks.length - failed.length}/${result.checks.length} checks, ${(result.wallMs / 1000).toFixed(1)} s)`,
    ...result.story.map(l => `   ${l}`),
    ...failed.map(c => `   FAILED ${c.at} ${c.label}: ${c.detail}`),
  ].join('\n')
}
