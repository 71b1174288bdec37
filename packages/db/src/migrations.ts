import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Migrations are SQL files `NNNN_name.sql`. A file may come as a pair of flavours instead,
 * `NNNN_name.timescale.sql` and `NNNN_name.plain.sql`: exactly one of the two runs, chosen by whether the
 * TimescaleDB extension exists, so the same schema (same relation names) runs on both engines.
 * A file whose first line is `-- migrate: no-transaction` runs statement by statement outside a transaction
 * (TimescaleDB refuses to create continuous aggregates inside one); such files must not use dollar quoting.
 */
export type MigrationFlavour = 'common' | 'timescale' | 'plain'

export type Migration = {
  name: string
  flavour: MigrationFlavour
  sql: string
  transactional: boolean
  checksum: string
}

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url))

export function parseMigrationFile(fileName: string, sql: string): Migration {
  const match = /^(\d{4}_[a-z0-9_]+?)(?:\.(timescale|plain))?\.sql$/.exec(fileName)
  if (!match) throw new Error(`migration file name not understood: ${fileName}`)
  return {
    name: match[1]!,
    flavour: (match[2] as MigrationFlavour | undefined) ?? 'common',
    sql,
    transactional: !/^--\s*migrate:\s*no-transaction/.test(sql),
    checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
  }
}

/** The migrations that apply to an engine, in order. Pure, so it can be tested without a database. */
export function selectMigrations(all: Migration[], hasTimescale: boolean): Migration[] {
  const wanted: MigrationFlavour = hasTimescale ? 'timescale' : 'plain'
  // A flavoured file without its twin is refused on both engines, not only on the one that would miss it.
  for (const m of all) {
    if (m.flavour === 'common') continue
    const twin: MigrationFlavour = m.flavour === 'timescale' ? 'plain' : 'timescale'
    if (!all.some(other => other.name === m.name && other.flavour === twin)) {
      throw new Error(`migration ${m.name} has a ${m.flavour} flavour but no ${twin} twin`)
    }
  }
  const chosen = all.filter(m => m.flavour === 'common' || m.flavour === wanted)
  const names = new Set(chosen.map(m => m.name))
  if (names.size !== chosen.length) throw new Error('two migrations share a name')
  return chosen.sort((a, b) => a.name.localeCompare(b.name))
}

export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter(f => f.endsWith('.sql')).sort()
  return Promise.all(files.map(async f => parseMigrationFile(f, await readFile(join(dir, f), 'utf8'))))
}

/** Splits a no-transaction file into statements: each ends with `;` at the end of a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map(s => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(s => s.length > 0)
}
