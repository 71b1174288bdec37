// Cursor paging with a back stack: the server gives only "next", the UI remembers how it got here.
import { useState } from 'preact/hooks'

export function useCursorPages(): {
  cursor: string | null
  hasPrev: boolean
  next: (nextCursor: string | null) => void
  prev: () => void
  reset: () => void
} {
  const [stack, setStack] = useState<Array<string | null>>([null])
  const cursor = stack[stack.length - 1] ?? null
  return {
    cursor,
    hasPrev: stack.length > 1,
    next: (nextCursor) => { if (nextCursor !== null) setStack((s) => [...s, nextCursor]) },
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  }
}
