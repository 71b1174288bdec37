import t from 'tap'
import { z } from 'zod'
import { ConfigError, loadConfig, kafkaEnv, postgresEnv, httpEnv } from '../src/index.ts'

const schema = z.object({ ...kafkaEnv, ...postgresEnv, ...httpEnv })

t.test('a valid environment is parsed and typed', async t => {
  const config = loadConfig('svc', schema, {
    KAFKA_BROKERS: '127.0.0.1:19092, 127.0.0.1:19094',
    DATABASE_URL: 'postgres://u@h/db',
    HTTP_PORT: '8080',
  })
  t.same(config.KAFKA_BROKERS, ['127.0.0.1:19092', '127.0.0.1:19094'])
  t.equal(config.HTTP_PORT, 8080)
  t.equal(config.DATABASE_SCHEMA, 'anxin')
})

t.test('every bad key is reported at once', async t => {
  const error = t.throws(() =>
    loadConfig('ingestion', schema, { DATABASE_URL: 'mysql://x', HTTP_PORT: '99999' }),
  ) as ConfigError
  t.type(error, ConfigError)
  t.equal(error.problems.length, 3)
  t.match(error.message, /ingestion: invalid configuration/)
  t.match(error.message, /KAFKA_BROKERS: missing/)
  t.match(error.message, /DATABASE_URL: must be a postgres/)
  t.match(error.message, /HTTP_PORT/)
})
