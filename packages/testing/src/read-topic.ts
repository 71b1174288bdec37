import type { Kafka } from '@anxin/kafka'

export type ReadMessage = { key: string | null; value: string; partition: number; offset: string; headers: Record<string, string> }

/**
 * Reads a topic from the beginning until `until` is satisfied or `timeoutMs` passes, and returns everything
 * read. Used to assert what reached Kafka (and how many times).
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { until?: (messages: ReadMessage[]) => boolean; timeoutMs?: number; settleMs?: number } = {},
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 })
  const messages: ReadMessage[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v)
        messages.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', partition, offset: message.offset, headers })
      },
    })
    const deadline = Date.now() + (options.timeoutMs ?? 15000)
    while (Date.now() < deadline && !(options.until?.(messages) ?? false)) await new Promise(r => setTimeout(r, 50))
    // Keep reading a moment longer so that a duplicate arriving just after the expected message is seen too.
    await new Promise(r => setTimeout(r, options.settleMs ?? 500))
    return messages
  } finally {
    await consumer.disconnect()
  }
}
