import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { may, type Permission, type StaffRole } from '../domain/roles.ts'
import type { Session, SessionUser } from '../domain/session-user.ts'
import { ApiError } from './api-error.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type RouteContext<P, Q, B> = { user: SessionUser; session: Session; params: P; query: Q; body: B; request: FastifyRequest; reply: FastifyReply }
export type PublicContext<P, Q, B> = { session: Session | null; params: P; query: Q; body: B; request: FastifyRequest; reply: FastifyReply }

type Schemas<P, Q, B> = {
  method: HttpMethod
  /** fastify syntax: /api/alarms/:alarmId */
  url: string
  summary: string
  tag: string
  params?: z.ZodType<P>
  query?: z.ZodType<Q>
  body?: z.ZodType<B>
  /** What a success answers, for the OpenAPI document. */
  response?: z.ZodType
  successStatus?: number
  /** A non-JSON answer (text/csv, text/event-stream). */
  produces?: string
  /**
   * A raw body (a file upload) instead of JSON: only these content types, at most `limitBytes`, handed to the
   * handler as a Buffer. Any other content type is 415, a larger body 413, both after the session is checked.
   */
  rawBody?: { types: string[]; limitBytes: number }
}

export type RouteSpec<P, Q, B> = Schemas<P, Q, B> & {
  /** 'signed_in': any role (the session itself). A list: any one of them (the handler may narrow further). */
  permission: Permission | Permission[] | 'signed_in'
  handler: (ctx: RouteContext<P, Q, B>) => Promise<unknown>
}

export type PublicRouteSpec<P, Q, B> = Schemas<P, Q, B> & { handler: (ctx: PublicContext<P, Q, B>) => Promise<unknown> }

/** One documented operation: what the OpenAPI document is built from and what the role test walks. */
export type Operation = Schemas<unknown, unknown, unknown> & { access: Permission | Permission[] | 'signed_in' | 'public' }

export type SessionLookup = (request: FastifyRequest) => Promise<Session | null>

const MUTATING = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE'])

const describe = (error: z.ZodError): string => error.issues.map(i => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}))
  if (!result.success) throw new ApiError(400, 'invalid_request', `${where}: ${describe(result.error)}`)
  return result.data
}

function permitted(role: StaffRole, permission: Permission | Permission[] | 'signed_in'): boolean {
  if (permission === 'signed_in') return true
  return (Array.isArray(permission) ? permission : [permission]).some(p => may(role, p))
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const unsupported = (types: string[]): ApiError => new ApiError(415, 'unsupported_media_type', `send the file as ${types.join(' or ')}`)
const tooLarge = (limit: number): ApiError => new ApiError(413, 'too_large', `the file is larger than ${Math.round(limit / 1024 / 1024)} MB`)

function rawBody(request: FastifyRequest, raw: { types: string[]; limitBytes: number }): Buffer {
  if (!Buffer.isBuffer(request.body)) throw unsupported(raw.types)
  return request.body
}

/**
 * Registers API routes so that each one is checked the same way and documented where it is declared: the
 * session is resolved, the route's permission checked against the role, the CSRF token checked on every
 * change (the session cookie alone proves nothing about who built the request), and params, query and body
 * validated with zod before the handler sees them. The declared operations feed the OpenAPI document.
 */
export class ApiRouter {
  readonly operations: Operation[] = []
  private readonly app: FastifyInstance
  private readonly lookup: SessionLookup

  constructor(app: FastifyInstance, lookup: SessionLookup) {
    this.app = app
    this.lookup = lookup
  }

  route<P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>): void {
    this.operations.push({ ...(spec as unknown as Operation), access: spec.permission })
    const authorise = async (request: FastifyRequest): Promise<Session> => {
      const session = await this.lookup(request)
      if (!session) throw new ApiError(401, 'unauthenticated', 'sign in first (the session is missing or has expired)')
      if (!permitted(session.user.role, spec.permission)) throw new ApiError(403, 'forbidden', `the ${session.user.role} role may not use ${spec.method} ${spec.url}`)
      if (MUTATING.has(spec.method) && !sameToken(String(request.headers['x-csrf-token'] ?? ''), session.csrfToken)) {
        throw new ApiError(403, 'csrf', 'missing or wrong x-csrf-token header')
      }
      return session
    }
    const handler = async (request: FastifyRequest, reply: FastifyReply, checked?: Session) => {
      const session = checked ?? await authorise(request)
      const body = spec.rawBody ? rawBody(request, spec.rawBody) as B : parse(spec.body, request.body, 'body')
      const ctx = { user: session.user, session, request, reply, params: parse(spec.params, request.params, 'params'), query: parse(spec.query, request.query, 'query'), body }
      const result = await spec.handler(ctx)
      if (reply.sent) return reply
      if (result === undefined) return reply.code(204).send()
      return reply.code(spec.successStatus ?? 200).send(result)
    }
    if (!spec.rawBody) {
      this.app.route({ method: spec.method, url: spec.url, handler: (request, reply) => handler(request, reply) })
      return
    }
    const raw = spec.rawBody
    const sessions = new WeakMap<FastifyRequest, Session>()
    // A plugin of its own, so these parsers (and no JSON one) apply to this route alone; who is asking is
    // settled before a byte of the body is read.
    void this.app.register(async child => {
      child.removeAllContentTypeParsers()
      child.addContentTypeParser(raw.types, { parseAs: 'buffer', bodyLimit: raw.limitBytes }, (_request, body, done) => done(null, body))
      child.addContentTypeParser('*', (_request, _payload, done) => done(unsupported(raw.types)))
      child.route({
        method: spec.method, url: spec.url, bodyLimit: raw.limitBytes,
        onRequest: async request => {
          sessions.set(request, await authorise(request))
          if (Number(request.headers['content-length'] ?? 0) > raw.limitBytes) throw tooLarge(raw.limitBytes)
        },
        handler: (request, reply) => handler(request, reply, sessions.get(request)),
      })
    })
  }

  /** Routes anyone may call (signing in); a session, if there is one, is passed along. */
  publicRoute<P = undefined, Q = undefined, B = undefined>(spec: PublicRouteSpec<P, Q, B>): void {
    this.operations.push({ ...(spec as unknown as Operation), access: 'public' })
    this.app.route({
      method: spec.method,
      url: spec.url,
      handler: async (request, reply) => {
        const session = await this.lookup(request)
        const ctx = { session, request, reply, params: parse(spec.params, request.params, 'params'), query: parse(spec.query, request.query, 'query'), body: parse(spec.body, request.body, 'body') }
        const result = await spec.handler(ctx)
        if (reply.sent) return reply
        if (result === undefined) return reply.code(204).send()
        return reply.code(spec.successStatus ?? 200).send(result)
      },
    })
  }
}
