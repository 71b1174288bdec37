import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

/** Liveness, readiness (every dependency connected) and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, options: { ready: () => Record<string, boolean>; metrics: Registry }): void {
  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_request, reply) => {
    const checks = options.ready()
    const ok = Object.values(checks).every(Boolean)
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks })
  })
  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.contentType).send(await options.metrics.metrics())
  })
}
