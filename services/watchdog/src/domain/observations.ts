/** What one probing round saw. Adapters fill it; the domain judges it. No I/O types leak in here. */

/** A failed probe says why: `timeout`, `unreachable`, `http_500`... */
export type ProbeResult = { ok: true } | { ok: false; reason: string }

export type TargetObservation = {
  name: string
  live: ProbeResult
  /** Not ready lists the failing checks the service named (`kafka`, `redis`), or the probe's failure reason. */
  ready: { ok: true } | { ok: false; failing: string[] }
}

export type GroupObservation = {
  label: string
  groupId: string
  /** Messages on the group's topics not yet committed, summed over partitions. */
  lag: number
  /** `topic:partition` -> committed offset; progress is judged by whether these move. */
  committed: Record<string, string>
}

export type DiskObservation = { label: string; path: string } & ({ ok: true; freeBytes: number; totalBytes: number } | { ok: false; reason: string })

export type KafkaObservation =
  | { state: 'reachable'; groups: GroupObservation[] }
  | { state: 'unreachable'; reason: string }
  /** A read still running within its deadline (a slow broker, a first connection): nothing is judged this round. */
  | { state: 'pending' }

export type Observations = {
  targets: TargetObservation[]
  kafka: KafkaObservation
  disks: DiskObservation[]
}
