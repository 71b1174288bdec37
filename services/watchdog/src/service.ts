import Fastify, { type FastifyInstance } from 'fastify'
import type { Kafka } from '@anxin/kafka'
import type { Logger } from '@anxin/logging'
import { registerHealthRoutes, WakeableLoop } from '@anxin/service-kit'
import { EMPTY_BOARD, updateBoard, type AlarmBoard } from './domain/alarm-board.ts'
import { INITIAL_STATE, judgeRound, type JudgeSettings, type WatchdogState } from './domain/judge-round.ts'
import type { SystemAlarm } from './domain/system-alarm.ts'
import { probeDisk } from './adapters/disk-prober.ts'
import { probeTarget } from './adapters/http-prober.ts'
import { KafkaLagProber } from './adapters/kafka-lag-prober.ts'
import { createWatchdogMetrics, type WatchdogMetrics } from './adapters/metrics.ts'
import { WebhookNotifier } from './adapters/webhook-notifier.ts'
import { registerSystemAlarmRoutes } from './http/system-alarm-routes.ts'
import type { WatchdogConfig } from './config.ts'

export type WatchdogDeps = { kafka: Kafka; logger: Logger; now?: () => Date }
export type WatchdogService = {
  http: FastifyInstance
  metrics: WatchdogMetrics
  board: () => AlarmBoard
  start: () => Promise<void>
  stop: () => Promise<void>
}

export const FINE_ROUNDS_TO_CLEAR = 2

/**
 * Watches the platform from outside: every round it probes each service's /health/live and /health/ready,
 * the consumer groups' progress in Kafka and the free space of the data disks, judges them (domain/judge-round)
 * and raises or clears system alarms: logged loudly, counted in Prometheus, POSTed to the on-call webhook
 * and served to the console's banner. It restarts nothing: that is the process supervisor's job.
 */
export function buildWatchdog(deps: WatchdogDeps, config: WatchdogConfig): WatchdogService {
  const now = deps.now ?? (() => new Date())
  const log = deps.logger
  const metrics = createWatchdogMetrics()
  const settings: JudgeSettings = {
    failedRoundsToRaise: config.WATCHDOG_UNRESPONSIVE_AFTER,
    fineRoundsToClear: FINE_ROUNDS_TO_CLEAR,
    stallAfterMs: config.WATCHDOG_STALL_AFTER_MS,
    diskMinFreePercent: config.WATCHDOG_DISK_MIN_FREE_PERCENT,
    diskMinFreeBytes: config.WATCHDOG_DISK_MIN_FREE_BYTES,
  }
  const lag = new KafkaLagProber(deps.kafka, config.WATCHDOG_KAFKA_TIMEOUT_MS)
  const groups = config.WATCHDOG_CONSUMER_GROUPS.map(g => ({ label: g.label, groupId: g.value }))
  const notifier = config.WATCHDOG_WEBHOOK_URL
    ? new WebhookNotifier({ url: config.WATCHDOG_WEBHOOK_URL, ...(config.WATCHDOG_WEBHOOK_SECRET ? { secret: config.WATCHDOG_WEBHOOK_SECRET } : {}), logger: log, now })
    : null
  let state: WatchdogState = INITIAL_STATE
  let board: AlarmBoard = EMPTY_BOARD
  let lastRoundMs: number | null = null

  const announce = (event: 'raised' | 'cleared', alarm: SystemAlarm) => {
    const fields = { systemAlarm: { id: alarm.id, kind: alarm.kind, subject: alarm.subject, severity: alarm.severity }, detail: alarm.detail }
    if (event === 'raised') log.error(fields, `SYSTEM ALARM raised: ${alarm.kind} ${alarm.subject}`)
    else log.warn(fields, `system alarm cleared: ${alarm.kind} ${alarm.subject}`)
    notifier?.notify({ event, alarm })
  }

  async function round(): Promise<boolean> {
    const [targets, kafka, disks] = await Promise.all([
      Promise.all(config.WATCHDOG_TARGETS.map(t => probeTarget(t.label, t.value, config.WATCHDOG_PROBE_TIMEOUT_MS))),
      lag.probe(groups, config.WATCHDOG_PROBE_TIMEOUT_MS),
      Promise.all(config.WATCHDOG_DISK_PATHS.map(d => probeDisk(d.label, d.value))),
    ])
    const at = now()
    const result = judgeRound(state, { targets, kafka, disks }, at, settings)
    state = result.state
    board = updateBoard(board, result, at)
    lastRoundMs = Date.now()
    metrics.setActive(result.active)
    metrics.rounds.inc()
    for (const alarm of result.raised) announce('raised', alarm)
    for (const alarm of result.cleared) announce('cleared', alarm)
    return false
  }

  const loop = new WakeableLoop({
    step: round,
    idleMs: config.WATCHDOG_INTERVAL_MS,
    onError: (error, failures) => log.error({ err: (error as Error).message, failures }, 'watchdog round failed'),
  })

  const http = Fastify({ logger: false })
  // Ready while rounds keep completing: a watchdog that stopped watching must look broken from outside too.
  const staleAfterMs = 5 * config.WATCHDOG_INTERVAL_MS + 3 * config.WATCHDOG_PROBE_TIMEOUT_MS
  registerHealthRoutes(http, { metrics: metrics.registry, ready: () => ({ probing: lastRoundMs !== null && Date.now() - lastRoundMs < staleAfterMs }) })
  registerSystemAlarmRoutes(http, () => board)

  return {
    http,
    metrics,
    board: () => board,
    start: async () => {
      loop.start()
      log.info({ targets: config.WATCHDOG_TARGETS.length, groups: groups.length, disks: config.WATCHDOG_DISK_PATHS.length }, 'watchdog started')
    },
    stop: async () => {
      await loop.stop()
      await notifier?.stop()
      await lag.close()
      await http.close()
    },
  }
}
