import type pg from 'pg'

export type ChangeListener = { stop: () => Promise<void> }

/**
 * LISTENs on PostgreSQL notification channels over a dedicated pooled connection, and reconnects after a
 * database restart. Notifications sent while disconnected are lost, so `onReconnected` lets the caller
 * resynchronise (reload or drop its cache). Resolves once listening.
 */
export async function listenForChanges(
  pool: pg.Pool,
  channels: string[],
  handlers: { onNotification: (channel: string, payload: string) => void; onReconnected?: () => void },
): Promise<ChangeListener> {
  let client: pg.PoolClient | null = null
  let stopped = false

  async function connect(): Promise<void> {
    const next = await pool.connect()
    client = next
    next.on('notification', message => {
      if (message.payload) handlers.onNotification(message.channel, message.payload)
    })
    next.on('error', () => {
      if (client !== next) return
      client = null
      next.release(true)
      setTimeout(() => void reconnect(), 1000).unref()
    })
    for (const channel of channels) await next.query(`LISTEN ${channel.replace(/[^a-z0-9_]/g, '')}`)
  }

  async function reconnect(): Promise<void> {
    if (stopped) return
    try {
      await connect()
      handlers.onReconnected?.()
    } catch {
      setTimeout(() => void reconnect(), 2000).unref()
    }
  }

  await connect()
  return {
    stop: async () => {
      stopped = true
      const current = client
      client = null
      current?.release(true)
    },
  }
}
