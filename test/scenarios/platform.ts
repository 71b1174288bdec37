import { Redis } from 'ioredis'
import { buildIngestion } from '@anxin/ingestion'
import { loadIngestionConfig } from '../../services/ingestion/src/config.ts'
import { buildAlert, type AlertService } from '@anxin/alert'
import { loadAlertConfig } from '../../services/alert/src/config.ts'
import { buildEscalation, loadEscalationConfig, type EscalationService } from '@anxin/escalation'
import { buildDispatch, loadDispatchConfig, type DispatchService } from '@anxin/dispatch'
import { freePort } from '@anxin/infra/stack'
import { pipelineEnv, testBroker, testDatabase, testLogger, testStack, testTopics, uniqueId, type Teardown, type TestDatabase } from '@anxin/testing'
import { SimulatedDevice } from '@anxin/simulators'
import { ScenarioClock } from './clock.ts'
import { buildFixture, idsFor, type ScenarioIds } from './fixture.ts'
import type { Scenario } from './schema.ts'

const LINK_SECRET = 'scenario-link-secret-0123456789abcdef012345'

/**
 * Escalation's notify commands leave through its outbox, whose rows are deleted once on Kafka. The checks
 * read a copy kept by a trigger in this test's own schema (the same messages dispatch consumes), so a check
 * is a query, not a read of the whole topic.
 */
async function keepNotifyCommands(db: TestDatabase): Promise<void> {
  await db.pool.query(`
    CREATE TABLE scenario_commands (seq bigserial PRIMARY KEY, payload jsonb NOT NULL);
    CREATE FUNCTION scenario_keep_command() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.topic = 'dispatchCommand' THEN INSERT INTO scenario_commands (payload) VALUES (NEW.payload); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER scenario_keep_command AFTER INSERT ON escalation_outbox FOR EACH ROW EXECUTE FUNCTION scenario_keep_command();`)
}

/** One pipeline with every scenario of a group registered and the services running, ready to play. */
export type Platform = {
  clock: ScenarioClock
  db: TestDatabase
  escalation: EscalationService
  dispatch: DispatchService
  alert: AlertService
  ids: Map<Scenario, ScenarioIds>
  device: (scenario: Scenario, key: string) => Promise<SimulatedDevice>
}

/**
 * The real pipeline (its own schema, topics, Mosquitto and Redis prefix, as in test/e2e/pipeline.ts) for a
 * group of scenarios that share one clock: each scenario has its own organisation, resident, devices and
 * staff, so they play side by side. `accelerated`: ingestion, alert and devices on the fast clock.
 */
export async function startPlatform(t: Teardown, scenarios: Scenario[], options: { speed: number; accelerated: boolean }): Promise<Platform> {
  const prefix = uniqueId('s')
  const stack = await testStack()
  const { logger } = testLogger('scenario')
  const db = await testDatabase(t, stack)
  const topics = await testTopics(t, stack, logger)
  // The accelerated clock starts on a whole minute, so "20:00" in a scenario is a whole minute for the cut-off.
  const clock = new ScenarioClock(options.speed)
  const ids = new Map(scenarios.map((s, i) => [s, idsFor(s, `${prefix}${i}`)]))
  const credentials = [...ids.values()].flatMap(x => Object.values(x.devices).map(d => ({ username: d.deviceId, password: d.password })))
  const broker = await testBroker(t, stack, credentials)
  const env = pipelineEnv({ stack, db, topics, broker, prefix })
  await db.pool.query(`INSERT INTO organisations (id, name) VALUES ('org-test', '测试中心')`)
  await keepNotifyCommands(db)
  for (const s of scenarios) await buildFixture(db.pool, s, ids.get(s)!, clock)

  const now = options.accelerated ? clock.epochNow : undefined
  const redis = (commandTimeout: number) => {
    const client = new Redis(stack.redisUrl, { maxRetriesPerRequest: 2, commandTimeout })
    client.on('error', () => {})
    t.teardown(() => client.disconnect())
    return client
  }
  const ingestion = buildIngestion({ pool: db.pool, redis: redis(1000), kafka: topics.kafka, logger, now }, loadIngestionConfig(env))
  t.teardown(() => ingestion.stop())
  const alert = buildAlert({ pool: db.pool, redis: redis(2000), kafka: topics.kafka, logger, now }, loadAlertConfig({
    ...env, ALERT_GROUP_ID: `alert-${prefix}`, ALERT_CHECK_INTERVAL_MS: '200',
    // The grace in which "I'm OK" calls off a fall is measured on the alert service's clock.
    FALL_GRACE_SECONDS: String(options.accelerated ? 60 : clock.scaleWhole(60, 0)),
  }))
  t.teardown(() => alert.stop())
  const escalation = buildEscalation({ pool: db.pool, kafka: topics.kafka, logger }, loadEscalationConfig({ ...env, ESCALATION_GROUP_ID: `escalation-${prefix}` }))
  t.teardown(() => escalation.stop())
  const escalationUrl = await escalation.http.listen({ host: '127.0.0.1', port: 0 })
  const dispatchPort = await freePort()
  const dispatch = buildDispatch({ pool: db.pool, kafka: topics.kafka, logger }, loadDispatchConfig({
    ...env, DISPATCH_GROUP_ID: `dispatch-${prefix}`, ESCALATION_URL: escalationUrl, PUBLIC_BASE_URL: `http://127.0.0.1:${dispatchPort}`,
    LINK_SECRETS: LINK_SECRET, SWEEP_INTERVAL_MS: '200', ALLOW_LOCAL_ENDPOINTS: 'true',
  }))
  t.teardown(() => dispatch.stop())
  await Promise.all([ingestion.start(), alert.start(), escalation.start(), dispatch.start()])
  await dispatch.http.listen({ host: '127.0.0.1', port: dispatchPort })

  if (options.accelerated) {
    // The daily-contact and weekly-test watches look once a minute (of their clock): so do they here.
    const timer = setInterval(() => {
      void alert.contactWatch?.check().catch(() => {})
      void alert.deviceTestWatch.check().catch(() => {})
    }, Math.max(200, 60_000 / options.speed))
    t.teardown(() => clearInterval(timer))
  }

  return {
    clock,
    db, escalation, dispatch, alert, ids,
    device: async (scenario, key) => {
      const d = ids.get(scenario)!.devices[key]!
      const device = new SimulatedDevice({ url: broker.url, deviceId: d.deviceId, password: d.password, ackTimeoutMs: 2000, clock: now })
      await device.connect()
      t.teardown(() => device.close())
      return device
    },
  }
}
