import type { ClientFigures, Earlier, Result } from './result.ts'

function earlier(section: Earlier): string {
  return section.measured_at ? ` _(earlier run: ${section.measured_at}, ${JSON.stringify(section.machine)})_` : ''
}

export function markdownReport(r: Result): string {
  const lines = [`# Benchmark results (${r.measuredAt})`, '', `Machine: ${JSON.stringify(r.machine)}`, '', '![Benchmark chart](latest.svg)', '']
  if (r.alert) lines.push(`**alert.rules_events_per_s_per_core = ${r.alert.rules_events_per_s_per_core}** (all rules on vitals + location + status envelopes, one core, no I/O)${earlier(r.alert)}`, '')
  if (r.escalation) {
    const e = r.escalation
    lines.push(`**Escalation timers: fire time minus due time p50 ${e.timer_p50_ms} ms, p99 ${e.timer_p99_ms} ms, max ${e.timer_max_ms} ms** (${e.pending_timers} pending, due at ${e.due_per_s}/s, ${e.fired} fired, PostgreSQL-backed)${earlier(e)}`, '')
  }
  if (r.sos) {
    lines.push(
      `**SOS press to alarm on the console: p50 ${r.sos.p50_ms} ms, p99 ${r.sos.p99_ms} ms, max ${r.sos.max_ms} ms** (${r.sos.presses} presses, ${r.sos.lost} lost, ` +
        `background telemetry ${r.sos.background_msgs_per_s} msg/s; MQTT -> ingestion -> Kafka -> alert -> Kafka -> console -> SSE to a signed-in operator; ` +
        `of which press to the alert's raised event in Kafka: p50 ${r.sos.raised_p50_ms ?? '?'} ms, p99 ${r.sos.raised_p99_ms ?? '?'} ms)${earlier(r.sos)}`,
      '',
    )
  }
  if (r.e2e) {
    const rows = r.e2e.steps.map(
      s => `| ${s.targetMsgsPerS} | ${s.seconds ?? '?'} | ${s.generatorMsgsPerS} | ${s.sent} | ${s.stored} | ${s.behind} | ${s.endToEndMsgsPerS} | ${s.drainSeconds} | ${s.lagAtEnd ? `${s.lagAtEnd.recorder} / ${s.lagAtEnd.alert}` : '?'} |`,
    )
    lines.push(
      `**e2e.sustained_msgs_per_s = ${r.e2e.sustained_msgs_per_s}**${r.e2e.held_seconds ? ` (held for ${r.e2e.held_seconds} s)` : ''}, e2e.lost = ${r.e2e.lost} of ${r.e2e.sent} sent, counted after a final drain ` +
        `(MQTT QoS 1 -> ingestion -> Kafka -> recorder -> PostgreSQL, with the alert service evaluating every reading, ${r.e2e.devices} devices; ` +
        `ramped until it fell behind, then the best rate held; a step is kept up with when nothing is missing within 1 s of the last send)${earlier(r.e2e)}`,
      '',
      '| target msg/s | step s | generator msg/s | sent | stored by end of drain | behind | end-to-end msg/s | drain s | consumer lag at end (recorder / alert) |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    )
  }
  if (r.services) {
    const s = r.services
    lines.push(
      `**CPU and peak memory per part** while the platform held ${s.msgs_per_s} msg/s for ${s.seconds} s${earlier(s)}:`,
      '',
      '| part | CPU s | cores (average) | peak RSS MiB |',
      '|---|---|---|---|',
      ...s.parts.map(p => `| ${p.name} | ${p.cpuSeconds} | ${p.cpuCores} | ${p.peakRssMiB} |`),
      '',
    )
  }
  if (r.peers) {
    lines.push(`**peers.node_red_msgs_per_s = ${r.peers.node_red_msgs_per_s}** (${String(r.peers.node_red.measured ?? 'Node-RED flow MQTT in -> PostgreSQL out on the same load')})${earlier(r.peers)}`, '')
  }
  if (r.floors) {
    const f = r.floors
    lines.push(
      `**Floors (each part alone): Mosquitto ${f.mosquitto_msgs_per_s} msg/s, Kafka produce ${f.kafka_produce_msgs_per_s} msg/s, PostgreSQL COPY ${f.pg_insert_rows_per_s} rows/s** (${f.measured})${earlier(f)}`,
      '',
    )
  }
  if (r.kafka_clients) {
    const k = r.kafka_clients
    const row = (name: string, c: ClientFigures) => `| ${name} | ${c.msgsPerS} | ${c.mbPerS} | ${c.sosP50Ms} | ${c.sosP99Ms} | ${c.processCpuMs} | ${c.peakRssMiB} | ${c.lost} / ${c.duplicates} |`
    lines.push(
      `**Kafka clients on the ingestion path** (docs/kafka-client.md; medians of ${k.rounds?.length ?? 1} rounds, clients taking turns):`, '',
      '| client | telemetry msg/s | MB/s | SOS p50 ms | SOS p99 ms | CPU ms | peak RSS MiB | lost / duplicates |', '|---|---|---|---|---|---|---|---|',
      row('kafkajs', k.kafkajs), row('@platformatic/kafka', k.platformatic), '',
      ...(k.rounds ? [`Per round (msg/s, SOS p99 ms): ${k.rounds.map((r, i) => `${i + 1}: kafkajs ${r.kafkajs.msgsPerS} / ${r.kafkajs.sosP99Ms}, platformatic ${r.platformatic.msgsPerS} / ${r.platformatic.sosP99Ms}`).join('; ')}`, ''] : []),
      `Verdict: ${k.verdict}${earlier(k)}`, '',
    )
  }
  if (r.dispatch) {
    const d = r.dispatch
    lines.push(
      `**dispatch.notifications_per_s = ${d.notifications_per_s}** (${d.commands_per_s} commands/s), notify command to first delivery under a burst of ${d.burst_commands} commands: ` +
        `**p50 ${d.first_delivery_p50_ms} ms, p99 ${d.first_delivery_p99_ms} ms, max ${d.first_delivery_max_ms} ms**; paced at ${d.paced_commands_per_s} commands/s for ${d.paced_seconds} s: ` +
        `**p50 ${d.paced_first_delivery_p50_ms} ms, p99 ${d.paced_first_delivery_p99_ms} ms**; ` +
        `${d.lost} commands lost (${d.after_burst_lost} of the ${d.after_burst_commands} sent after the burst), ${d.duplicates} duplicates ` +
        `(critical SOS on e-mail + webhook, 2 deliveries per command, CHANNEL_CONCURRENCY ${d.channel_concurrency}; Kafka -> dispatch -> real SMTP server and webhook receiver)${earlier(d)}`,
      '',
    )
  }
  return lines.join('\n')
}
