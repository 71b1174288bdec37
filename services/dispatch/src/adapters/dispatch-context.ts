import type pg from 'pg'
import type { Logger } from '@anxin/logging'
import type { DeliveryChannel } from '../channels/channel.ts'
import type { IntakeContext } from './notification-intake.ts'

/** What the dispatch adapters share: the database, the channels configured, link signing, the clock. */
export type DispatchContext = {
  pool: pg.Pool
  logger: Logger
  configured: ReadonlySet<DeliveryChannel>
  linkSecrets: readonly string[]
  publicBaseUrl: string
  now: () => Date
  /** Registered push endpoints and webhook URLs may be plain http and local (tests and one-machine demos only). */
  allowLocalEndpoints: boolean
  /**
   * Wakes the delivery lanes and the escalation caller after a commit that queued work for them; with
   * `channels`, only those lanes (each woken lane costs a claim query).
   */
  kick: (channels?: ReadonlySet<DeliveryChannel>) => void
}

export const intakeContext = (context: DispatchContext): IntakeContext => ({
  configured: context.configured,
  linkSecrets: context.linkSecrets,
  publicBaseUrl: context.publicBaseUrl,
  now: context.now().toISOString(),
})
