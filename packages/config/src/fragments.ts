import { z } from 'zod'

/** Environment fragments shared by services; each service composes the ones it needs into one schema. */

// 0 lets the operating system choose (tests).
const port = z.coerce.number().int().min(0).max(65535)

export const kafkaEnv = {
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform(s => s.split(',').map(b => b.trim()).filter(Boolean)),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
}

export const postgresEnv = {
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case SQL identifier').default('anxin'),
}

export const redisEnv = {
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
}

export const mqttEnv = {
  MQTT_URL: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'must be an mqtt:// URL'),
  MQTT_USERNAME: z.string().min(1),
  MQTT_PASSWORD: z.string().min(1),
}

export const httpEnv = {
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port,
}

export const loggingEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}
