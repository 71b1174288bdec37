import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  parseMigrationFile,
  selectMigrations,
  splitStatements,
  type Migration,
} from '../src/migrations.ts'

t.test('parseMigrationFile', async t => {
  t.test('a common migration', async t => {
    const m = parseMigrationFile('0001_registry.sql', 'CREATE TABLE a (id int);')
    t.same(m, {
      name: '0001_registry',
      flavour: 'common',
      sql: 'CREATE TABLE a (id int);',
      transactional: true,
      checksum: m.checksum,
    })
    t.match(m.checksum, /^[0-9a-f]{16}$/)
  })

  t.test('the two flavours share a name', async t => {
    const ts = parseMigrationFile('0003_timeseries_storage.timescale.sql', 'SELECT 1;')
    const plain = parseMigrationFile('0003_timeseries_storage.plain.sql', 'SELECT 2;')
    t.equal(ts.name, '0003_timeseries_storage')
    t.equal(ts.flavour, 'timescale')
    t.equal(plain.name, '0003_timeseries_storage')
    t.equal(plain.flavour, 'plain')
  })

  t.test('the checksum follows the content only', async t => {
    const a = parseMigrationFile('0001_a.sql', 'SELECT 1;')
    t.equal(parseMigrationFile('0002_b.sql', 'SELECT 1;').checksum, a.checksum, 'same SQL, same checksum')
    t.not(parseMigrationFile('0001_a.sql', 'SELECT 1; ').checksum, a.checksum, 'one byte more changes it')
  })

  t.test('no-transaction only when the first line says so', async t => {
    t.equal(parseMigrationFile('0001_a.sql', '-- migrate: no-transaction\nSELECT 1;').transactional, false)
    t.equal(parseMigrationFile('0001_a.sql', '--migrate:no-transaction\nSELECT 1;').transactional, false)
    t.equal(parseMigrationFile('0001_a.sql', '-- hello\n-- migrate: no-transaction\nSELECT 1;').transactional, true)
    t.equal(parseMigrationFile('0001_a.sql', 'SELECT 1; -- migrate: no-transaction').transactional, true)
  })

  t.test('file names that are not migrations are refused', async t => {
    for (const bad of [
      '001_short.sql',
      '0001_Upper.sql',
      '0001-dash.sql',
      '0001_a.other.sql',
      '0001_a.timescale.plain.sql',
      '0001_.sql',
      '0001_a.sql.bak',
      'readme.sql',
    ]) {
      t.throws(() => parseMigrationFile(bad, ''), { message: `migration file name not understood: ${bad}` }, bad)
    }
  })
})

function migration(fileName: string): Migration {
  return parseMigrationFile(fileName, `-- ${fileName}`)
}

