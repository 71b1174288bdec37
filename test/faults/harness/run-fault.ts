import type { Test } from 'tap'
import { startFleet, type Fleet, type Press } from './fleet.ts'
import { faultFigures, describeFigures, recordFigures, type FaultFigures } from './figures.ts'
import { faultPlatform, POLICY_STEPS, STEP_WAIT_SECONDS, type FaultPlatform } from './platform.ts'
import { reconcile, watchVisibility } from './reconcile.ts'

/** `reserved`: devices the fleet leaves alone, for a test's own use. */
export type Battery = { platform: FaultPlatform; fleet: Fleet; figures: FaultFigures[]; reserved: FaultPlatform['devices'] }

/** The platform and a fleet under background telemetry, for one group of faults played one after another. */
export async function startBattery(t: Test, options: { group: string; residents: number; reserve?: number; telemetryPerSecond?: number }): Promise<Battery> {
  const platform = await faultPlatform(t, { residents: options.residents + (options.reserve ?? 0), group: options.group })
  const fleetDevices = platform.devices.slice(0, options.residents)
  const fleet = await startFleet(t, { brokerUrl: platform.broker.url, devices: fleetDevices, streaming: 10, telemetryPerSecond: options.telemetryPerSecond ?? 300 })
  t.teardown(() => fleet.stopTelemetry())
  return { platform, fleet, figures: [], reserved: platform.devices.slice(options.residents) }
}

/**
 * Plays one fault under load: SOS presses every `pressEveryMs` from fresh residents, starting `beforeMs` before
 * the fault and going on after `inject` returns (inject waits for whatever the fault needs: a restart, a
 * recovery) until the platform is normal again, then `afterMs` more. Then waits for every press to be
 * acknowledged and shown, and for the escalation ladders to finish, and reconciles. Asserts the battery's
 * pass criteria and returns the figures.
 */
export async function playFault(
  t: Test,
  battery: Battery,
  fault: string,
  inject: () => Promise<void>,
  options: { pressEveryMs?: number; beforeMs?: number; afterMs?: number; ownPresses?: Press[] } = {},
): Promise<FaultFigures> {
  const { platform, fleet } = battery
  const firstPress = fleet.presses.length
  // `ownPresses`: presses the test makes itself (a live array), judged like the fleet's.
  const ownPresses = options.ownPresses ?? []
  const ofThisFault = () => [...fleet.presses.slice(firstPress), ...ownPresses]
  // Watched from the first press on, so the time each press took to reach the console is measured as it happens.
  const visibility = watchVisibility(platform.pool, ofThisFault)
  const pressing = fleet.pressEvery(options.pressEveryMs ?? 200)
  await new Promise(r => setTimeout(r, options.beforeMs ?? 1500))
  const injectedAt = Date.now()
  await inject()
  const debug = process.env.FAULTS_DEBUG ? setInterval(() => {
    const mine = ofThisFault()
    console.error(`[faults] ${fault}: presses ${mine.length}, acked ${mine.filter(p => p.ackedAt).length}, visible ${mine.filter(p => visibility.visibleAt.has(p.eventId)).length}, telemetry ${JSON.stringify(fleet.telemetry)}`)
  }, 3000) : null
  // Pressing goes on until the platform is its normal self again (or a minute has passed), then a little more.
  await untilNormal(ofThisFault, visibility.visibleAt, 60000)
  await new Promise(r => setTimeout(r, options.afterMs ?? 2000))
  await pressing.stop()
  if (debug) clearInterval(debug)
  const presses = ofThisFault()

  const allShown = await visibility.until(presses, 90000)
  await visibility.stop()
  // The ladders of the last alarms finish before the steps are judged (late ones are waited for below).
  const lastPress = Math.max(...presses.map(p => p.sentAt))
  const ladderEnd = lastPress + (POLICY_STEPS - 1) * STEP_WAIT_SECONDS * 1000 + 3000
  await new Promise(r => setTimeout(r, Math.max(0, ladderEnd - Date.now())))
  let result = await reconcile(platform.pool, presses, platform.smsDir)
  for (let i = 0; i < 20 && result.stepProblems.length > 0; i++) {
    await new Promise(r => setTimeout(r, 1000))
    result = await reconcile(platform.pool, presses, platform.smsDir)
  }
  const figures = faultFigures(fault, presses, visibility.visibleAt, injectedAt, result)
  t.comment(describeFigures(figures))

  t.ok(allShown, `${fault}: every SOS reached the operator's console`)
  t.same(result.notAcknowledged, [], `${fault}: every SOS was acknowledged to its device`)
  t.same(result.wrongAck, [], `${fault}: every acknowledgement names its own event`)
  t.same(result.lost, [], `${fault}: SOS lost = 0`)
  t.same(result.duplicateAlarms, [], `${fault}: duplicate alarms = 0`)
  t.same(result.stepProblems, [], `${fault}: every due escalation step fired once, in order`)
  t.equal(result.notificationsRequested, result.alarms * POLICY_STEPS, `${fault}: one SMS notification per step per alarm`)
  battery.figures.push(figures)
  return figures
}

/** Normal: the last five presses old enough to judge each reached the console within a second. */
async function untilNormal(presses: () => Press[], visibleAt: Map<string, number>, timeoutMs: number): Promise<void> {
  const since = Date.now()
  while (Date.now() - since < timeoutMs) {
    await new Promise(r => setTimeout(r, 500))
    const judged = presses().filter(p => p.sentAt > since && Date.now() - p.sentAt > 1200).slice(-5)
    if (judged.length === 5 && judged.every(p => (visibleAt.get(p.eventId) ?? Infinity) - p.sentAt <= 1000)) return
  }
}

export function saveBattery(group: string, battery: Battery): void {
  recordFigures(group, battery.figures)
}
