import { ConfigError } from '@anxin/config'
import type { DispatchConfig } from '../config.ts'
import type { NotificationChannel } from './channel.ts'
import { EmailChannel } from './email.ts'
import { SmsGatewayChannel } from './sms-gateway.ts'
import { WebhookChannel } from './webhook.ts'
import { WebPushChannel } from './web-push.ts'

/**
 * The channels this deployment has providers for. The webhook is always there (each organisation configures
 * its own endpoint); the others need their provider settings, and half a setting is a boot error, not a
 * channel that silently never sends.
 */
export function channelsFromConfig(config: DispatchConfig, callbackUrl: string): NotificationChannel[] {
  const problems: string[] = []
  const channels: NotificationChannel[] = [new WebhookChannel({ timeoutMs: config.PROVIDER_TIMEOUT_MS })]
  if (config.SMTP_URL) channels.push(new EmailChannel({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.PROVIDER_TIMEOUT_MS * 2 }))
  if (config.SMS_GATEWAY_URL || config.SMS_GATEWAY_TOKEN) {
    if (!config.SMS_GATEWAY_URL || !config.SMS_GATEWAY_TOKEN) problems.push('SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN go together')
    else if (!config.SMS_GATEWAY_CALLBACK_SECRET) problems.push('SMS_GATEWAY_CALLBACK_SECRET: missing (receipts and call results must be signed)')
    else {
      for (const channel of ['sms', 'phone'] as const) {
        channels.push(new SmsGatewayChannel({ channel, url: config.SMS_GATEWAY_URL, token: config.SMS_GATEWAY_TOKEN, callbackUrl, timeoutMs: config.PROVIDER_TIMEOUT_MS }))
      }
    }
  }
  if (config.VAPID_PUBLIC_KEY || config.VAPID_PRIVATE_KEY) {
    if (!config.VAPID_PUBLIC_KEY || !config.VAPID_PRIVATE_KEY) problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together')
    else channels.push(new WebPushChannel({ subject: config.VAPID_SUBJECT, publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY, timeoutMs: config.PROVIDER_TIMEOUT_MS }))
  }
  if (problems.length > 0) throw new ConfigError('dispatch', problems)
  return channels
}
