import { z } from 'zod'
import { kafkaEnv, postgresEnv } from '@anxin/config'

/**
 * The environment of `infra/cli/init.ts`. Kept apart from the script (which runs on import) so the compose
 * test can check docker-compose.yml's `init` service against it.
 */
export const initEnvSchema = z.object({
  ...kafkaEnv,
  ...postgresEnv,
  MQTT_INGESTION_USERNAME: z.string().min(1),
  MQTT_INGESTION_PASSWORD: z.string().min(12),
  DEMO_FLEET_SECRET: z.string().min(12),
  BROKER_CONFIG_DIR: z.string().min(1),
  BROKER_PORT: z.coerce.number().int().default(1883),
  SEED_DEMO: z.enum(['true', 'false']).default('false'),
})

export type InitConfig = z.infer<typeof initEnvSchema>
