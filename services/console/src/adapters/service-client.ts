import { ApiError } from '../http/api-error.ts'

export type ServiceAnswer<T> = { status: number; body: T }

/**
 * JSON over HTTP to a service behind the console (escalation, dispatch). Those trust their callers, so only
 * the console, after authorising the user, calls them. A service that cannot be reached is a 503 to the
 * user with a message saying which, never a hang: calls time out.
 */
export class ServiceClient {
  private readonly name: string
  private readonly baseUrl: string
  private readonly timeoutMs: number

  constructor(name: string, baseUrl: string, timeoutMs = 5000) {
    this.name = name
    this.baseUrl = baseUrl.replace(/\/$/, '')
    this.timeoutMs = timeoutMs
  }

  async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ServiceAnswer<T>> {
    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (error) {
      throw new ApiError(503, 'service_unavailable', `the ${this.name} service did not answer (${(error as Error).name}); try again`)
    }
    const text = await response.text()
    let parsed: T
    try {
      parsed = text ? (JSON.parse(text) as T) : (undefined as T)
    } catch {
      throw new ApiError(503, 'service_unavailable', `the ${this.name} service answered something that is not JSON (${response.status})`)
    }
    if (response.status >= 500) throw new ApiError(503, 'service_unavailable', `the ${this.name} service failed (${response.status}); try again`)
    return { status: response.status, body: parsed }
  }

  /** A 2xx body, or the service's own refusal passed on with its status and code. */
  async expectOk<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T & { code?: string; message?: string }>(method, path, body)
    if (answer.status >= 400) throw new ApiError(answer.status, answer.body?.code ?? 'refused', answer.body?.message ?? `${this.name} refused the request`)
    return answer.body
  }
}
