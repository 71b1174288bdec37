import type { OutgoingRecord } from '../../packages/kafka/src/producer.ts'

export const CLIENTS = ['kafkajs', 'platformatic'] as const
export type ClientName = (typeof CLIENTS)[number]

/** The two writes the ingestion path makes: a telemetry batch, and one urgent record on its own producer. */
export type Driver = {
  sendBatch: (topic: string, records: OutgoingRecord[]) => Promise<void>
  sendOne: (topic: string, record: OutgoingRecord) => Promise<void>
  close: () => Promise<void>
}

export type WorkerJob = {
  client: ClientName
  brokers: string[]
  telemetryTopic: string
  alarmTopic: string
  messages: number
  batch: number
  devices: number
  sosPresses: number
  runId: string
}
