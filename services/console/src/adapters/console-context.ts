import type pg from 'pg'
import type { Logger } from '@anxin/logging'
import type { SessionUser } from '../domain/session-user.ts'
import type { ServiceClient } from './service-client.ts'
import type { SessionStore } from './session-store.ts'

/** What route modules share: the database, the services behind the console, the clock and the session store. */
export type ConsoleContext = {
  pool: pg.Pool
  logger: Logger
  now: () => Date
  escalation: ServiceClient
  dispatch: ServiceClient
  sessions: SessionStore
  mapTileUrl: string | null
  /** The broker address shown to installers with a device's credentials. */
  deviceMqttUrl: string
}

/**
 * The SQL condition that keeps a query inside the user's organisation and, for area staff, their area.
 * `orgColumn`/`areaColumn` name the columns in the caller's query; values are appended to `values`.
 */
export function scopeSql(user: SessionUser, values: unknown[], columns: { org: string; area: string }): string {
  values.push(user.orgId)
  let sql = `${columns.org} = $${values.length}`
  if (user.areaId) {
    values.push(user.areaId)
    sql += ` AND ${columns.area} = $${values.length}`
  }
  return sql
}
