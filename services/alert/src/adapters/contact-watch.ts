import type pg from 'pg'
import type { Logger } from '@anxin/logging'
import { WakeableLoop } from '@anxin/service-kit'
import {
  DEFAULT_CARE_DUTY,
  addDays,
  cutoffInstant,
  datesToDecide,
  decisionDue,
  missedContactEventId,
  verdict,
  type CareDutySettings,
  type ContactKind,
} from '../domain/daily-contact.ts'
import type { RaiseDecision } from '../domain/types.ts'

/** What the watch needs of the alert processor: raising an alarm under the resident's lock. */
export type CareAlarmRaiser = { raiseCareAlarm: (residentId: string, decision: RaiseDecision) => Promise<string | null> }

export type ContactWatchDeps = { pool: pg.Pool; raiser: CareAlarmRaiser; logger: Logger; now: () => Date; intervalMs?: number }

/**
 * Who must be contacted daily: a `contact_requirements` row if there is one, otherwise the ledger's "very old
 * and living alone". The console's compliance report uses the same rule (services/console/src/http/
 * daily-contact-routes.ts).
 */
export const REQUIRED_RESIDENT = `COALESCE(q.required, l.very_old AND l.living_alone)`

/**
 * The daily-contact cut-off check: once a minute (and at start), for each organisation and for today and
 * yesterday (CATCH_UP_DAYS: a service down across the cut-off catches up on restart), every required resident
 * without a verdict for a day whose cut-off has passed is decided. A missed day raises a `missed_contact`
 * alarm (its id depends only on resident and date), then the verdict is recorded; the verdict's primary key
 * makes a second instance's attempt a no-op, and the alarm's deterministic id makes a repeated raise one.
 * A resident registered after a day's cut-off is not judged for that day.
 */
export class ContactWatch {
  private readonly deps: ContactWatchDeps
  private readonly log: Logger
  private readonly loop: WakeableLoop

  constructor(deps: ContactWatchDeps) {
    this.deps = deps
    this.log = deps.logger.child({ component: 'contact-watch' })
    this.loop = new WakeableLoop({
      step: async () => {
        await this.check()
        return false
      },
      idleMs: deps.intervalMs ?? 60_000,
      onError: (error, failures) => this.log.warn({ err: (error as Error).message, failures }, 'daily-contact check failed; retrying'),
    })
  }

  start(): void {
    this.loop.start()
  }

  kick(): void {
    this.loop.kick()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  /** One pass; returns the verdicts it recorded (a no-op pass returns none). */
  async check(): Promise<Array<{ residentId: string; date: string; status: 'contacted' | 'missed'; alarmId: string | null }>> {
    const now = this.deps.now().getTime()
    const { rows: orgs } = await this.deps.pool.query(
      `SELECT o.id, o.timezone, to_char(s.contact_cutoff, 'HH24:MI') AS cutoff, s.device_activity_counts
       FROM organisations o LEFT JOIN care_duty_settings s ON s.org_id = o.id ORDER BY o.id`,
    )
    const decided: Array<{ residentId: string; date: string; status: 'contacted' | 'missed'; alarmId: string | null }> = []
    for (const org of orgs) {
      const settings: CareDutySettings = {
        cutoff: org.cutoff ?? DEFAULT_CARE_DUTY.cutoff,
        deviceActivityCounts: org.device_activity_counts ?? DEFAULT_CARE_DUTY.deviceActivityCounts,
      }
      for (const date of datesToDecide(now, org.timezone)) {
        if (!decisionDue(now, date, settings, org.timezone)) continue
        decided.push(...(await this.decideDay(org.id, org.timezone, date, settings)))
      }
    }
    return decided
  }

  private async decideDay(orgId: string, timeZone: string, date: string, settings: CareDutySettings) {
    const cutoffAt = cutoffInstant(date, settings.cutoff, timeZone)
    const { rows: residents } = await this.deps.pool.query(
      `SELECT r.id FROM residents r
       JOIN resident_ledger l ON l.resident_id = r.id
       LEFT JOIN contact_requirements q ON q.resident_id = r.id
       WHERE r.org_id = $1 AND ${REQUIRED_RESIDENT} AND r.created_at < $3
         AND NOT EXISTS (SELECT 1 FROM contact_days d WHERE d.resident_id = r.id AND d.local_date = $2)
       ORDER BY r.id`,
      [orgId, date, new Date(cutoffAt)],
    )
    if (residents.length === 0) return []
    const ids = residents.map(r => r.id as string)
    // The signals of the day either side too: the verdict re-derives each one's local date from its instant.
    const { rows: signalRows } = await this.deps.pool.query(
      `SELECT resident_id, kind, at FROM contact_signals
       WHERE resident_id = ANY($1) AND local_date BETWEEN $2 AND $3`,
      [ids, addDays(date, -1), addDays(date, 1)],
    )
    const decided: Array<{ residentId: string; date: string; status: 'contacted' | 'missed'; alarmId: string | null }> = []
    for (const residentId of ids) {
      const signals = signalRows.filter(s => s.resident_id === residentId).map(s => ({ kind: s.kind as ContactKind, at: (s.at as Date).getTime() }))
      const v = verdict(signals, date, settings, timeZone)
      let alarmId: string | null = null
      if (v.status === 'missed') alarmId = await this.deps.raiser.raiseCareAlarm(residentId, missedContactDecision(residentId, date, settings.cutoff, timeZone, cutoffAt))
      const inserted = await this.deps.pool.query(
        `INSERT INTO contact_days (resident_id, local_date, org_id, status, decided_at, alarm_id)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING resident_id`,
        [residentId, date, orgId, v.status, this.deps.now(), alarmId],
      )
      if (inserted.rowCount === 0) continue
      decided.push({ residentId, date, status: v.status, alarmId })
      if (v.status === 'missed') this.log.info({ alarmId, date }, 'daily contact missed: alarm raised')
    }
    return decided
  }
}

/** The alarm a missed day raises: evidence names the date and the cut-off, so the operator sees what was missed. */
export function missedContactDecision(residentId: string, date: string, cutoff: string, timeZone: string, cutoffAt: number): RaiseDecision {
  const at = new Date(cutoffAt).toISOString()
  const facts = { date, cutoff, timeZone }
  return {
    action: 'raise',
    type: 'missed_contact',
    severity: 'high',
    at,
    evidence: [{ eventId: missedContactEventId(residentId, date), at, kind: 'timer', values: facts }],
    detail: facts,
  }
}
