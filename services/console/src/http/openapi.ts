import { z } from 'zod'
import type { Operation } from './route-kit.ts'

const errorSchema = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } }

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>
  delete out.$schema
  return out
}

/** fastify's `/alarms/:alarmId` is OpenAPI's `/alarms/{alarmId}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

function parameters(op: Operation): unknown[] {
  const out: unknown[] = []
  for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
    if (!schema) continue
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] }
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property })
    }
  }
  return out
}

function responses(op: Operation): Record<string, unknown> {
  const status = String(op.successStatus ?? (op.response || op.produces ? 200 : 204))
  const success = op.produces
    ? { description: 'ok', content: { [op.produces]: { schema: { type: 'string' } } } }
    : op.response
      ? { description: 'ok', content: { 'application/json': { schema: jsonSchema(op.response, 'output') } } }
      : { description: 'done' }
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } })
  const out: Record<string, unknown> = { [status]: success, 400: error('invalid request') }
  if (op.access !== 'public') {
    out[401] = error('not signed in')
    out[403] = error('role not allowed, or CSRF token missing')
  }
  if (op.url.includes(':')) out[404] = error('not found')
  if (op.method !== 'GET') out[409] = error('conflict: someone else acted first')
  return out
}

/**
 * The OpenAPI 3.1 document of the console API, built from the same declarations (and zod schemas) that
 * register and validate the routes, so it cannot drift from them; `x-permission` names who may call each one.
 */
export function openApiDocument(operations: readonly Operation[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of operations) {
    const path = (paths[openApiPath(op.url)] ??= {})
    path[op.method.toLowerCase()] = {
      summary: op.summary,
      tags: [op.tag],
      'x-permission': op.access,
      ...(op.access === 'public' ? { security: [] } : {}),
      parameters: parameters(op),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
      ...(op.rawBody ? { requestBody: { required: true, content: Object.fromEntries(op.rawBody.types.map(type => [type, { schema: { type: 'string', format: 'binary' } }])) } } : {}),
      responses: responses(op),
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Anxin console API', version: info.version, description: 'The monitoring centre API: alarms, residents, devices, staff, schedules, policies, reports and the live feed.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'anxin_console' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: 'required on POST, PUT, PATCH and DELETE' },
      },
      schemas: { Error: errorSchema },
    },
    security: [{ session: [], csrf: [] }],
    paths,
  }
}
