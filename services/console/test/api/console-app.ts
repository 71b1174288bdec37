import { Redis } from 'ioredis'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { createKafka } from '@anxin/kafka'
import { testDatabase, testLogger, testStack, uniqueId, type Teardown, type TestDatabase, type TestStack } from '@anxin/testing'
import { hashPassword } from '@anxin/credentials'
import { buildConsole, loadConsoleConfig, upsertAccount, type ConsoleService } from '@anxin/console'
import type { StaffRole } from '../../src/domain/roles.ts'

/** Everyone the role tests sign in as: one of each role across organisation A, an area operator, and organisation B's operator. */
export const ACCOUNTS = {
  administrator: { staffId: 'a-admin', role: 'administrator', org: 'org-a', area: null },
  supervisor: { staffId: 'a-super', role: 'supervisor', org: 'org-a', area: null },
  operator: { staffId: 'a-oper', role: 'operator', org: 'org-a', area: null },
  carer: { staffId: 'a-carer', role: 'carer', org: 'org-a', area: 'area-1' },
  doctor: { staffId: 'a-doctor', role: 'doctor', org: 'org-a', area: null },
  auditor: { staffId: 'a-audit', role: 'auditor', org: 'org-a', area: null },
  areaOperator: { staffId: 'a-oper-2', role: 'operator', org: 'org-a', area: 'area-2' },
  otherOrgOperator: { staffId: 'b-oper', role: 'operator', org: 'org-b', area: null },
} as const satisfies Record<string, { staffId: string; role: StaffRole; org: string; area: string | null }>
export type AccountName = keyof typeof ACCOUNTS

export const PASSWORD = 'correct horse battery staple'

export type SignedIn = { cookie: string; csrf: string }

export type ConsoleApp = {
  stack: TestStack
  db: TestDatabase
  redis: Redis
  redisPrefix: string
  service: ConsoleService
  app: FastifyInstance
  logLines: string[]
  signIn: (who: AccountName) => Promise<SignedIn>
  /** A request as `who` (signed in once, then reused), the CSRF header added for changes. */
  as: (who: AccountName, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) => Promise<LightMyRequestResponse>
}

/**
 * The console app on its own database schema and Redis prefix with organisation A (two areas, one resident in
 * each), organisation B (one resident) and an account for every role; not listening, driven with inject().
 * Escalation and dispatch default to an address where nothing answers; pass theirs to test actions.
 */
export async function consoleApp(t: Teardown, options: { env?: Record<string, string>; start?: boolean; now?: () => Date } = {}): Promise<ConsoleApp> {
  const stack = await testStack()
  const db = await testDatabase(t, stack)
  const { logger, lines } = testLogger('console')
  const redis = new Redis(stack.redisUrl)
  const prefix = `anxin-test:${uniqueId('c')}:`
  t.teardown(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    redis.disconnect()
  })
  await seedOrganisations(db)
  const config = loadConsoleConfig({
    KAFKA_BROKERS: stack.kafkaBrokers.join(','), DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, REDIS_URL: stack.redisUrl, REDIS_KEY_PREFIX: prefix,
    ESCALATION_URL: 'http://127.0.0.1:9', DISPATCH_URL: 'http://127.0.0.1:9', HTTP_PORT: '0', WEB_ROOT: '/nonexistent', CONSOLE_GROUP_ID: `console-${uniqueId('g')}`,
    ...options.env,
  })
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'console-test', logger })
  const service = buildConsole({ pool: db.pool, redis, kafka, logger, ...(options.now ? { now: options.now } : {}) }, config)
  if (options.start) await service.start()
  t.teardown(() => service.stop())
  await service.http.ready()

  const sessions = new Map<AccountName, SignedIn>()
  const signIn = async (who: AccountName): Promise<SignedIn> => {
    const response = await service.http.inject({ method: 'POST', url: '/api/session', payload: { username: ACCOUNTS[who].staffId, password: PASSWORD } })
    if (response.statusCode !== 200) throw new Error(`sign-in as ${who} failed: ${response.statusCode} ${response.body}`)
    const cookie = String(response.headers['set-cookie']).split(';')[0]!
    return { cookie, csrf: response.json().csrfToken }
  }
  return {
    stack, db, redis, redisPrefix: prefix, service, app: service.http, logLines: lines, signIn,
    as: async (who, method, url, body) => {
      if (!sessions.has(who)) sessions.set(who, await signIn(who))
      const s = sessions.get(who)!
      return service.http.inject({ method, url, headers: { cookie: s.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrf }) }, ...(body === undefined ? {} : { payload: body as object }) })
    },
  }
}

let passwordHash: Promise<string> | null = null

async function seedOrganisations(db: TestDatabase): Promise<void> {
  passwordHash ??= hashPassword(PASSWORD)
  const hash = await passwordHash
  await db.pool.query(`
    INSERT INTO organisations (id, name) VALUES ('org-a', '阳光社区'), ('org-b', '河畔社区');
    INSERT INTO areas (id, org_id, name) VALUES ('area-1', 'org-a', '一区'), ('area-2', 'org-a', '二区'), ('area-b', 'org-b', '北区');
    INSERT INTO residents (id, org_id, area_id, full_name, gender, birth_date, address, lat, lon, living_situation, care_level, conditions, medication_notes, flag_living_alone, flag_very_old)
    VALUES ('res-a1', 'org-a', 'area-1', '王桂英', 'female', '1939-03-02', '阳光路 1 号', 31.23, 121.47, 'alone', 'semi_dependent', '{hypertension}', '氨氯地平 5mg', true, true),
           ('res-a2', 'org-a', 'area-2', '李建国', 'male', '1945-07-15', '阳光路 9 号', 31.24, 121.48, 'with_spouse', 'independent', '{}', null, false, false),
           ('res-b1', 'org-b', 'area-b', '赵秀兰', 'female', '1940-01-01', '河畔街 3 号', 30.1, 120.1, 'alone', 'dependent', '{dementia}', null, true, true);
    INSERT INTO emergency_contacts (resident_id, position, full_name, relation, phone) VALUES ('res-a1', 1, '王小明', 'son', '13800000001');
  `)
  for (const account of Object.values(ACCOUNTS)) {
    await db.pool.query('INSERT INTO staff (id, org_id, area_id, full_name, role, phone) VALUES ($1, $2, $3, $4, $5, $6)', [
      account.staffId, account.org, account.area, `${account.role} ${account.staffId}`, account.role, '13900000000',
    ])
    await upsertAccount(db.pool, account.staffId, account.staffId, hash)
  }
  await db.pool.query(`UPDATE residents SET assigned_carer_id = 'a-carer', family_doctor_id = 'a-doctor' WHERE id = 'res-a1'`)
}
