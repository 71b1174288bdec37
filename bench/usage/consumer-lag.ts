import type { Kafka } from '@anxin/kafka'

/** Messages on `topic` that consumer group `groupId` has not committed yet, over all partitions. */
export async function consumerLag(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const ends = await admin.fetchTopicOffsets(topic)
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
    let lag = 0
    for (const end of ends) {
      const at = committed?.partitions.find(p => p.partition === end.partition)?.offset ?? '-1'
      lag += Number(end.offset) - Math.max(0, Number(at))
    }
    return lag
  } finally {
    await admin.disconnect()
  }
}
