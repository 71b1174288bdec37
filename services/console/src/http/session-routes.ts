import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { findAccount } from '../adapters/accounts.ts'
import { auditConsole } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import type { LoginThrottle } from '../adapters/login-throttle.ts'
import { verifyAgainstDecoy, verifyPassword } from '@anxin/credentials'
import type { ConcurrencyGate } from '../domain/concurrency-gate.ts'
import { STAFF_ROLES } from '../domain/roles.ts'
import type { Session } from '../domain/session-user.ts'
import { ApiError } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'

export const SESSION_COOKIE = 'anxin_console'

const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict()
export const userSchema = z.object({
  staffId: z.string(), username: z.string(), fullName: z.string(), role: z.enum(STAFF_ROLES), orgId: z.string(), orgName: z.string(),
  areaId: z.string().nullable(), timezone: z.string(),
})
const sessionAnswer = z.object({ user: userSchema, csrfToken: z.string(), expiresAt: z.string(), mapTileUrl: z.string().nullable() })

/** The session id from the request's cookie header, if any. */
export function sessionCookie(request: FastifyRequest): string | null {
  for (const part of request.headers.cookie?.split(';') ?? []) {
    const [name, ...value] = part.trim().split('=')
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='))
  }
  return null
}

export type SessionRouteDeps = { context: ConsoleContext; throttle: LoginThrottle; passwordGate: ConcurrencyGate; secureCookie: boolean; maxSeconds: number }

export function registerSessionRoutes(api: ApiRouter, deps: SessionRouteDeps): void {
  const { context, throttle } = deps
  const answer = (session: Session) => ({ user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt, mapTileUrl: context.mapTileUrl })
  const setCookie = (reply: FastifyReply, value: string, maxAge: number): void => {
    // Strict: the console is never entered from a link on another site, so the cookie never needs to travel with one.
    reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${deps.secureCookie ? '; Secure' : ''}`)
  }

  api.publicRoute({
    method: 'POST', url: '/api/session', tag: 'session', summary: 'Sign in with username and password', body: credentials, response: sessionAnswer,
    handler: async ({ body, request, reply }) => {
      const address = request.ip
      const verdict = await throttle.check(body.username, address)
      if (!verdict.allowed) {
        reply.header('retry-after', String(verdict.retryAfterSeconds))
        return reply.code(429).send({ code: 'too_many_attempts', message: `too many failed sign-ins; try again in ${verdict.retryAfterSeconds} s`, retryAfterSeconds: verdict.retryAfterSeconds })
      }
      const account = await findAccount(context.pool, body.username)
      const ok = await deps.passwordGate.run(() => (account && account.usable ? verifyPassword(account.passwordHash, body.password) : verifyAgainstDecoy(body.password)))
      if (ok === null) {
        reply.header('retry-after', '5')
        return reply.code(503).send({ code: 'busy', message: 'too many sign-ins at once; try again in a few seconds' })
      }
      if (!ok || !account) {
        await throttle.recordFailure(body.username, address)
        context.logger.warn({ address }, 'console sign-in refused')
        throw new ApiError(401, 'invalid_credentials', 'wrong username or password')
      }
      await throttle.recordSuccess(body.username)
      const now = context.now()
      const session = await context.sessions.create(account.user, now)
      await context.pool.query('UPDATE console_accounts SET last_login_at = $2 WHERE staff_id = $1', [account.user.staffId, now])
      await auditConsole(context.pool, account.user, { action: 'sign_in', detail: { address } }, now)
      setCookie(reply, session.id, deps.maxSeconds)
      return answer(session)
    },
  })

  api.route({
    method: 'GET', url: '/api/session', tag: 'session', summary: 'The signed-in user and the CSRF token', permission: 'signed_in', response: sessionAnswer,
    handler: async ({ session }) => answer(session),
  })

  api.route({
    method: 'DELETE', url: '/api/session', tag: 'session', summary: 'Sign out', permission: 'signed_in',
    handler: async ({ session, reply }) => {
      await context.sessions.destroy(session.id, session.user.staffId)
      await auditConsole(context.pool, session.user, { action: 'sign_out' }, context.now())
      setCookie(reply, '', 0)
      return undefined
    },
  })
}
