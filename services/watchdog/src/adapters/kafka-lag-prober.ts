import type { Admin, Kafka } from '@anxin/kafka'
import type { GroupObservation, KafkaObservation } from '../domain/observations.ts'
import { DeadlineError, withDeadline } from '@anxin/service-kit'

export type WatchedGroup = { label: string; groupId: string }

/**
 * Reads each watched group's committed offsets and its topics' end offsets through one admin client. A
 * round waits for the read at most `waitMs`; a read still running is "pending" (judged next round), so a
 * slow broker never holds up the service probes, and no second read is piled on a hung one. A read that
 * fails, or runs past `deadlineMs`, makes Kafka unreachable: the client is dropped and a fresh one connects
 * on the next round (a restarted broker, a new leader).
 */
export class KafkaLagProber {
  private readonly kafka: Kafka
  private readonly deadlineMs: number
  private admin: Admin | null = null
  private inflight: { read: Promise<GroupObservation[]>; startedMs: number } | null = null
  /**
   * Topics a group has committed on, remembered: a group is judged on every topic it ever committed to,
   * also after its offsets expired. (A group that never committed at all has no offsets to judge.)
   */
  private readonly topicsOf = new Map<string, Set<string>>()

  constructor(kafka: Kafka, deadlineMs: number) {
    this.kafka = kafka
    this.deadlineMs = deadlineMs
  }

  async probe(groups: WatchedGroup[], waitMs: number): Promise<KafkaObservation> {
    if (!this.inflight) {
      const read = this.read(groups)
      read.catch(() => {}) // awaited below or by a later round; never unhandled
      this.inflight = { read, startedMs: Date.now() }
    }
    const { read, startedMs } = this.inflight
    const left = startedMs + this.deadlineMs - Date.now()
    try {
      const observed = await withDeadline(read, Math.max(0, Math.min(waitMs, left)), 'reading consumer offsets')
      this.inflight = null
      return { state: 'reachable', groups: observed }
    } catch (error) {
      const pastDeadline = Date.now() - startedMs >= this.deadlineMs
      if (error instanceof DeadlineError && !pastDeadline) return { state: 'pending' }
      this.inflight = null
      this.drop()
      const reason = error instanceof DeadlineError ? `no answer within ${this.deadlineMs} ms` : (error as Error).message
      return { state: 'unreachable', reason: reason.slice(0, 200) }
    }
  }

  async close(): Promise<void> {
    const admin = this.admin
    this.admin = null
    await admin?.disconnect().catch(() => {})
  }

  private drop(): void {
    const admin = this.admin
    this.admin = null
    void admin?.disconnect().catch(() => {})
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin
    // The client's few quick retries (main.ts) apply; beyond them, the next round is the retry.
    const admin = this.kafka.admin()
    this.admin = admin
    await admin.connect()
    return admin
  }

  private async read(groups: WatchedGroup[]): Promise<GroupObservation[]> {
    const admin = await this.connected()
    if (groups.length === 0) {
      await admin.describeCluster()
      return []
    }
    const endOffsets = new Map<string, Promise<Map<number, { high: bigint; low: bigint }>>>()
    const endsOf = (topic: string) => {
      let ends = endOffsets.get(topic)
      if (!ends) {
        ends = admin.fetchTopicOffsets(topic).then(list => new Map(list.map(p => [p.partition, { high: BigInt(p.high), low: BigInt(p.low) }])))
        endOffsets.set(topic, ends)
      }
      return ends
    }
    return Promise.all(
      groups.map(async group => {
        const known = this.topicsOf.get(group.groupId) ?? new Set<string>()
        const committedTopics = await admin.fetchOffsets({ groupId: group.groupId })
        for (const t of committedTopics) known.add(t.topic)
        this.topicsOf.set(group.groupId, known)
        const offsets = known.size > committedTopics.length ? await admin.fetchOffsets({ groupId: group.groupId, topics: [...known] }) : committedTopics
        let lag = 0n
        const committed: Record<string, string> = {}
        for (const { topic, partitions } of offsets) {
          const ends = await endsOf(topic)
          for (const { partition, offset } of partitions) {
            const end = ends.get(partition)
            if (!end) continue
            committed[`${topic}:${partition}`] = offset
            // No committed offset: the platform's consumers start from the beginning, so all of it is waiting.
            const position = BigInt(offset) >= 0n ? BigInt(offset) : end.low
            if (end.high > position) lag += end.high - position
          }
        }
        return { label: group.label, groupId: group.groupId, lag: Number(lag), committed }
      }),
    )
  }
}
