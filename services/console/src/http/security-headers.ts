import type { FastifyInstance } from 'fastify'

/**
 * Headers on every answer: no framing (clickjacking the alarm buttons), no sniffing, no referrer, nothing
 * cached (pages and answers carry health and address data), HSTS for https deployments, and a content
 * security policy that allows scripts only from this origin and images from the map tile server if set.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(self)',
}

export function contentSecurityPolicy(tileOrigin: string | null): string {
  const images = ["'self'", 'data:', ...(tileOrigin ? [tileOrigin] : [])].join(' ')
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src ${images}; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'`
}

export function registerSecurityHeaders(app: FastifyInstance, options: { tileOrigin: string | null; https: boolean }): void {
  const csp = contentSecurityPolicy(options.tileOrigin)
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value)
    reply.header('content-security-policy', csp)
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
    return payload
  })
}
