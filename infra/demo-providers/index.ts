import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createWriteStream } from 'node:fs'
import { SMTPServer } from 'smtp-server'
import { signatureHeader } from '@anxin/contracts'
import type { Logger } from '@anxin/logging'

/**
 * Stand-ins for the providers a real deployment contracts (a mail server, an SMS / voice-call gateway), so
 * `pnpm start` shows notifications end to end on one machine. They speak the real protocols (SMTP; the
 * gateway contract in services/dispatch/src/channels/sms-gateway.ts, signed receipts included) and leave
 * every message as a file under the outbox directory: open a mail's link to act as the responder.
 */
export type DemoProviders = { outboxDir: string; stop: () => Promise<void> }

export async function startDemoProviders(options: {
  outboxDir: string; smtpPort: number; gatewayPort: number; gatewayToken: string; callbackSecret: string; logger: Logger
}): Promise<DemoProviders> {
  const mailDir = join(options.outboxDir, 'mail')
  const smsDir = join(options.outboxDir, 'sms')
  mkdirSync(mailDir, { recursive: true })
  mkdirSync(smsDir, { recursive: true })
  let sequence = 0
  const fileName = (extension: string) => `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++sequence).padStart(5, '0')}.${extension}`

  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      pipeline(stream, createWriteStream(join(mailDir, fileName('eml')))).then(() => callback(), (error: Error) => callback(error))
    },
  })
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject)
    smtp.listen(options.smtpPort, '127.0.0.1', () => resolve())
  })

  const gateway: Server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', chunk => (body += chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/messages') return void response.writeHead(404).end()
      if (request.headers.authorization !== `Bearer ${options.gatewayToken}`) return void response.writeHead(401).end()
      const message = JSON.parse(body) as { reference: string; type: 'sms' | 'voice'; callbackUrl: string | null }
      writeFileSync(join(smsDir, fileName('json')), `${JSON.stringify(message, null, 2)}\n`)
      const id = `demo-${sequence}`
      response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id, status: 'queued' }))
      // A real gateway reports back a moment later: delivered to the handset, or the call answered.
      if (message.callbackUrl) setTimeout(() => void receipt(message.callbackUrl!, { reference: message.reference, id, status: message.type === 'voice' ? 'answered' : 'delivered' }), 500)
    })
  })
  const receipt = async (url: string, payload: Record<string, unknown>): Promise<void> => {
    const raw = JSON.stringify(payload)
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-anxin-signature': signatureHeader(options.callbackSecret, raw, Math.floor(Date.now() / 1000)) }, body: raw })
    } catch (error) {
      options.logger.warn({ err: (error as Error).message }, 'demo gateway could not deliver a receipt')
    }
  }
  await new Promise<void>((resolve, reject) => {
    gateway.once('error', reject)
    gateway.listen(options.gatewayPort, '127.0.0.1', () => resolve())
  })
  options.logger.info({ outbox: options.outboxDir, smtpPort: options.smtpPort, gatewayPort: options.gatewayPort }, 'demo providers listening')
  return {
    outboxDir: options.outboxDir,
    stop: async () => {
      gateway.closeAllConnections()
      await Promise.all([new Promise<void>(resolve => gateway.close(() => resolve())), new Promise<void>(resolve => smtp.close(() => resolve()))])
    },
  }
}
