/** A console client: signs in, then follows the live feed (SSE) the way a browser's EventSource does. */

export type FeedMessage = {
  id: string
  event: string
  data: { seq: string; kind: string; cause: string; alarmId: string | null; residentId: string | null; alarm: { id: string; type: string; state: string } | null; device: unknown }
}

export type ConsoleClient = { cookie: string; csrf: string; call: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }> } // eslint-disable-line @typescript-eslint/no-explicit-any

export async function signIn(baseUrl: string, username: string, password: string): Promise<ConsoleClient> {
  const response = await fetch(`${baseUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!
  const { csrfToken } = (await response.json()) as { csrfToken: string }
  return {
    cookie, csrf: csrfToken,
    call: async (method, path, body) => {
      const r = await fetch(`${baseUrl}${path}`, {
        method, headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : null }
    },
  }
}

export type FeedFollower = { messages: FeedMessage[]; lastId: string | null; close: () => void; closed: Promise<void> }

/** Follows /api/feed from `lastEventId` (as EventSource does on reconnect); `onMessage` sees each event as it arrives. */
export function followFeed(baseUrl: string, cookie: string, options: { lastEventId?: string; after?: string; onMessage?: (m: FeedMessage) => void } = {}): FeedFollower {
  const abort = new AbortController()
  const follower: FeedFollower = { messages: [], lastId: options.lastEventId ?? null, close: () => abort.abort(), closed: Promise.resolve() }
  follower.closed = (async () => {
    const response = await fetch(`${baseUrl}/api/feed${options.after ? `?after=${options.after}` : ''}`, {
      headers: { cookie, accept: 'text/event-stream', ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) }, signal: abort.signal,
    })
    if (response.status !== 200 || !response.body) throw new Error(`feed answered ${response.status}`)
    const decoder = new TextDecoder()
    let buffer = ''
    const reader = response.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = Object.fromEntries(block.split('\n').filter(l => l && !l.startsWith(':')).map(l => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]))
          if (!fields.data) continue
          const message = { id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) } as FeedMessage
          follower.lastId = message.id
          follower.messages.push(message)
          options.onMessage?.(message)
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error
    }
  })()
  follower.closed.catch(() => {})
  return follower
}
