import { z } from 'zod'
import { auditConsole } from '../adapters/console-audit.ts'
import type { ConsoleContext } from '../adapters/console-context.ts'
import type { FeedHub } from '../adapters/feed-hub.ts'
import { latestFeedSeq, type FeedEvent } from '../adapters/feed-store.ts'
import { ApiError } from './api-error.ts'
import type { ApiRouter } from './route-kit.ts'
import { SECURITY_HEADERS } from './security-headers.ts'

const seq = z.string().regex(/^\d{1,19}$/, 'a feed position (digits)')

/**
 * The live feed as Server-Sent Events: each event's id is its feed position, so the browser's EventSource
 * reconnects by itself with Last-Event-ID and resumes exactly after the last event it saw. The session is
 * checked again at every keep-alive: a stream does not outlive a sign-out or an expired session.
 */
export function registerFeedRoutes(api: ApiRouter, deps: { context: ConsoleContext; hub: FeedHub; keepAliveMs: number }): void {
  api.route({
    method: 'GET', url: '/api/feed', tag: 'feed', summary: 'Live alarm, lifecycle and device-status changes (text/event-stream); resumes after Last-Event-ID or ?after',
    permission: 'feed', query: z.object({ after: seq.optional() }), produces: 'text/event-stream',
    handler: async ({ user, session, query, request, reply }) => {
      const lastEventId = request.headers['last-event-id']
      const resume = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : query.after
      if (resume !== undefined && !seq.safeParse(resume).success) throw new ApiError(400, 'invalid_request', 'Last-Event-ID: a feed position (digits)')
      // No position: start from now (the browser loads the queue first and passes its feedSeq).
      const after = resume ?? (await latestFeedSeq(deps.context.pool))

      await auditConsole(deps.context.pool, user, { action: 'follow_feed', detail: { after } }, deps.context.now())
      reply.hijack()
      const out = reply.raw
      out.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' })
      out.write('retry: 2000\n\n')
      const send = (event: FeedEvent): void => {
        out.write(`id: ${event.seq}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`)
      }
      let unsubscribe: (() => void) | null = null
      const keepAlive = setInterval(() => {
        void deps.context.sessions.touch(session.id, deps.context.now()).then(
          live => (live ? out.write(': keepalive\n\n') : out.end()),
          () => out.write(': keepalive\n\n'),
        )
      }, deps.keepAliveMs)
      const close = (): void => {
        clearInterval(keepAlive)
        unsubscribe?.()
      }
      out.on('close', close)
      try {
        const resync = (): void => void out.write(`event: resync\ndata: {}\n\n`)
        unsubscribe = await deps.hub.subscribe({ user, send, resync }, after)
        if (out.destroyed) close()
      } catch (error) {
        deps.context.logger.warn({ err: (error as Error).message }, 'feed catch-up failed')
        close()
        out.end()
      }
      return reply
    },
  })
}
