import type pg from 'pg'
import type { Logger } from '@anxin/logging'
import type { RegisteredDevice } from '../domain/registered-device.ts'

const DEVICE_QUERY = `
  SELECT d.id AS "deviceId", d.org_id AS "orgId", d.status, b.resident_id AS "residentId"
  FROM devices d
  LEFT JOIN device_bindings b ON b.device_id = d.id AND b.unbound_at IS NULL`

/**
 * An in-memory view of the device registry. Loaded whole at start, refreshed per device when PostgreSQL
 * notifies a change, and re-read on a miss, so a device provisioned a moment ago is never refused.
 */
export class DeviceRegistryCache {
  private readonly devices = new Map<string, RegisteredDevice>()
  private readonly pool: pg.Pool
  private readonly log: Logger
  private listener: pg.PoolClient | null = null
  private reloadTimer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(pool: pg.Pool, logger: Logger) {
    this.pool = pool
    this.log = logger.child({ component: 'device-registry' })
  }

  async start(): Promise<void> {
    await this.reloadAll()
    await this.listen()
    // A notification lost during a database restart is repaired by the periodic full reload.
    this.reloadTimer = setInterval(() => void this.reloadAll().catch(() => {}), 60000)
    this.reloadTimer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.reloadTimer) clearInterval(this.reloadTimer)
    const listener = this.listener
    this.listener = null
    listener?.release(true)
  }

  get size(): number {
    return this.devices.size
  }

  async lookup(deviceId: string): Promise<RegisteredDevice | null> {
    const cached = this.devices.get(deviceId)
    if (cached && cached.status === 'active' && cached.residentId) return cached
    return this.refresh(deviceId)
  }

  private async refresh(deviceId: string): Promise<RegisteredDevice | null> {
    const { rows } = await this.pool.query<RegisteredDevice>(`${DEVICE_QUERY} WHERE d.id = $1`, [deviceId])
    const device = rows[0] ?? null
    if (device) this.devices.set(deviceId, device)
    else this.devices.delete(deviceId)
    return device
  }

  private async reloadAll(): Promise<void> {
    const { rows } = await this.pool.query<RegisteredDevice>(DEVICE_QUERY)
    this.devices.clear()
    for (const row of rows) this.devices.set(row.deviceId, row)
    this.log.info({ devices: rows.length }, 'device registry loaded')
  }

  private async listen(): Promise<void> {
    const client = await this.pool.connect()
    this.listener = client
    client.on('notification', message => {
      if (message.payload) void this.refresh(message.payload).catch(() => {})
    })
    client.on('error', () => {
      if (this.listener !== client) return
      this.listener = null
      client.release(true)
      setTimeout(() => void this.reconnect(), 1000).unref()
    })
    await client.query('LISTEN anxin_device_registry')
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return
    try {
      await this.listen()
      await this.reloadAll()
    } catch {
      setTimeout(() => void this.reconnect(), 2000).unref()
    }
  }
}
