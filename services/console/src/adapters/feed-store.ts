import type pg from 'pg'
import type { AlarmSummary } from './alarm-read-model.ts'

export const FEED_CHANNEL = 'anxin_console_feed'

export type DeviceStatusChange = { deviceId: string; status: 'online' | 'offline' | 'battery_low' | 'battery_ok' | 'worn' | 'not_worn' }

export type FeedEvent = {
  seq: string
  kind: 'alarm' | 'lifecycle' | 'device'
  at: string
  orgId: string
  areaId: string | null
  residentId: string | null
  alarmId: string | null
  /** The lifecycle action or alarm event kind that caused it (acknowledge, raised, ...). */
  cause: string
  alarm: AlarmSummary | null
  device: DeviceStatusChange | null
}

export type NewFeedEvent = Omit<FeedEvent, 'seq'> & { eventId: string }

type Row = { seq: string; kind: FeedEvent['kind']; at: Date; org_id: string; area_id: string | null; resident_id: string | null; alarm_id: string | null; payload: Pick<FeedEvent, 'cause' | 'alarm' | 'device'> }

const toEvent = (r: Row): FeedEvent => ({
  seq: r.seq, kind: r.kind, at: r.at.toISOString(), orgId: r.org_id, areaId: r.area_id, residentId: r.resident_id, alarmId: r.alarm_id, ...r.payload,
})

export async function latestFeedSeq(db: pg.Pool): Promise<string> {
  const { rows } = await db.query<{ seq: string }>('SELECT COALESCE(max(seq), 0)::text AS seq FROM console_feed')
  return rows[0]!.seq
}

/**
 * Appends events once each (a redelivered Kafka message finds its event id already there). The advisory lock
 * makes writers take turns, so rows become visible in seq order and a reader that has seen seq N never finds
 * a smaller seq committing after it. Everyone following the feed is woken with the schema's name.
 */
export async function appendFeedEvents(client: pg.ClientBase, events: readonly NewFeedEvent[]): Promise<number> {
  if (events.length === 0) return 0
  await lockFeed(client)
  const { rowCount } = await client.query(
    `INSERT INTO console_feed (event_id, kind, org_id, area_id, resident_id, alarm_id, at, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[], $8::jsonb[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      events.map(e => e.eventId), events.map(e => e.kind), events.map(e => e.orgId), events.map(e => e.areaId), events.map(e => e.residentId),
      events.map(e => e.alarmId), events.map(e => e.at), events.map(e => JSON.stringify({ cause: e.cause, alarm: e.alarm, device: e.device })),
    ],
  )
  if (rowCount) await client.query(`SELECT pg_notify('${FEED_CHANNEL}', current_schema())`)
  return rowCount ?? 0
}

/**
 * Drops events older than the retention, a batch at a time (a browser away that long reloads the queue
 * anyway). Returns how many went; any instance may run it.
 */
export async function pruneFeed(db: pg.Pool, retentionDays: number, batch = 5000): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM console_feed WHERE seq IN (SELECT seq FROM console_feed WHERE created_at < now() - make_interval(days => $1) ORDER BY seq LIMIT $2)`,
    [retentionDays, batch],
  )
  return rowCount ?? 0
}

/** The first position still kept, or null when the feed is empty. */
export async function oldestFeedSeq(db: pg.Pool): Promise<string | null> {
  const { rows } = await db.query<{ seq: string | null }>('SELECT min(seq)::text AS seq FROM console_feed')
  return rows[0]!.seq
}

/** Held until the transaction ends; taking it twice in one transaction is fine. */
export async function lockFeed(client: pg.ClientBase): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('anxin_console_feed'))`)
}

/** Events after `afterSeq` in order, optionally for one organisation (a reconnecting browser's catch-up). */
export async function feedAfter(db: pg.Pool, afterSeq: string, limit: number, orgId?: string): Promise<FeedEvent[]> {
  const { rows } = orgId
    ? await db.query<Row>('SELECT * FROM console_feed WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [orgId, afterSeq, limit])
    : await db.query<Row>('SELECT * FROM console_feed WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])
  return rows.map(toEvent)
}
