/** The shape of bench/results/latest.json (sections not run keep their earlier figures, marked as such). */
/** A section carried over from an earlier run says when, and on what machine, it was measured. */
export type Earlier = { measured_at?: string; machine?: Record<string, unknown> }

export type Result = {
  measuredAt: string
  machine: Record<string, unknown>
  alert: ({ rules_events_per_s_per_core: number } & Earlier) | null
  escalation: ({ timer_p50_ms: number; timer_p99_ms: number; timer_max_ms: number; pending_timers: number; fired: number; due_per_s: number } & Earlier) | null
  sos: ({ p50_ms: number; p99_ms: number; max_ms: number; presses: number; lost: number; background_msgs_per_s: number; raised_p50_ms?: number; raised_p99_ms?: number } & Earlier) | null
  e2e: ({
    sustained_msgs_per_s: number; sent: number; lost: number; devices: number; held_seconds?: number
    steps: Array<Record<string, unknown> & { targetMsgsPerS: number; generatorMsgsPerS: number; sent: number; stored: number; behind: number; endToEndMsgsPerS: number; drainSeconds: number; seconds?: number; lagAtEnd?: { recorder: number; alert: number } }>
  } & Earlier) | null
  /** CPU and peak memory of each part while the platform held its sustained rate (the e2e hold step). */
  services: ({ msgs_per_s: number; seconds: number; parts: Array<{ name: string; cpuSeconds: number; cpuCores: number; peakRssMiB: number }> } & Earlier) | null
  peers: ({ node_red_msgs_per_s: number; node_red: Record<string, unknown> } & Earlier) | null
  dispatch: ({
    notifications_per_s: number; commands_per_s: number; first_delivery_p50_ms: number; first_delivery_p99_ms: number; first_delivery_max_ms: number
    lost: number; after_burst_lost: number; after_burst_commands: number; duplicates: number; burst_commands: number; channel_concurrency: number; paced_commands_per_s: number; paced_seconds: number
    paced_first_delivery_p50_ms: number; paced_first_delivery_p99_ms: number
  } & Earlier) | null
  floors: ({ mosquitto_msgs_per_s: number; kafka_produce_msgs_per_s: number; pg_insert_rows_per_s: number; measured: string } & Earlier) | null
  kafka_clients: ({
    kafkajs: ClientFigures; platformatic: ClientFigures; verdict: string
    rounds?: Array<Record<'kafkajs' | 'platformatic', { msgsPerS: number; sosP99Ms: number }>>
  } & Earlier) | null
}

export type ClientFigures = { msgsPerS: number; mbPerS: number; sosP50Ms: number; sosP99Ms: number; peakRssMiB: number; processCpuMs: number; lost: number; duplicates: number }
