// The one way the UI talks to the console server: same-origin cookies, the CSRF header on every change,
// and every `{code, message}` answer turned into a thrown ApiError the pages show translated.

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly retryAfterSeconds: number | null

  constructor(status: number, code: string, message: string, retryAfterSeconds: number | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfterSeconds = retryAfterSeconds
  }
}

let csrfToken: string | null = null
let onUnauthenticated: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called when a request answers 401: the session ended (expired, logged out elsewhere). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler
}

type Query = Record<string, string | number | boolean | null | undefined>

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const qs = params.toString()
  return qs === '' ? path : `${path}?${qs}`
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken
  return send<T>(path, { method, headers, credentials: 'same-origin', body: body === undefined ? null : JSON.stringify(body) })
}

/** A file sent as the raw request body (imports): its type as content-type, its name in `x-file-name`. */
async function upload<T>(path: string, file: Blob, contentType: string, fileName: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType, 'x-file-name': headerSafe(fileName) }
  if (csrfToken !== null) headers['x-csrf-token'] = csrfToken
  return send<T>(path, { method: 'POST', headers, credentials: 'same-origin', body: file })
}

/** Header values must be Latin-1: a name such as 街道名单.xlsx goes percent-encoded (ASCII names stay as they are). */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value)
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, init)
  } catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause))
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let parsed: unknown = null
  if (text !== '') {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = null
    }
  }
  if (!response.ok) {
    const err = (parsed ?? {}) as { code?: unknown; message?: unknown; retryAfterSeconds?: unknown }
    const code = typeof err.code === 'string' ? err.code : `http_${response.status}`
    const message = typeof err.message === 'string' ? err.message : response.statusText
    const retryHeader = Number(response.headers.get('retry-after'))
    const retry = typeof err.retryAfterSeconds === 'number' ? err.retryAfterSeconds : Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : null
    if (response.status === 401 && code !== 'invalid_credentials' && onUnauthenticated !== null) onUnauthenticated()
    throw new ApiError(response.status, code, message, retry)
  }
  return parsed as T
}

export const api = {
  get: <T>(path: string, query?: Query): Promise<T> => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown = {}): Promise<T> => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown): Promise<T> => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown): Promise<T> => request<T>('PATCH', path, body),
  del: (path: string): Promise<void> => request<void>('DELETE', path),
  upload,
}

export function enc(id: string): string {
  return encodeURIComponent(id)
}