t.test('selectMigrations', async t => {
  const all = [
    migration('0003_storage.timescale.sql'),
    migration('0002_series.sql'),
    migration('0003_storage.plain.sql'),
    migration('0001_registry.sql'),
    migration('0004_more.plain.sql'),
    migration('0004_more.timescale.sql'),
  ]

  t.test('picks the engine\'s flavour and sorts by name', async t => {
    const files = (ms: Migration[]) => ms.map(m => `${m.name}:${m.flavour}`)
    t.same(files(selectMigrations(all, true)), [
      '0001_registry:common',
      '0002_series:common',
      '0003_storage:timescale',
      '0004_more:timescale',
    ])
    t.same(files(selectMigrations(all, false)), [
      '0001_registry:common',
      '0002_series:common',
      '0003_storage:plain',
      '0004_more:plain',
    ])
    t.equal(all[0]!.name, '0003_storage', 'the input is not reordered')
  })

  t.test('a flavour without its twin is refused on the engine that needs the twin', async t => {
    const noPlain = [migration('0001_registry.sql'), migration('0002_x.timescale.sql')]
    t.throws(() => selectMigrations(noPlain, false), {
      message: 'migration 0002_x has a timescale flavour but no plain twin',
    })
    const noTimescale = [migration('0001_registry.sql'), migration('0002_x.plain.sql')]
    t.throws(() => selectMigrations(noTimescale, true), {
      message: 'migration 0002_x has a plain flavour but no timescale twin',
    })
  })

  t.test('a common file and a flavour of the same name are refused', async t => {
    const clash = [migration('0002_x.sql'), migration('0002_x.timescale.sql'), migration('0002_x.plain.sql')]
    t.throws(() => selectMigrations(clash, true), { message: 'two migrations share a name' })
    t.throws(() => selectMigrations(clash, false), { message: 'two migrations share a name' })
  })

  t.test('the repository\'s migrations are complete for both engines', async t => {
    const real = await loadMigrations()
    const names = (ms: Migration[]) => ms.map(m => m.name)
    const withTimescale = selectMigrations(real, true)
    const plain = selectMigrations(real, false)
    t.same(names(withTimescale), names(plain), 'same migration names on both engines')
    t.ok(withTimescale.length >= 3)
    for (const m of real.filter(m => m.flavour !== 'common')) {
      const twin = m.flavour === 'timescale' ? 'plain' : 'timescale'
      t.ok(real.some(o => o.name === m.name && o.flavour === twin), `${m.name} has a ${twin} twin`)
    }
  })
})

t.test('splitStatements', async t => {
  t.test('splits at a semicolon that ends a line, keeping multi-line statements whole', async t => {
    const sql = [
      '-- migrate: no-transaction',
      '-- a comment; with a semicolon;',
      'SELECT create_hypertable(\'vitals\', by_range(\'time\'));',
      '',
      'CREATE MATERIALIZED VIEW v AS',
      'SELECT 1 AS one',
      'WITH NO DATA;   ',
      'SELECT 2;',
    ].join('\n')
    t.same(splitStatements(sql), [
      "SELECT create_hypertable('vitals', by_range('time'))",
      'CREATE MATERIALIZED VIEW v AS\nSELECT 1 AS one\nWITH NO DATA',
      'SELECT 2',
    ])
  })

  t.test('a semicolon inside a line does not split', async t => {
    t.same(splitStatements("SELECT 'a;b' AS x, 1;\nSELECT 3;"), ["SELECT 'a;b' AS x, 1", 'SELECT 3'])
  })

  t.test('comment lines inside a statement are dropped, a last statement without semicolon kept', async t => {
    t.same(splitStatements('SELECT 1,\n  -- the second column\n  2;\nSELECT 4'), ['SELECT 1,\n\n  2', 'SELECT 4'])
  })

  t.test('nothing but comments and blanks gives no statements', async t => {
    t.same(splitStatements('-- only\n\n   -- comments;\n;\n'), [])
  })

  t.test('the TimescaleDB migration splits into its 18 statements', async t => {
    const sql = await readFile(join(DEFAULT_MIGRATIONS_DIR, '0003_timeseries_storage.timescale.sql'), 'utf8')
    const statements = splitStatements(sql)
    t.equal(statements.length, 18)
    t.equal(statements.filter(s => s.startsWith('SELECT create_hypertable(')).length, 4)
    t.equal(statements.filter(s => s.startsWith('ALTER TABLE')).length, 3)
    t.equal(statements.filter(s => s.startsWith('SELECT add_compression_policy(')).length, 3)
    t.equal(statements.filter(s => s.startsWith('SELECT add_retention_policy(')).length, 4)
    t.equal(statements.filter(s => s.startsWith('CREATE MATERIALIZED VIEW')).length, 2)
    t.equal(statements.filter(s => s.startsWith('SELECT add_continuous_aggregate_policy(')).length, 2)
    for (const s of statements) t.notMatch(s, /;\s*$/, 'no statement keeps its terminator')
    t.ok(statements.every(s => !/^\s*--/m.test(s)), 'no comment line left in any statement')
  })
})
