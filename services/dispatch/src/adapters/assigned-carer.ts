import type pg from 'pg'

/**
 * The carer who answers for a resident (定人包户): the household's assigned carer, else the resident's own;
 * null when neither is set or the one set is no longer active staff.
 */
export async function assignedCarerOf(client: pg.ClientBase, residentId: string): Promise<string | null> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT s.id FROM residents r
     LEFT JOIN households h ON h.id = r.household_id
     JOIN staff s ON s.id = COALESCE(h.assigned_carer_id, r.assigned_carer_id) AND s.active
     WHERE r.id = $1`,
    [residentId],
  )
  return rows[0]?.id ?? null
}
