// Loading state for one request at a time, with a reload that keeps the old data on screen meanwhile.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export type Loaded<T> = { data: T | null; error: unknown; loading: boolean; reload: () => void; setData: (d: T) => void }

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const generation = useRef(0)
  const loader = useRef(load)
  loader.current = load

  const run = useCallback(() => {
    const mine = ++generation.current
    setLoading(true)
    loader.current().then(
      (value) => {
        if (mine !== generation.current) return
        setData(value)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (mine !== generation.current) return
        setError(err)
        setLoading(false)
      },
    )
  }, [])

  // The caller names the dependencies, as with useEffect.
  useEffect(run, deps)
  return { data, error, loading, reload: run, setData }
}
