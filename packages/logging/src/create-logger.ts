import { pino, type DestinationStream, type Logger } from 'pino'

/**
 * Health data and personal data are sensitive personal information: they must never reach a log. Code
 * logs ids and reasons only; these paths are a second line of defence for the objects that carry such data
 * (device payloads, envelopes, resident records) should one be logged by mistake.
 */
const SENSITIVE_KEYS = [
  'payload',
  'vitals',
  'location',
  'heartRate',
  'spo2',
  'systolic',
  'diastolic',
  'temperature',
  'glucose',
  'lat',
  'lon',
  'conditions',
  'medicationNotes',
  'fullName',
  'full_name',
  'phone',
  'address',
  'birthDate',
  'birth_date',
  'password',
  'passwordHash',
  'MQTT_PASSWORD',
  'authorization',
  'cookie',
]

export const REDACTED_PATHS = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map(k => `*.${k}`),
  ...SENSITIVE_KEYS.map(k => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
]

export type LoggerOptions = { service: string; level?: string; destination?: DestinationStream }

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  )
}

export type { Logger }
