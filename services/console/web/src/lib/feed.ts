// The live feed (SSE). Opened after a snapshot at the snapshot's `feedSeq`, so nothing between the two is
// lost; the browser reconnects by itself and sends Last-Event-ID. Events are deduplicated by `seq`, so a
// replay after a reconnect never applies twice. If the server refuses the stream outright (the browser
// then gives up), we reopen it ourselves from the last seq seen.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { FeedEvent } from '../api/types.ts'

export type FeedStatus = 'live' | 'reconnecting'

const EVENT_NAMES = ['alarm', 'lifecycle', 'device', 'message'] as const

/**
 * `onResync`: the server no longer keeps the position we resumed from (away longer than its retention): the
 * page reloads its snapshot; the events that follow still arrive.
 */
export function useFeed(startAfter: number | null, onEvent: (event: FeedEvent) => void, onResync?: () => void): FeedStatus {
  const [status, setStatus] = useState<FeedStatus>('reconnecting')
  const handler = useRef(onEvent)
  handler.current = onEvent
  const resyncHandler = useRef(onResync)
  resyncHandler.current = onResync

  useEffect(() => {
    if (startAfter === null) return
    let lastSeq = startAfter
    let source: EventSource | null = null
    let retryTimer: ReturnType<typeof setTimeout> | null = null
    let retryDelay = 2000
    let stopped = false

    const receive = (message: MessageEvent<string>): void => {
      let event: FeedEvent
      try {
        event = JSON.parse(message.data) as FeedEvent
      } catch {
        return
      }
      const seq = Number(event.seq ?? message.lastEventId)
      if (!Number.isFinite(seq) || seq <= lastSeq) return
      lastSeq = seq
      handler.current(event)
    }

    const open = (): void => {
      if (stopped) return
      const es = new EventSource(`/api/feed?after=${encodeURIComponent(String(lastSeq))}`)
      source = es
      es.onopen = () => {
        retryDelay = 2000
        setStatus('live')
      }
      es.onerror = () => {
        setStatus('reconnecting')
        if (es.readyState === EventSource.CLOSED) {
          es.close()
          retryTimer = setTimeout(open, retryDelay)
          retryDelay = Math.min(retryDelay * 2, 30_000)
        }
      }
      for (const name of EVENT_NAMES) es.addEventListener(name, receive as EventListener)
      es.addEventListener('resync', () => resyncHandler.current?.())
    }

    open()
    return () => {
      stopped = true
      if (retryTimer !== null) clearTimeout(retryTimer)
      source?.close()
      setStatus('reconnecting')
    }
  }, [startAfter])

  return status
}

/** A value that changes every `intervalMs`, to re-render ticking clocks. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(id)
  }, [intervalMs])
  return now
}
