import { randomUUID } from 'node:crypto'
import type { Producer } from 'kafkajs'
import type { DeadLetter, DeadLetterReason } from '@anxin/contracts'
import { publish } from './producer.ts'

export type DeadLetterInput = {
  reason: DeadLetterReason
  detail: string
  origin: DeadLetter['origin']
  deviceId: string | null
  payload: Buffer
  receivedAt?: Date
}

export function buildDeadLetter(input: DeadLetterInput): DeadLetter {
  return {
    deadLetterId: randomUUID(),
    schemaVersion: 1,
    reason: input.reason,
    detail: input.detail.slice(0, 2000),
    origin: input.origin,
    deviceId: input.deviceId,
    receivedAt: (input.receivedAt ?? new Date()).toISOString(),
    payloadBase64: input.payload.toString('base64'),
    payloadBytes: input.payload.length,
  }
}

export async function publishDeadLetter(producer: Producer, topic: string, input: DeadLetterInput): Promise<DeadLetter> {
  const letter = buildDeadLetter(input)
  await publish(producer, topic, [
    { key: input.deviceId ?? letter.deadLetterId, value: letter, headers: { reason: letter.reason } },
  ])
  return letter
}
