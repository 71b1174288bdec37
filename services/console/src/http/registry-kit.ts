import type pg from 'pg'
import { z } from 'zod'
import type { SessionUser } from '../domain/session-user.ts'
import { ApiError, forbidden } from './api-error.ts'

/** What the registry route modules (residents, devices, staff, schedules, policies) share: ids, pages, checks. */

export const limitSchema = z.coerce.number().int().min(1).max(200).default(50)
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'letters, digits, _ and -, 3 to 64 characters')
export const refSchema = z.string().min(1).max(64)

/** An opaque page position: the last row's sort key as base64url JSON. */
export const encodeCursor = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url')

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString())
  } catch {
    parsed = undefined
  }
  const result = schema.safeParse(parsed)
  if (!result.success) throw new ApiError(400, 'invalid_request', 'query: cursor: not a position in this list (pass back nextCursor unchanged)')
  return result.data
}

/** A page of `limit + 1` rows: the first `limit`, and the cursor of the last one shown when more follow. */
export function page<R, T>(rows: R[], limit: number, toItem: (row: R) => T, key: (row: R) => unknown): { items: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return { items: shown.map(toItem), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null }
}

export const invalid = (field: string, problem: string): ApiError => new ApiError(400, 'invalid_request', `body: ${field}: ${problem}`)

/**
 * An area the user may put people or rotas in: an area of their organisation and, for area staff, their own.
 * Refused ids are named as the field, so the form can show where the problem is.
 */
export async function checkArea(db: pg.Pool | pg.ClientBase, user: SessionUser, areaId: string | null, field = 'areaId'): Promise<void> {
  if (user.areaId && areaId !== user.areaId) throw forbidden(`${field}: you may only use your own area (${user.areaId})`)
  if (areaId === null) return
  const { rowCount } = await db.query('SELECT 1 FROM areas WHERE id = $1 AND org_id = $2', [areaId, user.orgId])
  if (!rowCount) throw invalid(field, `no area ${areaId} in your organisation`)
}

/** PostgreSQL's unique_violation: someone else created the same key between our check and our insert. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505'
