import type pg from 'pg'
import type { AlarmLifecycleEvent, DeviceEnvelope } from '@anxin/contracts'
import { transientError } from '@anxin/errors'
import { localDateOf, type ContactKind } from '../domain/daily-contact.ts'
import { observationTime } from '../domain/resident-rules.ts'

/** Device events that say something about the link or the battery, nothing about the person being there. */
const NOT_ACTIVITY: ReadonlySet<string> = new Set(['heartbeat', 'low_battery', 'power_off', 'not_worn'])

export type ContactSignalInput = {
  residentId: string
  kind: ContactKind
  at: number
  sourceId: string
  actor: { kind: 'staff' | 'device' | 'system'; id: string }
}

/**
 * Records the signals of daily contact the alert service sees: the "I'm OK" button (a check-in), other device
 * events and telemetry (device activity, at most one row per resident and local day, so telemetry volume does
 * not flood the table) and a responder's arrival on an alarm (a visit). Idempotent by source id.
 */
export class ContactSignals {
  private readonly pool: pg.Pool
  /** The organisation time zone of each resident (a resident does not change organisation). */
  private readonly zones = new Map<string, { orgId: string; timeZone: string }>()
  /** The last local date device activity was recorded for, per resident: later activity that day is skipped. */
  private readonly activityDay = new Map<string, string>()

  constructor(pool: pg.Pool) {
    this.pool = pool
  }

  async observeDevice(envelope: DeviceEnvelope): Promise<void> {
    const residentId = envelope.residentId
    if (!residentId) return
    const at = Date.parse(observationTime(envelope.occurredAt, envelope.receivedAt))
    const actor = { kind: 'device' as const, id: envelope.deviceId }
    if (envelope.type === 'device.event' && envelope.payload.type === 'im_ok') {
      await this.record({ residentId, kind: 'checkin', at, sourceId: envelope.eventId, actor })
      return
    }
    if (envelope.type === 'device.event' && NOT_ACTIVITY.has(envelope.payload.type)) return
    const zone = await this.zoneOf(residentId)
    if (!zone) return
    const date = localDateOf(at, zone.timeZone)
    if (this.activityDay.get(residentId) === date) return
    await this.record({ residentId, kind: 'device_activity', at, sourceId: `activity:${residentId}:${date}`, actor })
    this.activityDay.set(residentId, date)
  }

  /** A staff member's arrival at the resident's home on an alarm is a visit. */
  async observeLifecycle(event: Pick<AlarmLifecycleEvent, 'eventId' | 'residentId' | 'action' | 'actor' | 'at'>): Promise<void> {
    if (event.action !== 'arrive' || event.actor.kind !== 'staff') return
    await this.record({ residentId: event.residentId, kind: 'visit', at: Date.parse(event.at), sourceId: event.eventId, actor: { kind: 'staff', id: event.actor.id } })
  }

  async record(signal: ContactSignalInput): Promise<void> {
    const zone = await this.zoneOf(signal.residentId)
    if (!zone) return
    await this.pool
      .query(
        `INSERT INTO contact_signals (org_id, resident_id, kind, at, local_date, source_id, actor_kind, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (source_id) DO NOTHING`,
        [zone.orgId, signal.residentId, signal.kind, new Date(signal.at), localDateOf(signal.at, zone.timeZone), signal.sourceId, signal.actor.kind, signal.actor.id],
      )
      .catch(error => {
        throw transientError('contact_signal_failed', (error as Error).message, error)
      })
  }

  private async zoneOf(residentId: string): Promise<{ orgId: string; timeZone: string } | null> {
    const cached = this.zones.get(residentId)
    if (cached) return cached
    const { rows } = await this.pool
      .query(`SELECT r.org_id, o.timezone FROM residents r JOIN organisations o ON o.id = r.org_id WHERE r.id = $1`, [residentId])
      .catch(error => {
        throw transientError('contact_signal_failed', (error as Error).message, error)
      })
    if (!rows[0]) return null
    const zone = { orgId: rows[0].org_id as string, timeZone: rows[0].timezone as string }
    this.zones.set(residentId, zone)
    return zone
  }
}
