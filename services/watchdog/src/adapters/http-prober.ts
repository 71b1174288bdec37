import type { ProbeResult, TargetObservation } from '../domain/observations.ts'

/** Why a request failed, in one word: a frozen process times out, a dead one refuses the connection. */
function failureReason(error: unknown): string {
  const e = error as { name?: string; cause?: { code?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout'
  return e.cause?.code === 'ECONNREFUSED' ? 'connection_refused' : 'unreachable'
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: unknown } | { failed: string }> {
  try {
    const signal = AbortSignal.timeout(timeoutMs)
    const response = await fetch(url, { signal, headers: { accept: 'application/json' } })
    // The body is read under the same deadline: a service that sends headers and then freezes is frozen.
    const text = await response.text()
    let body: unknown = null
    try {
      body = JSON.parse(text)
    } catch {
      body = null
    }
    return { status: response.status, body }
  } catch (error) {
    return { failed: failureReason(error) }
  }
}

/** The checks a 503 from /health/ready names as false (packages/service-kit health-routes.ts). */
function failingChecks(body: unknown): string[] {
  const checks = (body as { checks?: unknown } | null)?.checks
  if (checks === null || typeof checks !== 'object') return []
  return Object.entries(checks).filter(([, ok]) => ok !== true).map(([name]) => name).sort()
}

/** Probes one service's liveness and readiness at once, each under the probe timeout. */
export async function probeTarget(name: string, baseUrl: string, timeoutMs: number): Promise<TargetObservation> {
  const base = baseUrl.replace(/\/$/, '')
  const [live, ready] = await Promise.all([get(`${base}/health/live`, timeoutMs), get(`${base}/health/ready`, timeoutMs)])
  const liveResult: ProbeResult = 'failed' in live ? { ok: false, reason: live.failed } : live.status < 300 ? { ok: true } : { ok: false, reason: `http_${live.status}` }
  let readyResult: TargetObservation['ready']
  if ('failed' in ready) readyResult = { ok: false, failing: [ready.failed] }
  else if (ready.status < 300) readyResult = { ok: true }
  else {
    const named = failingChecks(ready.body)
    readyResult = { ok: false, failing: named.length > 0 ? named : [`http_${ready.status}`] }
  }
  return { name, live: liveResult, ready: readyResult }
}
