import type pg from 'pg'
import type { SessionUser } from '../domain/session-user.ts'
import { distanceMetres } from '@anxin/geo'

export type ResponderChoice = {
  staffId: string; fullName: string; role: string; phone: string | null; available: boolean; openTasks: number; distanceM: number | null; skills: string[]
}

/** Carers and doctors of the organisation with their availability and load, nearest to the resident first. */
export async function nearbyResponders(db: pg.Pool, user: SessionUser, residentId: string): Promise<ResponderChoice[]> {
  const { rows } = await db.query<{
    id: string; full_name: string; role: string; phone: string | null; available: boolean | null; skills: string[] | null; lat: number | null; lon: number | null
    open_tasks: string; r_lat: number | null; r_lon: number | null
  }>(
    `SELECT s.id, s.full_name, s.role, s.phone, p.available, p.skills, p.lat, p.lon, r.lat AS r_lat, r.lon AS r_lon,
            (SELECT count(*) FROM visit_tasks t WHERE t.responder_id = s.id AND t.state IN ('offered', 'accepted', 'en_route', 'arrived')) AS open_tasks
       FROM staff s
       LEFT JOIN responder_profiles p ON p.staff_id = s.id
       JOIN residents r ON r.id = $2
      WHERE s.org_id = $1 AND s.role IN ('carer', 'doctor') AND s.active`,
    [user.orgId, residentId],
  )
  const choices = rows.map(r => ({
    staffId: r.id, fullName: r.full_name, role: r.role, phone: r.phone, available: r.available ?? false, openTasks: Number(r.open_tasks), skills: r.skills ?? [],
    distanceM: r.lat !== null && r.lon !== null && r.r_lat !== null && r.r_lon !== null ? Math.round(distanceMetres({ lat: r.lat, lon: r.lon }, { lat: r.r_lat, lon: r.r_lon })) : null,
  }))
  // Available first, then nearest (unknown positions last), then the least busy.
  return choices.sort((a, b) => Number(b.available) - Number(a.available) || (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity) || a.openTasks - b.openTasks)
}
