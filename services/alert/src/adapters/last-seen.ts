import type pg from 'pg'

/** Every bound, active device with the last time the time-series tables heard from it (null: never). */
export async function lastSeenByDevice(pool: pg.Pool): Promise<Array<{ residentId: string; deviceId: string; lastSeenAt: string | null }>> {
  const { rows } = await pool.query<{ resident_id: string; device_id: string; last_seen: Date | null }>(
    `SELECT b.resident_id, d.id AS device_id,
            greatest((SELECT max(time) FROM device_events e WHERE e.device_id = d.id),
                     (SELECT max(time) FROM device_status s WHERE s.device_id = d.id)) AS last_seen
     FROM devices d JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL
     WHERE d.status = 'active'`,
  )
  return rows.map(r => ({ residentId: r.resident_id, deviceId: r.device_id, lastSeenAt: r.last_seen?.toISOString() ?? null }))
}
