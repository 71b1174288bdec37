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
  'residentName',
  'resident_name',
  'contactName',
  'phone',
  'mobile',
  'email',
  'address',
  'notes',
  'note',
  'medication_notes',
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

const SENSITIVE = new Set(SENSITIVE_KEYS.map(k => k.toLowerCase()))
const MAX_DEPTH = 12

/**
 * The paths above stop three levels down and do not look inside nested arrays; this walks the whole logged
 * object (plain objects and arrays; errors, dates and buffers are left to their serializers) and censors a
 * sensitive key at any depth, whatever its case. Log calls are rare enough for the walk not to matter.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[too deep]'
  if (Array.isArray(value)) return value.map(v => redactDeep(v, depth + 1))
  if (!value || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) out[key] = SENSITIVE.has(key.toLowerCase()) ? '[redacted]' : redactDeep(v, depth + 1)
  return out
}

export type LoggerOptions = { service: string; level?: string; destination?: DestinationStream }

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { log: object => redactDeep(object) as Record<string, unknown> },
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  )
}

export type { Logger }
