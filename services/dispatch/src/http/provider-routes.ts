import type { FastifyInstance } from 'fastify'
import { withTransaction } from '@anxin/db'
import { parseGatewayCallback } from '../channels/sms-gateway.ts'
import { verifySignature } from '@anxin/contracts'
import type { DispatchContext } from '../adapters/dispatch-context.ts'
import { applyReceipt, confirmRequest } from '../adapters/delivery-store.ts'
import { queueEscalationCall, type EscalationCaller } from '../adapters/escalation-calls.ts'

export const GATEWAY_CALLBACK_PATH = '/providers/gateway/callback'

/**
 * Receipts and call results from the SMS / voice gateway. The body is signed with the shared secret; an
 * unsigned, forged or stale callback is refused. A callee who pressed the acknowledge digit has acknowledged
 * the alarm, exactly as if they had used the link.
 */
export function registerProviderRoutes(app: FastifyInstance, deps: { context: DispatchContext; caller: EscalationCaller; callbackSecret: string | null }): void {
  const { context, caller, callbackSecret } = deps
  void app.register(async scoped => {
    // The signature covers the exact bytes received, so this route reads the body as a string.
    scoped.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => done(null, body))
    scoped.post(GATEWAY_CALLBACK_PATH, async (request, reply) => {
      if (!callbackSecret) return reply.code(404).send({ code: 'not_configured', message: 'no gateway is configured' })
      const raw = typeof request.body === 'string' ? request.body : ''
      const signature = verifySignature(callbackSecret, request.headers['x-anxin-signature'] as string | undefined, raw, Math.floor(context.now().getTime() / 1000))
      if (!signature.ok) return reply.code(401).send({ code: 'bad_signature', message: `signature ${signature.reason}` })
      const callback = parseGatewayCallback(raw)
      if (!callback) return reply.code(400).send({ code: 'invalid_request', message: 'not a gateway callback' })
      const delivered = callback.status === 'delivered' || callback.status === 'answered'
      const answer = `gateway: ${callback.status}${callback.detail ? ` (${callback.detail.slice(0, 200)})` : ''}`
      const applied = await applyReceipt(context.pool, callback.reference, delivered ? 'delivered' : 'failed', answer, context.now().toISOString())
      if (!applied) return reply.code(404).send({ code: 'unknown_reference', message: 'no such delivery' })
      if (callback.status === 'answered' && callback.digits === '1') {
        const requestId = `voice:${callback.reference}:acknowledge`
        await withTransaction(context.pool, async client => {
          const { rows } = await client.query<{ alarm_id: string; recipient_kind: 'staff' | 'contact'; recipient_id: string }>(
            'SELECT alarm_id, recipient_kind, recipient_id FROM notification_requests WHERE command_id = $1',
            [applied.commandId],
          )
          const r = rows[0]
          if (!r || (r.recipient_kind !== 'staff' && r.recipient_kind !== 'contact')) return
          await confirmRequest(client, applied.commandId, `phone:${r.recipient_kind}:${r.recipient_id}`, { close: true })
          await queueEscalationCall(client, requestId, r.alarm_id, { kind: 'acknowledge', actor: { kind: r.recipient_kind, id: r.recipient_id }, channel: 'phone' })
        })
        caller.kick()
      }
      context.kick()
      return reply.send({ ok: true })
    })
  })
}
