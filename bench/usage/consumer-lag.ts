import type { Kafka } from '@anxin/kafka'

/**
 * Kafka consumer lag: messages on a topic that a consumer group has not committed yet, over all partitions.
 * One admin connection serves every question (a benchmark asks every 50 ms while a backlog drains).
 */
export async function lagReader(kafka: Kafka): Promise<{
  of: (groupId: string, topic: string) => Promise<number>
  /** Messages ever written to the topic (the sum of its partitions' end offsets). */
  produced: (topic: string) => Promise<number>
  close: () => Promise<void>
}> {
  const admin = kafka.admin()
  await admin.connect()
  return {
    of: async (groupId, topic) => {
      const ends = await admin.fetchTopicOffsets(topic)
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
      let lag = 0
      for (const end of ends) {
        const at = committed?.partitions.find(p => p.partition === end.partition)?.offset ?? '-1'
        lag += Number(end.offset) - Math.max(0, Number(at))
      }
      return lag
    },
    produced: async topic => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.offset), 0),
    close: () => admin.disconnect(),
  }
}
