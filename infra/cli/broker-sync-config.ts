import { z } from 'zod'
import { loggingEnv, postgresEnv } from '@anxin/config'

/**
 * The environment of `infra/cli/broker-sync.ts`. Kept apart from the script (which runs on import) so the
 * compose test can check docker-compose.yml's `broker-sync` service against it.
 */
export const brokerSyncEnvSchema = z.object({
  ...postgresEnv,
  ...loggingEnv,
  MQTT_INGESTION_USERNAME: z.string().min(1),
  MQTT_INGESTION_PASSWORD: z.string().min(12),
  /** The directory holding the broker's password file (`passwd`, as infra/mosquitto renders the config). */
  BROKER_CONFIG_DIR: z.string().min(1),
  /** The pid file of a daemonised broker; without it the broker is found by process name (shared PID namespace). */
  BROKER_PID_FILE: z.preprocess(v => (v === '' ? undefined : v), z.string().min(1).optional()),
  BROKER_PROCESS_NAME: z.string().min(1).default('mosquitto'),
  SYNC_DEBOUNCE_MS: z.coerce.number().int().min(0).max(10000).default(50),
  SYNC_RESYNC_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30000),
})

export type BrokerSyncConfig = z.infer<typeof brokerSyncEnvSchema>
