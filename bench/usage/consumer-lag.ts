import type { Kafka } from '@anxin/kafka'

/** Messages ever written to a topic, and how many of them each consumer group has not committed yet. */
export type TopicProgress = { produced: number; lag: Record<string, number> }

/**
 * Reads a topic's end offsets once and every group's committed offsets against them. One admin connection
 * serves every question (a benchmark asks every 50 ms while a backlog drains).
 */
export async function progressReader(kafka: Kafka, topic: string, groups: string[]): Promise<{ read: () => Promise<TopicProgress>; close: () => Promise<void> }> {
  const admin = kafka.admin()
  await admin.connect()
  return {
    read: async () => {
      const ends = await admin.fetchTopicOffsets(topic)
      const lag: Record<string, number> = {}
      for (const groupId of groups) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
        lag[groupId] = ends.reduce((n, end) => {
          const at = committed?.partitions.find(p => p.partition === end.partition)?.offset ?? '-1'
          return n + Number(end.offset) - Math.max(0, Number(at))
        }, 0)
      }
      return { produced: ends.reduce((n, p) => n + Number(p.offset), 0), lag }
    },
    close: () => admin.disconnect(),
  }
}
