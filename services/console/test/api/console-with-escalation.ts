import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createKafka } from '@anxin/kafka'
import { buildEscalation, loadEscalationConfig } from '@anxin/escalation'
import { testLogger, testStack, type Teardown } from '@anxin/testing'
import { consoleApp, type ConsoleApp } from './console-app.ts'

/**
 * The console app with escalation's HTTP routes (who is on duty, alarm actions) answering on the console's
 * own schema; escalation's Kafka side is never started. The console needs escalation's address before it is
 * built, and escalation needs the console's fresh schema: a server listens first and hands its requests to
 * escalation's routes once they exist.
 */
/** `escalationDown`: from then on the server answers 503, as when escalation is down. */
export async function consoleWithEscalation(t: Teardown): Promise<{ app: ConsoleApp; escalationDown: () => void }> {
  let escalationRoutes: ((req: IncomingMessage, res: ServerResponse) => void) | null = null
  const server = createServer((req, res) => (escalationRoutes ? escalationRoutes(req, res) : res.writeHead(503).end()))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  const app = await consoleApp(t, { env: { ESCALATION_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } })
  const stack = await testStack()
  const { logger } = testLogger('escalation')
  const escalation = buildEscalation(
    { pool: app.db.pool, kafka: createKafka({ brokers: stack.kafkaBrokers, clientId: 'escalation-test', logger }), logger },
    loadEscalationConfig({ KAFKA_BROKERS: stack.kafkaBrokers.join(','), DATABASE_URL: app.db.url, DATABASE_SCHEMA: app.db.schema }),
  )
  await escalation.http.ready()
  t.teardown(() => escalation.http.close())
  escalationRoutes = (req, res) => escalation.http.routing(req, res)
  return { app, escalationDown: () => (escalationRoutes = null) }
}
