/** Quotes a SQL identifier (schema or table name) that is not a bind parameter. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a safe SQL identifier: ${name}`)
  return `"${name}"`
}
