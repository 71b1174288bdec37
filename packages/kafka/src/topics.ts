import type { Admin, Kafka } from 'kafkajs'
import type { KafkaTopicDeclaration } from '@anxin/contracts'

/** Creates the declared topics that are missing; grows partition counts that are below the declaration. */
export async function ensureTopics(admin: Admin, declarations: KafkaTopicDeclaration[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics())
  const missing = declarations.filter(d => !existing.has(d.name))
  if (missing.length > 0) {
    await admin.createTopics({
      // kafkajs's own wait for leaders can fail with UNKNOWN_TOPIC_OR_PARTITION while a KRaft broker is
      // still publishing the new topic's metadata; waitForPartitionLeaders below polls instead.
      waitForLeaders: false,
      topics: missing.map(d => ({
        topic: d.name,
        numPartitions: d.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(d.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    })
  }
  const present = declarations.filter(d => existing.has(d.name))
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map(d => d.name) })
    const grow = present.filter(d => {
      const found = metadata.topics.find(t => t.name === d.name)
      return found !== undefined && found.partitions.length < d.partitions
    })
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow.map(d => ({ topic: d.name, count: d.partitions })) })
  }
  await waitForPartitionLeaders(admin, declarations)
  return missing.map(d => d.name)
}

/** Resolves once every partition of every declared topic has a leader, i.e. can be written. */
async function waitForPartitionLeaders(admin: Admin, declarations: KafkaTopicDeclaration[], timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: declarations.map(d => d.name) })
      const ready = declarations.every(d => {
        const topic = metadata.topics.find(t => t.name === d.name)
        return topic !== undefined && topic.partitions.length >= d.partitions && topic.partitions.every(p => p.leader >= 0)
      })
      if (ready) return
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    if (Date.now() > deadline) throw new Error(`Kafka topics have no leaders after ${timeoutMs} ms: ${declarations.map(d => d.name).join(', ')}`)
    await new Promise(r => setTimeout(r, 100))
  }
}

/** Services call this at boot: running against a cluster without the declared topics is a deployment error. */
export async function assertTopicsExist(kafka: Kafka, names: string[]): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = names.filter(n => !existing.has(n))
    if (missing.length > 0) {
      throw new Error(`Kafka topics missing: ${missing.join(', ')} (run "pnpm stack up" to create the declared topics)`)
    }
  } finally {
    await admin.disconnect()
  }
}
