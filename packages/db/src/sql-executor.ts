/**
 * The least the migration runner needs from a database: one connection that runs a single parameterised
 * statement (`query`) or a script of several (`exec`). node-postgres clients and PGlite both fit.
 */
export type SqlExecutor = {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>
  exec(sql: string): Promise<unknown>
}
